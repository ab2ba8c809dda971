/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

/* EwnAccount against the EWS simulator over real HTTP on loopback: a table of faults,
 * each with changes made before, during and after it; the change records must be
 * exactly the changes made — nothing lost, nothing twice. Intervals are short
 * settings, never real-world timeouts. */

#include "config.h"

#include <string.h>

#include "account-fixture.h"

static gboolean
credentials_were_needed (Fixture *fixture)
{
  return fixture->credentials_needed > 0;
}

static gboolean
engine_idle (Fixture *fixture)
{
  return ewn_account_get_state (fixture->account) == EWN_ACCOUNT_STATE_STREAMING;
}

static gboolean
one_subscription (Fixture *fixture)
{
  return ews_simulator_get_n_subscriptions (fixture->simulator) == 1;
}

static gboolean
is_polling (Fixture *fixture)
{
  return ewn_account_get_pull (fixture->account) && ewn_account_get_state (fixture->account) == EWN_ACCOUNT_STATE_STREAMING;
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

/* Field by field: the record says from when to when. */
static void
assert_rescheduled (Fixture    *fixture,
                    const char *item_id,
                    int         old_hour,
                    int         new_hour)
{
  const EwnChange *change = find_record (fixture, "rescheduled", item_id);

  g_assert_nonnull (change);
  g_assert_cmpint (ews_sim_utc_hour (change->before->start), ==, old_hour);
  g_assert_cmpint (ews_sim_utc_hour (change->after->start), ==, new_hour);
  g_assert_cmpstr (change->after->last_modified_name, !=, NULL);
  g_assert_cmpstr (change->mailbox, ==, ALICE);
  g_assert_cmpint (change->folder_kind, ==, EWS_FOLDER_KIND_CALENDAR);
}

static void
test_fault (Fixture      *fixture,
            gconstpointer data)
{
  const FaultCase *fault = data;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;

  /* An item that exists before the account starts is only stored, never announced. */
  g_free (create_meeting (fixture, "Existing", 8));
  fixture_new_account (fixture, NULL);
  ewn_account_start (fixture->account);
  wait_until (fixture, is_streaming);

  a = create_meeting (fixture, "Before the fault", 9);
  expect (fixture, "created", a);
  wait_until (fixture, has_expected);

  /* Request faults apply to the next request: inject one right after the stream was
   * reissued, when nothing else is in flight, so that it meets the next reissue. */
  wait_until (fixture, is_streaming);
  fixture->stream_requests_seen = fixture->stream_requests;
  wait_until (fixture, stream_reissued);
  fixture->requests_seen = fixture->requests;
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
  assert_rescheduled (fixture, a, 9, 11);

  if (fault->fault == EWS_SIM_FAULT_SERVER_BUSY && fixture->backoff_started != 0)
    {
      g_assert_cmpint (fixture->backoff_ended, >, 0);
      g_assert_cmpint (fixture->backoff_ended - fixture->backoff_started, >=, (gint64)fault->param * 1000);
    }
}

/* The server lost every subscription and stream (a restart of the CAS). */
static void
test_server_restart (Fixture      *fixture,
                     gconstpointer data)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  fixture_new_account (fixture, NULL);
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
}

/* The application is stopped, changes happen, it starts again from its saved state. */
static void
test_app_restart (Fixture      *fixture,
                  gconstpointer data)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  a = start_and_see_meeting (fixture, "Seen live", 9);

  fixture_stop_account (fixture);
  g_assert_cmpuint (ews_simulator_get_n_subscriptions (fixture->simulator), ==, 0);
  b = create_meeting (fixture, "Made while the app was closed", 10);
  reschedule (fixture, a, "2026-11-25T15:00:00Z");

  fixture_new_account (fixture, NULL);
  ewn_account_start (fixture->account);
  expect (fixture, "created", b);
  expect (fixture, "rescheduled", a);
  assert_exact (fixture);
}

