/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

/* EwnAccount against the EWS simulator over real HTTP on loopback: a table of faults,
 * each with changes made before, during and after it; the change records must be
 * exactly the changes made — nothing lost, nothing twice. Intervals are short
 * settings, never real-world timeouts. */

#include "config.h"

#include "ews-error.h"
#include "ews-sim-colleague.h"
#include "ews-simulator.h"
#include "ewn-account.h"

#define ALICE_PASSWORD "correct horse battery staple"
#define BOB_PASSWORD   "bob's password"
#define ALICE          "alice@example.com"

typedef struct
{
  EwsSimulator    *simulator;
  EwsClient       *client;
  EwsSimColleague *colleague;
  EwnAccount      *account;
  GPtrArray       *changes; /* "kind item-id" */
  GAsyncResult    *result;
  gboolean         backed_off;
  gint64           backoff_started;
  gint64           backoff_ended;
  guint            credentials_needed;
  guint            stream_requests;
  guint            requests;
} Fixture;

typedef gboolean (*Condition) (Fixture *fixture);

static void
wait_until (Fixture  *fixture,
            Condition condition)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (!condition (fixture))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static gboolean
has_result (Fixture *fixture)
{
  return fixture->result != NULL;
}

static gboolean
is_streaming (Fixture *fixture)
{
  return ewn_account_get_state (fixture->account) == EWN_ACCOUNT_STATE_STREAMING;
}

static void
count_traffic (const char *operation,
               gboolean    is_response,
               GBytes     *body,
               gpointer    user_data)
{
  Fixture *fixture = user_data;

  if (!is_response && g_strcmp0 (operation, "GetStreamingEvents") == 0)
    fixture->stream_requests++;
  if (!is_response)
    fixture->requests++;
}

static guint requests_seen;

static gboolean
request_made (Fixture *fixture)
{
  return fixture->requests > requests_seen;
}

static guint stream_requests_seen;

static gboolean
stream_reissued (Fixture *fixture)
{
  return fixture->stream_requests > stream_requests_seen;
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Fixture *fixture = user_data;

  g_assert_null (fixture->result);
  fixture->result = g_object_ref (result);
}

static void
on_change (EwnAccount *account,
           EwnChange  *change,
           Fixture    *fixture)
{
  const EwsItem *item = ewn_change_get_item (change);

  g_ptr_array_add (fixture->changes, g_strdup_printf ("%s %s", ewn_change_kind_to_string (change->kind), item->id));
}

static void
on_state (EwnAccount *account,
          GParamSpec *pspec,
          Fixture    *fixture)
{
  EwnAccountState state = ewn_account_get_state (account);

  if (state == EWN_ACCOUNT_STATE_BACKING_OFF && fixture->backoff_started == 0)
    {
      fixture->backed_off = TRUE;
      fixture->backoff_started = g_get_monotonic_time ();
    }
  else if (state != EWN_ACCOUNT_STATE_BACKING_OFF && fixture->backoff_started != 0 && fixture->backoff_ended == 0)
    fixture->backoff_ended = g_get_monotonic_time ();
}

static void
on_credentials_needed (EwnAccount *account,
                       Fixture    *fixture)
{
  fixture->credentials_needed++;
}

static void
new_account (Fixture *fixture)
{
  g_autofree char *state_dir = g_build_filename (g_get_user_state_dir (), "ews-notifier", "alice", NULL);
  EwnAccountTiming timing = {
    .watchdog_ms = 600,
    .backoff_initial_ms = 50,
    .backoff_max_ms = 400,
    .connection_timeout_min = 1,
    .pull_interval_ms = 100,
    .pull_timeout_min = 10,
  };

  fixture->account = ewn_account_new ("alice", fixture->client, state_dir, NULL);
  ewn_account_set_timing (fixture->account, &timing);
  ewn_account_set_watch_system (fixture->account, FALSE);
  g_signal_connect (fixture->account, "change", G_CALLBACK (on_change), fixture);
  g_signal_connect (fixture->account, "notify::state", G_CALLBACK (on_state), fixture);
  g_signal_connect (fixture->account, "credentials-needed", G_CALLBACK (on_credentials_needed), fixture);
}

