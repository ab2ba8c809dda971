/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include "account-fixture.h"

void
wait_until (Fixture  *fixture,
            Condition condition)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!condition (fixture))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

gboolean
has_result (Fixture *fixture)
{
  return fixture->result != NULL;
}

gboolean
is_streaming (Fixture *fixture)
{
  return ewn_account_get_state (fixture->account) == EWN_ACCOUNT_STATE_STREAMING;
}

gboolean
request_made (Fixture *fixture)
{
  return fixture->requests > fixture->requests_seen;
}

gboolean
stream_reissued (Fixture *fixture)
{
  return fixture->stream_requests > fixture->stream_requests_seen;
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
  g_ptr_array_add (fixture->records, ewn_change_copy (change));
}

static void
on_state (EwnAccount *account,
          GParamSpec *pspec,
          Fixture    *fixture)
{
  EwnAccountState state = ewn_account_get_state (account);

  if (state == EWN_ACCOUNT_STATE_BACKING_OFF && fixture->backoff_started == 0)
    fixture->backoff_started = g_get_monotonic_time ();
  else if (state != EWN_ACCOUNT_STATE_BACKING_OFF && fixture->backoff_started != 0 && fixture->backoff_ended == 0)
    fixture->backoff_ended = g_get_monotonic_time ();
}

static void
on_credentials_needed (EwnAccount *account,
                       Fixture    *fixture)
{
  fixture->credentials_needed++;
}

char *
fixture_state_dir (void)
{
  return g_build_filename (g_get_user_state_dir (), "ews-notifier", "alice", NULL);
}

/* Intervals are short settings: no test waits for a real-world timeout. */
void
fixture_new_account (Fixture           *fixture,
                     const char *const *mailboxes)
{
  g_autofree char *state_dir = fixture_state_dir ();
  EwnAccountTiming timing = {
    .watchdog_ms = 600,
    .backoff_initial_ms = 50,
    .backoff_max_ms = 400,
    .connection_timeout_min = 1,
    .pull_interval_ms = 100,
    .pull_timeout_min = 10,
  };

  g_assert_null (fixture->account);
  if (mailboxes != NULL)
    {
      g_strfreev (fixture->mailboxes);
      fixture->mailboxes = g_strdupv ((char **)mailboxes);
    }
  fixture->account = ewn_account_new ("alice", fixture->client, state_dir, (const char *const *)fixture->mailboxes);
  ewn_account_set_address (fixture->account, ALICE);
  ewn_account_set_timing (fixture->account, &timing);
  ewn_account_set_watch_system (fixture->account, FALSE);
  g_signal_connect (fixture->account, "change", G_CALLBACK (on_change), fixture);
  g_signal_connect (fixture->account, "notify::state", G_CALLBACK (on_state), fixture);
  g_signal_connect (fixture->account, "credentials-needed", G_CALLBACK (on_credentials_needed), fixture);
}

void
fixture_stop_account (Fixture *fixture)
{
  ewn_account_stop_async (fixture->account, store_result, fixture);
  wait_until (fixture, has_result);
  g_assert_true (ewn_account_stop_finish (fixture->account, fixture->result, NULL));
  g_clear_object (&fixture->result);
  g_signal_handlers_disconnect_by_data (fixture->account, fixture);
  g_clear_object (&fixture->account);
}

void
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
  fixture->records = g_ptr_array_new_with_free_func ((GDestroyNotify)ewn_change_free);
  fixture->expected = g_ptr_array_new_with_free_func (g_free);
}

void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  if (fixture->account != NULL)
    fixture_stop_account (fixture);
  g_clear_object (&fixture->colleague);
  g_clear_object (&fixture->client);
  g_clear_object (&fixture->simulator);
  g_clear_pointer (&fixture->mailboxes, g_strfreev);
  g_ptr_array_unref (fixture->changes);
  g_ptr_array_unref (fixture->records);
  g_ptr_array_unref (fixture->expected);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

char *
create_meeting_in (Fixture    *fixture,
                   const char *mailbox,
                   const char *subject,
                   int         hour)
{
  g_autoptr (GDateTime) start = g_date_time_new_utc (2026, 11, 25, hour, 0, 0);
  g_autoptr (GDateTime) end = g_date_time_add_hours (start, 1);
  g_autoptr (GError) error = NULL;
  char *id = ews_sim_colleague_create_meeting (fixture->colleague, mailbox, subject, start, end, "Room 1", &error);

  g_assert_no_error (error);
  return id;
}

char *
create_meeting (Fixture    *fixture,
                const char *subject,
                int         hour)
{
  return create_meeting_in (fixture, ALICE, subject, hour);
}

void
update_item (Fixture    *fixture,
             const char *item_id,
             const char *field_uri,
             const char *value)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (ews_sim_colleague_update (fixture->colleague, item_id, field_uri, value, &error));
  g_assert_no_error (error);
}

void
reschedule (Fixture    *fixture,
            const char *item_id,
            const char *start)
{
  update_item (fixture, item_id, "calendar:Start", start);
}

/* Returns: (transfer full): the item's new id */
char *
move_item (Fixture    *fixture,
           const char *item_id,
           const char *folder,
           const char *mailbox)
{
  g_autoptr (GError) error = NULL;
  char *new_id = ews_sim_colleague_move (fixture->colleague, item_id, folder, mailbox, &error);

  g_assert_no_error (error);
  return new_id;
}

void
expect (Fixture    *fixture,
        const char *kind,
        const char *item_id)
{
  g_ptr_array_add (fixture->expected, g_strdup_printf ("%s %s", kind, item_id));
}

gboolean
has_expected (Fixture *fixture)
{
  for (guint i = 0; i < fixture->expected->len; i++)
    if (!g_ptr_array_find_with_equal_func (fixture->changes, g_ptr_array_index (fixture->expected, i), g_str_equal, NULL))
      return FALSE;
  return TRUE;
}

static gboolean
settled (gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Exactly the expected records, each once: once they are all there, a short while more
 * gives a late duplicate the chance to show. */
void
assert_exact (Fixture *fixture)
{
  gboolean done = FALSE;

  wait_until (fixture, has_expected);
  g_timeout_add (200, settled, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  for (guint i = 0; i < fixture->changes->len; i++)
    g_test_message ("change: %s", (char *)g_ptr_array_index (fixture->changes, i));
  g_assert_cmpuint (fixture->changes->len, ==, fixture->expected->len);
}

const EwnChange *
find_record (Fixture    *fixture,
             const char *kind,
             const char *item_id)
{
  for (guint i = 0; i < fixture->records->len; i++)
    {
      const EwnChange *change = g_ptr_array_index (fixture->records, i);

      if (g_str_equal (ewn_change_kind_to_string (change->kind), kind) && g_str_equal (ewn_change_get_item (change)->id, item_id))
        return change;
    }
  return NULL;
}

/* A new account, started and streaming, that has announced a first meeting made by
 * the colleague: returns the meeting's id. */
char *
start_and_see_meeting (Fixture    *fixture,
                       const char *subject,
                       int         hour)
{
  char *id;

  fixture_new_account (fixture, NULL);
  ewn_account_start (fixture->account);
  wait_until (fixture, is_streaming);
  id = create_meeting (fixture, subject, hour);
  expect (fixture, "created", id);
  wait_until (fixture, has_expected);
  return id;
}