static void
test_wrong_password (Fixture      *fixture,
                     gconstpointer data)
{
  ews_client_set_credentials (fixture->client, "alice", "wrong");
  fixture_new_account (fixture, NULL);
  ewn_account_start (fixture->account);
  wait_until (fixture, credentials_were_needed);
  g_assert_cmpint (ewn_account_get_state (fixture->account), ==, EWN_ACCOUNT_STATE_AUTH_NEEDED);

  /* The right password, and the account carries on. */
  ews_client_set_credentials (fixture->client, "alice", ALICE_PASSWORD);
  ewn_account_reconnect (fixture->account);
  wait_until (fixture, is_streaming);
}

/* The server answers 401 in the middle of a healthy session (a password changed, a
 * token revoked): the account asks for credentials, and once it has them nothing
 * made in between is missing. */
static void
test_unauthorized_mid_stream (Fixture      *fixture,
                              gconstpointer data)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;

  a = start_and_see_meeting (fixture, "Before", 9);

  /* The password changes on the server: the next reissue of the stream is refused. */
  ews_simulator_add_user (fixture->simulator, "alice", "changed password");
  wait_until (fixture, credentials_were_needed);
  g_assert_cmpint (ewn_account_get_state (fixture->account), ==, EWN_ACCOUNT_STATE_AUTH_NEEDED);
  g_assert_nonnull (ewn_account_get_state_reason (fixture->account));

  b = create_meeting (fixture, "While signed out", 10);
  reschedule (fixture, a, "2026-11-25T11:00:00Z");
  expect (fixture, "created", b);
  expect (fixture, "rescheduled", a);
  /* Nothing reaches the user while the account waits for its password. */
  g_assert_cmpuint (fixture->changes->len, ==, 1);

  ews_client_set_credentials (fixture->client, "alice", "changed password");
  ewn_account_reconnect (fixture->account);
  wait_until (fixture, has_expected);
  wait_until (fixture, is_streaming);
  c = create_meeting (fixture, "After", 12);
  expect (fixture, "created", c);
  assert_exact (fixture);
  assert_rescheduled (fixture, a, 9, 11);
}

/* A damaged state file: a quiet full resync — no crash, no flood of "new" items — and
 * the damaged file kept aside for a bug report. */
static void
test_corrupt_state (Fixture      *fixture,
                    gconstpointer data)
{
  g_autofree char *state_dir = fixture_state_dir ();
  g_autoptr (GDir) dir = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  const char      *name;
  guint            damaged = 0;
  guint            kept_aside = 0;

  a = start_and_see_meeting (fixture, "Known", 9);
  fixture_stop_account (fixture);

  /* Every file of the state gets garbage in its middle. */
  dir = g_dir_open (state_dir, 0, NULL);
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (state_dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize            length;

      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      if (length < 4)
        continue;
      memset (contents + length / 2 - 2, 0xa5, 4);
      g_assert_true (g_file_set_contents (path, contents, length, NULL));
      damaged++;
    }
  g_assert_cmpuint (damaged, >, 0);

  g_free (create_meeting (fixture, "Made while the state was damaged", 10));
  fixture_new_account (fixture, NULL);
  ewn_account_start (fixture->account);
  wait_until (fixture, is_streaming);
  wait_until (fixture, engine_idle);

  /* The resync only refilled the store; changes from now on are announced. */
  reschedule (fixture, a, "2026-11-25T15:00:00Z");
  expect (fixture, "rescheduled", a);
  b = create_meeting (fixture, "After", 12);
  expect (fixture, "created", b);
  assert_exact (fixture);
  assert_rescheduled (fixture, a, 9, 15);

  g_dir_rewind (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".corrupt"))
      kept_aside++;
  g_assert_cmpuint (kept_aside, >, 0);
}

/* A server without streaming: the account polls with GetEvents, into the same engine,
 * and every fault still ends in a catch-up. */