static void
stop_account (Fixture *fixture)
{
  ewn_account_stop_async (fixture->account, store_result, fixture);
  wait_until (fixture, has_result);
  g_assert_true (ewn_account_stop_finish (fixture->account, fixture->result, NULL));
  g_clear_object (&fixture->result);
  g_signal_handlers_disconnect_by_data (fixture->account, fixture);
  g_clear_object (&fixture->account);
}

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->simulator = ews_simulator_new ();
  ews_simulator_add_user (fixture->simulator, "alice", ALICE_PASSWORD);
  ews_simulator_add_user (fixture->simulator, "bob", BOB_PASSWORD);
  ews_simulator_set_keepalive_interval (fixture->simulator, 100);
  /* ConnectionTimeout is one "minute": the stream closes normally every 0.5 s. */
  ews_simulator_set_minute_ms (fixture->simulator, 500);
  ews_simulator_set_traffic_func (fixture->simulator, count_traffic, fixture, NULL);
  g_assert_true (ews_simulator_listen (fixture->simulator, 0, FALSE, &error));
  g_assert_no_error (error);

  fixture->client = ews_client_new (ews_simulator_get_url (fixture->simulator));
  ews_client_set_credentials (fixture->client, "alice", ALICE_PASSWORD);
  fixture->colleague = ews_sim_colleague_new (ews_simulator_get_url (fixture->simulator), "bob", BOB_PASSWORD);
  fixture->changes = g_ptr_array_new_with_free_func (g_free);
  new_account (fixture);
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  if (fixture->account != NULL)
    stop_account (fixture);
  g_clear_object (&fixture->colleague);
  g_clear_object (&fixture->client);
  g_clear_object (&fixture->simulator);
  g_ptr_array_unref (fixture->changes);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static char *
create_meeting (Fixture    *fixture,
                const char *subject,
                int         hour)
{
  g_autoptr (GDateTime) start = g_date_time_new_utc (2026, 11, 25, hour, 0, 0);
  g_autoptr (GDateTime) end = g_date_time_add_hours (start, 1);
  g_autoptr (GError) error = NULL;
  char *id;

  ews_sim_colleague_create_meeting_async (fixture->colleague, ALICE, subject, start, end, "Room 1",
                                          NULL, store_result, fixture);
  wait_until (fixture, has_result);
  id = ews_sim_colleague_create_finish (fixture->colleague, fixture->result, &error);
  g_clear_object (&fixture->result);
  g_assert_no_error (error);
  return id;
}

static void
reschedule (Fixture    *fixture,
            const char *item_id,
            const char *start)
{
  g_autoptr (GError) error = NULL;

  ews_sim_colleague_update_async (fixture->colleague, item_id, "calendar:Start", start, NULL,
                                  store_result, fixture);
  wait_until (fixture, has_result);
  g_assert_true (ews_sim_colleague_finish (fixture->colleague, fixture->result, &error));
  g_clear_object (&fixture->result);
  g_assert_no_error (error);
}

static GPtrArray *expected_changes;

static gboolean
has_expected (Fixture *fixture)
{
  for (guint i = 0; i < expected_changes->len; i++)
    if (!g_ptr_array_find_with_equal_func (fixture->changes, g_ptr_array_index (expected_changes, i), g_str_equal, NULL))
      return FALSE;
  return TRUE;
}

static void
expect (Fixture    *fixture,
        const char *kind,
        const char *item_id)
{
  g_ptr_array_add (expected_changes, g_strdup_printf ("%s %s", kind, item_id));
}

/* Exactly the expected records, each once. */
static void
assert_exact (Fixture *fixture)
{
  wait_until (fixture, has_expected);
  for (guint i = 0; i < fixture->changes->len; i++)
    g_test_message ("change: %s", (char *)g_ptr_array_index (fixture->changes, i));
  g_assert_cmpuint (fixture->changes->len, ==, expected_changes->len);
}

typedef struct
{
  const char *name;
  EwsSimFault fault;
  guint       param;
  gboolean    request_fault; /* applies to the next request, not to the open stream */
} FaultCase;

static const FaultCase fault_cases[] = {
  { "drop-mid-envelope", EWS_SIM_FAULT_DROP_STREAM, 0, FALSE },
  { "stall", EWS_SIM_FAULT_STALL_STREAM, 0, FALSE },
  { "http-500", EWS_SIM_FAULT_HTTP_500, 0, TRUE },
  { "http-503", EWS_SIM_FAULT_HTTP_503, 0, TRUE },
  { "server-busy", EWS_SIM_FAULT_SERVER_BUSY, 700, TRUE },
  { "subscription-forgotten", EWS_SIM_FAULT_FORGET_SUBSCRIPTIONS, 0, FALSE },
  { "subscription-expired", EWS_SIM_FAULT_EXPIRE_SUBSCRIPTIONS, 0, FALSE },
  { "missed-events", EWS_SIM_FAULT_MISSED_EVENTS, 0, FALSE },
  { "malformed-xml", EWS_SIM_FAULT_MALFORMED_XML, 0, FALSE },
};

static void
test_fault (Fixture      *fixture,
            gconstpointer data)
{
  const FaultCase *fault = data;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;

  expected_changes = g_ptr_array_new_with_free_func (g_free);

  /* An item that exists before the account starts is only stored, never announced. */
  g_free (create_meeting (fixture, "Existing", 8));
  ewn_account_start (fixture->account);
  wait_until (fixture, is_streaming);

  a = create_meeting (fixture, "Before the fault", 9);
  expect (fixture, "created", a);
  wait_until (fixture, has_expected);

  /* Request faults apply to the next request: inject one right after the stream was
   * reissued, when nothing else is in flight, so that it meets the next reissue. */
  wait_until (fixture, is_streaming);
  stream_requests_seen = fixture->stream_requests;
  wait_until (fixture, stream_reissued);
  requests_seen = fixture->requests;
  ews_simulator_inject_fault (fixture->simulator, fault->fault, fault->param);
  /* A request fault meets the account's next request (the colleague waits): usually
   * the stream's reissue, sometimes a late sync; either way nothing may be lost. */
  if (fault->request_fault)
    wait_until (fixture, request_made);

  b = create_meeting (fixture, "During the fault", 10);
  expect (fixture, "created", b);
  reschedule (fixture, a, "2026-11-25T11:00:00Z");
  expect (fixture, "rescheduled", a);
  wait_until (fixture, has_expected);

  wait_until (fixture, is_streaming);
  c = create_meeting (fixture, "After the fault", 12);
  expect (fixture, "created", c);
  assert_exact (fixture);

  if (fault->fault == EWS_SIM_FAULT_SERVER_BUSY && fixture->backed_off)
    {
      g_assert_cmpint (fixture->backoff_ended, >, 0);
      g_assert_cmpint (fixture->backoff_ended - fixture->backoff_started, >=, (gint64)fault->param * 1000);
    }

  g_clear_pointer (&expected_changes, g_ptr_array_unref);
}

/* The server lost every subscription and stream (a restart of the CAS). */
static void
test_server_restart (Fixture      *fixture,
                     gconstpointer data)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  expected_changes = g_ptr_array_new_with_free_func (g_free);
  ewn_account_start (fixture->account);
  wait_until (fixture, is_streaming);

  ews_simulator_restart (fixture->simulator);
  a = create_meeting (fixture, "While the server restarted", 9);
  expect (fixture, "created", a);
  wait_until (fixture, has_expected);
  wait_until (fixture, is_streaming);
  b = create_meeting (fixture, "After", 10);
  expect (fixture, "created", b);
  assert_exact (fixture);
  g_clear_pointer (&expected_changes, g_ptr_array_unref);
}

/* The application is stopped, changes happen, it starts again from its saved state. */
static void
test_app_restart (Fixture      *fixture,
                  gconstpointer data)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  expected_changes = g_ptr_array_new_with_free_func (g_free);
  ewn_account_start (fixture->account);
  wait_until (fixture, is_streaming);
  a = create_meeting (fixture, "Seen live", 9);
  expect (fixture, "created", a);
  wait_until (fixture, has_expected);

  stop_account (fixture);
  g_assert_cmpuint (ews_simulator_get_n_subscriptions (fixture->simulator), ==, 0);
  b = create_meeting (fixture, "Made while the app was closed", 10);
  reschedule (fixture, a, "2026-11-25T15:00:00Z");

  new_account (fixture);
  ewn_account_start (fixture->account);
  expect (fixture, "created", b);
  expect (fixture, "rescheduled", a);
  assert_exact (fixture);
  g_clear_pointer (&expected_changes, g_ptr_array_unref);
}

static void
test_wrong_password (Fixture      *fixture,
                     gconstpointer data)
{
  ews_client_set_credentials (fixture->client, "alice", "wrong");
  ewn_account_start (fixture->account);
  while (fixture->credentials_needed == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (ewn_account_get_state (fixture->account), ==, EWN_ACCOUNT_STATE_AUTH_NEEDED);

  /* The right password, and the account carries on. */
  ews_client_set_credentials (fixture->client, "alice", ALICE_PASSWORD);
  ewn_account_reconnect (fixture->account);
  wait_until (fixture, is_streaming);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (fault_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/account/fault/%s", fault_cases[i].name);

      g_test_add (path, Fixture, &fault_cases[i], fixture_set_up, test_fault, fixture_tear_down);
    }
  g_test_add ("/account/server-restart", Fixture, NULL, fixture_set_up, test_server_restart, fixture_tear_down);
  g_test_add ("/account/app-restart", Fixture, NULL, fixture_set_up, test_app_restart, fixture_tear_down);
  g_test_add ("/account/wrong-password", Fixture, NULL, fixture_set_up, test_wrong_password, fixture_tear_down);

  return g_test_run ();
}