static void
test_pull_fallback (Fixture      *fixture,
                    gconstpointer data)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;

  ews_simulator_set_streaming (fixture->simulator, FALSE);
  g_free (create_meeting (fixture, "Existing", 8));
  fixture_new_account (fixture, NULL);
  ewn_account_start (fixture->account);
  wait_until (fixture, is_polling);
  g_assert_true (ewn_account_get_pull (fixture->account));
  g_assert_cmpuint (fixture->stream_requests, ==, 0);

  a = create_meeting (fixture, "Polled", 9);
  expect (fixture, "created", a);
  wait_until (fixture, has_expected);

  ews_simulator_inject_fault (fixture->simulator, EWS_SIM_FAULT_MISSED_EVENTS, 0);
  b = create_meeting (fixture, "Around missed events", 10);
  expect (fixture, "created", b);
  wait_until (fixture, has_expected);

  ews_simulator_inject_fault (fixture->simulator, EWS_SIM_FAULT_FORGET_SUBSCRIPTIONS, 0);
  reschedule (fixture, a, "2026-11-25T13:00:00Z");
  expect (fixture, "rescheduled", a);
  wait_until (fixture, has_expected);

  c = create_meeting (fixture, "After", 12);
  expect (fixture, "created", c);
  assert_exact (fixture);
  assert_rescheduled (fixture, a, 9, 13);
  g_assert_cmpuint (fixture->stream_requests, ==, 0);
}

/* The application is killed: no Unsubscribe, no final save. On the next start the
 * subscription it left on the server is removed, and the catch-up finds what was made
 * in between — each change once. */
static void
test_app_killed (Fixture      *fixture,
                 gconstpointer data)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  a = start_and_see_meeting (fixture, "Seen live", 9);

  /* Gone without a word, as after SIGKILL (what was committed stays on disk). */
  g_signal_handlers_disconnect_by_data (fixture->account, fixture);
  g_clear_object (&fixture->account);
  g_assert_cmpuint (ews_simulator_get_n_subscriptions (fixture->simulator), ==, 1);

  b = create_meeting (fixture, "Made while the app was dead", 10);
  reschedule (fixture, a, "2026-11-25T15:00:00Z");

  fixture_new_account (fixture, NULL);
  ewn_account_start (fixture->account);
  expect (fixture, "created", b);
  expect (fixture, "rescheduled", a);
  wait_until (fixture, has_expected);
  wait_until (fixture, one_subscription);
  assert_exact (fixture);
  assert_rescheduled (fixture, a, 9, 15);
}

/* The server ends every stream after ConnectionTimeout with ConnectionStatus Closed;
 * the account reissues GetStreamingEvents at once, and changes made around each
 * reissue arrive once. */
static void
test_closed_at_connection_timeout (Fixture      *fixture,
                                   gconstpointer data)
{
  fixture_new_account (fixture, NULL);
  ewn_account_start (fixture->account);
  wait_until (fixture, is_streaming);

  for (int i = 0; i < 4; i++)
    {
      g_autofree char *id = NULL;

      fixture->stream_requests_seen = fixture->stream_requests;
      wait_until (fixture, stream_reissued);
      id = create_meeting (fixture, "Around a reissue", 9 + i);
      expect (fixture, "created", id);
      wait_until (fixture, has_expected);
    }
  assert_exact (fixture);
  /* Reissued with the same subscription: never resubscribed. */
  g_assert_cmpuint (ews_simulator_get_n_subscriptions (fixture->simulator), ==, 1);
  g_assert_cmpuint (fixture->stream_requests, >=, 4);
}

static gboolean
has_warning (Fixture *fixture)
{
  return ewn_account_get_warning (fixture->account) != NULL;
}

/* The state cannot be written at all (a file where its folder should be, as on a full
 * or read-only disk): the account carries on from memory, every change still
 * announced once, and says why. */
static void
test_unwritable_state (Fixture      *fixture,
                       gconstpointer data)
{
  g_autofree char *state_dir = fixture_state_dir ();
  g_autofree char *parent = g_path_get_dirname (state_dir);
  g_autoptr (GError) error = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  g_assert_true (g_file_set_contents (state_dir, "not a folder", -1, &error));
  g_assert_no_error (error);

  g_free (create_meeting (fixture, "Existing", 8));
  a = start_and_see_meeting (fixture, "Announced all the same", 9);
  g_assert_true (has_warning (fixture));
  g_assert_nonnull (strstr (ewn_account_get_warning (fixture->account), "restart"));

  reschedule (fixture, a, "2026-11-25T10:00:00Z");
  expect (fixture, "rescheduled", a);
  b = create_meeting (fixture, "And this", 11);
  expect (fixture, "created", b);
  assert_exact (fixture);
  assert_rescheduled (fixture, a, 9, 10);
}

typedef struct
{
  Fixture *fixture;
  guint    retries;
  gint64   last_retry;
  gint64   longest_wait;
} Outage;

static void
on_outage_state (EwnAccount *account,
                 GParamSpec *pspec,
                 Outage     *outage)
{
  gint64 now = g_get_monotonic_time ();

  if (ewn_account_get_state (account) != EWN_ACCOUNT_STATE_BACKING_OFF)
    return;
  if (outage->last_retry != 0)
    outage->longest_wait = MAX (outage->longest_wait, now - outage->last_retry);
  outage->last_retry = now;
  outage->retries++;
}

static Outage *current_outage;

static gboolean
retried_often (Fixture *fixture)
{
  return current_outage->retries >= 5;
}

/* A long outage (the server answers 503 to twenty requests in a row): the waits grow
 * to the slow retry and stay there — the account never gives up — and once the server
 * is back every change made meanwhile arrives once. */
static void
test_long_outage (Fixture      *fixture,
                  gconstpointer data)
{
  Outage           outage = { fixture, 0, 0, 0 };
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  fixture_new_account (fixture, NULL);
  g_signal_connect (fixture->account, "notify::state", G_CALLBACK (on_outage_state), &outage);
  ewn_account_start (fixture->account);
  wait_until (fixture, is_streaming);

  for (guint i = 0; i < 20; i++)
    ews_simulator_inject_fault (fixture->simulator, EWS_SIM_FAULT_HTTP_503, 0);
  ews_simulator_inject_fault (fixture->simulator, EWS_SIM_FAULT_DROP_STREAM, 0);
  /* The colleague's own requests would take some of the 503s: wait for the outage. */
  current_outage = &outage;
  wait_until (fixture, retried_often);
  wait_until (fixture, is_streaming);
  a = create_meeting (fixture, "After the outage", 9);
  expect (fixture, "created", a);
  b = create_meeting (fixture, "And another", 10);
  expect (fixture, "created", b);
  assert_exact (fixture);

  g_test_message ("%u retries, longest wait %" G_GINT64_FORMAT " ms", outage.retries, outage.longest_wait / 1000);
  g_assert_cmpuint (outage.retries, >=, 5);
  /* At most the slow retry (400 ms) plus its jitter, and a request's own time. */
  g_assert_cmpint (outage.longest_wait, <, 1500 * 1000);
  g_signal_handlers_disconnect_by_data (fixture->account, &outage);
}

/* NTLM sign-in (NTLMv2) on both of the account's connections, the requests' and the
 * stream's: changes arrive as with Basic, and the connection a dropped stream is
 * reopened on signs in again. */
static void
test_ntlm (Fixture      *fixture,
           gconstpointer data)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  guint            sign_ins;

  ews_simulator_set_ntlm (fixture->simulator, TRUE);
  ews_client_set_auth_mechanism (fixture->client, EWS_AUTH_NTLM);
  a = start_and_see_meeting (fixture, "Signed in with NTLM", 9);
  reschedule (fixture, a, "2026-11-25T10:00:00Z");
  expect (fixture, "rescheduled", a);
  wait_until (fixture, has_expected);
  sign_ins = ews_simulator_get_ntlm_sign_ins (fixture->simulator);
  g_assert_cmpuint (sign_ins, >=, 2);

  ews_simulator_inject_fault (fixture->simulator, EWS_SIM_FAULT_DROP_STREAM, 0);
  b = create_meeting (fixture, "After the drop", 11);
  expect (fixture, "created", b);
  assert_exact (fixture);
  assert_rescheduled (fixture, a, 9, 10);
  g_assert_cmpuint (ews_simulator_get_ntlm_sign_ins (fixture->simulator), >, sign_ins);
}

/* A password NTLM cannot send (characters beyond ISO-8859-1): the account says so
 * and what to choose instead, and the domain sees no failed sign-in. */
static void
test_ntlm_password_beyond_latin1 (Fixture      *fixture,
                                  gconstpointer data)
{
  const char *reason;

  ews_simulator_set_ntlm (fixture->simulator, TRUE);
  ews_simulator_add_user (fixture->simulator, "alice", "Пароль-42");
  ews_client_set_auth_mechanism (fixture->client, EWS_AUTH_NTLM);
  ews_client_set_credentials (fixture->client, "alice", "Пароль-42");
  fixture_new_account (fixture, NULL);
  ewn_account_start (fixture->account);
  wait_until (fixture, credentials_were_needed);
  g_assert_cmpint (ewn_account_get_state (fixture->account), ==, EWN_ACCOUNT_STATE_AUTH_NEEDED);
  reason = ewn_account_get_state_reason (fixture->account);
  g_test_message ("%s", reason);
  g_assert_nonnull (strstr (reason, "NTLM"));
  g_assert_nonnull (strstr (reason, "Kerberos"));
  g_assert_cmpuint (ews_simulator_get_refused_sign_ins (fixture->simulator), ==, 0);

  /* Basic, as the message suggests: the account signs in and streams. */
  ews_client_set_auth_mechanism (fixture->client, EWS_AUTH_BASIC);
  ewn_account_reconnect (fixture->account);
  wait_until (fixture, is_streaming);
  g_assert_cmpuint (ews_simulator_get_refused_sign_ins (fixture->simulator), ==, 0);
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
  g_test_add ("/account/app-killed", Fixture, NULL, fixture_set_up, test_app_killed, fixture_tear_down);
  g_test_add ("/account/closed-at-connection-timeout", Fixture, NULL, fixture_set_up, test_closed_at_connection_timeout, fixture_tear_down);
  g_test_add ("/account/unwritable-state", Fixture, NULL, fixture_set_up, test_unwritable_state, fixture_tear_down);
  g_test_add ("/account/long-outage", Fixture, NULL, fixture_set_up, test_long_outage, fixture_tear_down);
  g_test_add ("/account/wrong-password", Fixture, NULL, fixture_set_up, test_wrong_password, fixture_tear_down);
  g_test_add ("/account/unauthorized-mid-stream", Fixture, NULL, fixture_set_up, test_unauthorized_mid_stream, fixture_tear_down);
  g_test_add ("/account/corrupt-state", Fixture, NULL, fixture_set_up, test_corrupt_state, fixture_tear_down);
  g_test_add ("/account/pull-fallback", Fixture, NULL, fixture_set_up, test_pull_fallback, fixture_tear_down);
  g_test_add ("/account/ntlm", Fixture, NULL, fixture_set_up, test_ntlm, fixture_tear_down);
  g_test_add ("/account/ntlm-password-beyond-latin1", Fixture, NULL, fixture_set_up, test_ntlm_password_beyond_latin1,
              fixture_tear_down);

  return g_test_run ();
}
