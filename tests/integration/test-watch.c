/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

/* `ews-notifier --watch --json` as a script sees it: the real program against the EWS
 * simulator on loopback, its password on standard input, one JSON object per change
 * on standard output, states on standard error, Ctrl+C to leave. */

#include "config.h"

#include <json-glib/json-glib.h>
#include <signal.h>
#include <sys/prctl.h>
#include <string.h>

#include "ews-sim-colleague.h"
#include "ews-sim-kdc.h"
#include "ews-simulator.h"

#define ALICE_PASSWORD "s3cret-Pa55word"
#define ALICE          "alice@example.com"
#define BOB            "bob@example.com"

/* What a test's simulator is set up with. */
enum
{
  WITH_TLS = 1 << 0,
  WITH_KERBEROS = 1 << 1, /* Negotiate beside NTLM and Basic; alice has a Kerberos ticket */
};

/* The realm of the Kerberos tests. */
static EwsSimKdc *kdc;

typedef struct
{
  EwsSimulator     *simulator;
  EwsSimColleague  *colleague;
  GSubprocess      *process;
  GDataInputStream *out;
  GDataInputStream *err;
  GCancellable     *cancellable;
  GPtrArray        *lines;  /* standard output */
  GString          *errors; /* standard error */
  gboolean          out_closed;
  gboolean          err_closed;
  GAsyncResult     *result;
} Fixture;

typedef gboolean (*Condition) (Fixture *fixture);

static void
wait_until (Fixture  *fixture,
            Condition condition)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!condition (fixture))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out; standard error so far:\n%s", fixture->errors->str);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void read_next (Fixture          *fixture,
                       GDataInputStream *stream);

static void
on_line (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Fixture *fixture = user_data;
  g_autoptr (GError) error = NULL;
  char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_assert_no_error (error);

  if (line == NULL)
    {
      if (G_DATA_INPUT_STREAM (source) == fixture->out)
        fixture->out_closed = TRUE;
      else
        fixture->err_closed = TRUE;
      return;
    }

  if (G_DATA_INPUT_STREAM (source) == fixture->out)
    g_ptr_array_add (fixture->lines, line);
  else
    {
      g_test_message ("stderr: %s", line);
      g_string_append_printf (fixture->errors, "%s\n", line);
      g_free (line);
    }
  read_next (fixture, G_DATA_INPUT_STREAM (source));
}

static void
read_next (Fixture          *fixture,
           GDataInputStream *stream)
{
  g_data_input_stream_read_line_async (stream, G_PRIORITY_DEFAULT, fixture->cancellable, on_line, fixture);
}

static gboolean
both_closed (Fixture *fixture)
{
  return fixture->out_closed && fixture->err_closed;
}

static gboolean
says_streaming (Fixture *fixture)
{
  return strstr (fixture->errors->str, "[streaming]") != NULL;
}

/* A test that fails leaves no program behind. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* Starts `ews-notifier --watch --json ARGS…` with @password on standard input. */
static void
start_watch (Fixture    *fixture,
             const char *password,
             ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *input = g_strdup_printf ("%s\n", password);
  GOutputStream   *in;
  const char      *arg;
  va_list          args;

  g_assert_null (fixture->process);
  g_ptr_array_add (argv, (char *)g_getenv ("EWS_NOTIFIER"));
  g_ptr_array_add (argv, "--watch");
  g_ptr_array_add (argv, "--json");
  va_start (args, password);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *)arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  /* The program keeps its state where this test's isolated folders are. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "HOME", g_get_home_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_STATE_HOME", g_get_user_state_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  fixture->process = g_subprocess_launcher_spawnv (launcher, (const char *const *)argv->pdata, &error);
  g_assert_no_error (error);
  in = g_subprocess_get_stdin_pipe (fixture->process);
  g_assert_true (g_output_stream_write_all (in, input, strlen (input), NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (in, NULL, &error));
  memset (input, 0, strlen (input));

  fixture->out_closed = fixture->err_closed = FALSE;
  fixture->cancellable = g_cancellable_new ();
  fixture->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fixture->process));
  fixture->err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (fixture->process));
  read_next (fixture, fixture->out);
  read_next (fixture, fixture->err);
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

static gboolean
has_result (Fixture *fixture)
{
  return fixture->result != NULL;
}

/* Waits for the program to end by itself (or after a signal); returns its status. */
static int
wait_exit (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;
  int status;

  wait_until (fixture, both_closed);
  g_subprocess_wait_async (fixture->process, NULL, store_result, fixture);
  wait_until (fixture, has_result);
  g_assert_true (g_subprocess_wait_finish (fixture->process, fixture->result, &error));
  g_assert_no_error (error);
  g_clear_object (&fixture->result);
  g_assert_true (g_subprocess_get_if_exited (fixture->process));
  status = g_subprocess_get_exit_status (fixture->process);

  /* Whatever happened, the password was never written anywhere. */
  g_assert_null (strstr (fixture->errors->str, ALICE_PASSWORD));
  for (guint i = 0; i < fixture->lines->len; i++)
    g_assert_null (strstr (g_ptr_array_index (fixture->lines, i), ALICE_PASSWORD));

  g_clear_object (&fixture->out);
  g_clear_object (&fixture->err);
  g_clear_object (&fixture->cancellable);
  g_clear_object (&fixture->process);
  return status;
}

static int
interrupt (Fixture *fixture,
           int      signal_number)
{
  g_subprocess_send_signal (fixture->process, signal_number);
  return wait_exit (fixture);
}

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint    flags = GPOINTER_TO_UINT (data);
  gboolean tls = (flags & WITH_TLS) != 0;

  fixture->simulator = ews_simulator_new_in_thread ();
  if (flags & WITH_KERBEROS)
    {
      ews_simulator_set_kerberos (fixture->simulator, ews_sim_kdc_get_service_keytab (kdc), &error);
      g_assert_no_error (error);
      ews_sim_kdc_kinit (kdc, "alice", &error);
      g_assert_no_error (error);
    }
  ews_simulator_add_user (fixture->simulator, "alice", ALICE_PASSWORD);
  ews_simulator_add_user (fixture->simulator, "bob", "bob's password");
  ews_simulator_set_keepalive_interval (fixture->simulator, 100);
  ews_simulator_set_minute_ms (fixture->simulator, 500);
  g_assert_true (ews_simulator_listen (fixture->simulator, 0, tls, &error));
  g_assert_no_error (error);
  fixture->colleague = ews_sim_colleague_new (ews_simulator_get_url (fixture->simulator), "bob", "bob's password");
  fixture->lines = g_ptr_array_new_with_free_func (g_free);
  fixture->errors = g_string_new (NULL);
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  if (fixture->process != NULL)
    {
      g_subprocess_force_exit (fixture->process);
      g_cancellable_cancel (fixture->cancellable);
      g_clear_object (&fixture->out);
      g_clear_object (&fixture->err);
      g_clear_object (&fixture->cancellable);
      g_clear_object (&fixture->process);
    }
  g_clear_object (&fixture->colleague);
  g_clear_object (&fixture->simulator);
  g_ptr_array_unref (fixture->lines);
  g_string_free (fixture->errors, TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static char *
create_meeting_in (Fixture    *fixture,
                   const char *mailbox,
                   const char *subject,
                   int         hour)
{
  g_autoptr (GDateTime) start = g_date_time_new_utc (2026, 11, 26, hour, 0, 0);
  g_autoptr (GDateTime) end = g_date_time_add_hours (start, 1);
  g_autoptr (GError) error = NULL;
  char *id = ews_sim_colleague_create_meeting (fixture->colleague, mailbox, subject, start, end, "Room 1", &error);

  g_assert_no_error (error);
  return id;
}

static char *
create_task_in (Fixture    *fixture,
                const char *mailbox,
                const char *subject)
{
  g_autoptr (GDateTime) due = g_date_time_new_utc (2026, 11, 28, 0, 0, 0);
  g_autoptr (GError) error = NULL;
  char *id = ews_sim_colleague_create_task (fixture->colleague, mailbox, subject, due, &error);

  g_assert_no_error (error);
  return id;
}

static void
update (Fixture    *fixture,
        const char *item_id,
        const char *field_uri,
        const char *value)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (ews_sim_colleague_update (fixture->colleague, item_id, field_uri, value, &error));
  g_assert_no_error (error);
}

static guint lines_wanted;

static gboolean
has_lines (Fixture *fixture)
{
  return fixture->lines->len >= lines_wanted;
}

/* Waits for output line @index and parses it. */
static JsonObject *
record (Fixture *fixture,
        guint    index)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonNode *root;

  lines_wanted = index + 1;
  wait_until (fixture, has_lines);
  g_assert_true (json_parser_load_from_data (parser, g_ptr_array_index (fixture->lines, index), -1, &error));
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return json_object_ref (json_node_get_object (root));
}

static void
assert_record (JsonObject *object,
               const char *kind,
               const char *mailbox,
               const char *folder,
               const char *item_id,
               const char *subject)
{
  g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==, kind);
  g_assert_cmpstr (json_object_get_string_member (object, "account"), !=, NULL);
  g_assert_cmpstr (json_object_get_string_member (object, "mailbox"), ==, mailbox);
  g_assert_cmpstr (json_object_get_string_member (object, "folder"), ==, folder);
  g_assert_cmpstr (json_object_get_string_member (object, "item_id"), ==, item_id);
  g_assert_cmpstr (json_object_get_string_member (object, "subject"), ==, subject);
  g_assert_cmpstr (json_object_get_string_member (object, "changed_by"), ==, "Bob");
  g_assert_true (g_str_has_suffix (json_object_get_string_member (object, "time"), "Z"));
}

static void
test_watch (Fixture      *fixture,
            gconstpointer data)
{
  const char      *url = ews_simulator_get_url (fixture->simulator);
  const char      *subject = "Budget <review> & \"Q3\" — 10 % ✓";
  g_autofree char *existing = create_meeting_in (fixture, ALICE, "Existing", 8);
  g_autofree char *meeting = NULL;
  g_autofree char *task = NULL;
  g_autoptr (JsonObject) object = NULL;
  JsonObject *side;

  start_watch (fixture, ALICE_PASSWORD, "--server", url, "--user", ALICE, "--password-stdin",
               "--mailbox", BOB, NULL);
  wait_until (fixture, says_streaming);
  /* The first sync only fills the store. */
  g_assert_cmpuint (fixture->lines->len, ==, 0);

  meeting = create_meeting_in (fixture, ALICE, subject, 9);
  object = record (fixture, 0);
  assert_record (object, "created", ALICE, "calendar", meeting, subject);
  side = json_object_get_object_member (object, "after");
  g_assert_cmpstr (json_object_get_string_member (side, "start"), ==, "2026-11-26T09:00:00Z");
  g_assert_cmpstr (json_object_get_string_member (side, "location"), ==, "Room 1");
  g_clear_pointer (&object, json_object_unref);

  update (fixture, meeting, "calendar:Start", "2026-11-26T11:00:00Z");
  object = record (fixture, 1);
  assert_record (object, "rescheduled", ALICE, "calendar", meeting, subject);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "before"), "start"), ==, "2026-11-26T09:00:00Z");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "after"), "start"), ==, "2026-11-26T11:00:00Z");
  g_clear_pointer (&object, json_object_unref);

  /* A task in the shared mailbox, on the same connection. */
  task = create_task_in (fixture, BOB, "Q3 report");
  object = record (fixture, 2);
  assert_record (object, "task-created", BOB, "tasks", task, "Q3 report");
  g_clear_pointer (&object, json_object_unref);
  update (fixture, task, "task:Status", "Completed");
  object = record (fixture, 3);
  assert_record (object, "task-completed", BOB, "tasks", task, "Q3 report");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "after"), "status"), ==, "Completed");
  g_clear_pointer (&object, json_object_unref);

  /* Ctrl+C: a clean exit that frees the subscriptions and keeps the state. */
  g_assert_cmpint (interrupt (fixture, SIGINT), ==, 0);
  g_assert_cmpuint (ews_simulator_get_n_subscriptions (fixture->simulator), ==, 0);
  g_assert_cmpuint (fixture->lines->len, ==, 4);

  /* While it is not running, Bob reschedules; the next run reports that once, and
   * nothing it reported before. */
  update (fixture, existing, "calendar:Start", "2026-11-26T07:00:00Z");
  g_string_truncate (fixture->errors, 0);
  start_watch (fixture, ALICE_PASSWORD, "--server", url, "--user", ALICE, "--password-stdin",
               "--mailbox", BOB, NULL);
  object = record (fixture, 4);
  assert_record (object, "rescheduled", ALICE, "calendar", existing, "Existing");
  g_clear_pointer (&object, json_object_unref);
  wait_until (fixture, says_streaming);
  g_assert_cmpint (interrupt (fixture, SIGTERM), ==, 0);
  g_assert_cmpuint (fixture->lines->len, ==, 5);
}

static void
test_wrong_password (Fixture      *fixture,
                     gconstpointer data)
{
  start_watch (fixture, "not the password", "--server", ews_simulator_get_url (fixture->simulator),
               "--user", ALICE, "--password-stdin", NULL);
  g_assert_cmpint (wait_exit (fixture), ==, 1);
  g_assert_nonnull (strstr (fixture->errors->str, "[auth-needed: "));
  g_assert_null (strstr (fixture->errors->str, "not the password"));
  g_assert_cmpuint (fixture->lines->len, ==, 0);
}

static void
test_usage (Fixture      *fixture,
            gconstpointer data)
{
  start_watch (fixture, "", "--user", ALICE, NULL);
  g_assert_cmpint (wait_exit (fixture), ==, 2);
  g_assert_nonnull (strstr (fixture->errors->str, "--server"));

  g_string_truncate (fixture->errors, 0);
  start_watch (fixture, "", "--server", ews_simulator_get_url (fixture->simulator), "--user", ALICE,
               "--password-stdin", NULL);
  g_assert_cmpint (wait_exit (fixture), ==, 2);
  g_assert_nonnull (strstr (fixture->errors->str, "password"));

  /* A password and a Kerberos ticket are one too many. */
  g_string_truncate (fixture->errors, 0);
  start_watch (fixture, ALICE_PASSWORD, "--server", ews_simulator_get_url (fixture->simulator), "--user", ALICE,
               "--password-stdin", "--kerberos", NULL);
  g_assert_cmpint (wait_exit (fixture), ==, 2);
  g_assert_nonnull (strstr (fixture->errors->str, "--kerberos"));

  /* Without --server it watches the accounts set up in Preferences: here there are none. */
  g_string_truncate (fixture->errors, 0);
  start_watch (fixture, "", NULL);
  g_assert_cmpint (wait_exit (fixture), ==, 2);
  g_assert_nonnull (strstr (fixture->errors->str, "No account is set up"));
}

static gboolean
says_untrusted (Fixture *fixture)
{
  return strstr (fixture->errors->str, "[error: ") != NULL && strstr (fixture->errors->str, "SHA-256") != NULL;
}

/* A server with a private CA: refused with the fingerprint to check, accepted with
 * --ca-file. */
static void
test_private_ca (Fixture      *fixture,
                 gconstpointer data)
{
  const char *url = ews_simulator_get_url (fixture->simulator);

  g_assert_true (g_str_has_prefix (url, "https://"));
  start_watch (fixture, ALICE_PASSWORD, "--server", url, "--user", ALICE, "--password-stdin", NULL);
  wait_until (fixture, says_untrusted);
  g_assert_cmpint (interrupt (fixture, SIGINT), ==, 0);

  g_string_truncate (fixture->errors, 0);
  start_watch (fixture, ALICE_PASSWORD, "--server", url, "--user", ALICE, "--password-stdin",
               "--ca-file", ews_simulator_get_certificate_file (fixture->simulator), NULL);
  wait_until (fixture, says_streaming);
  g_assert_cmpint (interrupt (fixture, SIGINT), ==, 0);
}

static gboolean
says_kerberos_refused (Fixture *fixture)
{
  return strstr (fixture->errors->str, "[auth-needed: ") != NULL && strstr (fixture->errors->str, "Kerberos") != NULL
         && strstr (fixture->errors->str, "kinit") != NULL;
}

static gboolean
says_streaming_again (Fixture *fixture)
{
  const char *refused = strstr (fixture->errors->str, "[auth-needed: ");

  return refused != NULL && strstr (refused, "[streaming]") != NULL;
}

/* --kerberos: signed in with the session's ticket, no password anywhere. When the
 * ticket goes (expired, kdestroy) and the connection has to be made again, the
 * program says what to do and keeps trying on its own, without ever sending a
 * password; once there is a ticket again it catches up, missing nothing. */
static void
test_kerberos (Fixture      *fixture,
               gconstpointer data)
{
  const char      *url = ews_simulator_get_url (fixture->simulator);
  g_autofree char *meeting = NULL;
  g_autoptr (JsonObject) object = NULL;
  g_autoptr (GError) error = NULL;

  start_watch (fixture, "", "--server", url, "--user", ALICE, "--kerberos", "--ca-file",
               ews_simulator_get_certificate_file (fixture->simulator), NULL);
  wait_until (fixture, says_streaming);
  g_assert_cmpuint (ews_simulator_get_kerberos_sign_ins (fixture->simulator), >=, 2);

  meeting = create_meeting_in (fixture, ALICE, "Kerberos review", 9);
  object = record (fixture, 0);
  assert_record (object, "created", ALICE, "calendar", meeting, "Kerberos review");
  g_clear_pointer (&object, json_object_unref);

  /* The ticket is gone, and the stream has to be opened again. */
  ews_sim_kdc_kdestroy (kdc, &error);
  g_assert_no_error (error);
  ews_simulator_inject_fault (fixture->simulator, EWS_SIM_FAULT_DROP_STREAM, 0);
  wait_until (fixture, says_kerberos_refused);
  update (fixture, meeting, "calendar:Start", "2026-11-26T11:00:00Z");

  ews_sim_kdc_kinit (kdc, "alice", &error);
  g_assert_no_error (error);
  wait_until (fixture, says_streaming_again);
  object = record (fixture, 1);
  assert_record (object, "rescheduled", ALICE, "calendar", meeting, "Kerberos review");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "after"), "start"), ==, "2026-11-26T11:00:00Z");

  g_assert_cmpint (interrupt (fixture, SIGINT), ==, 0);
  g_assert_cmpuint (fixture->lines->len, ==, 2);
  g_assert_cmpuint (ews_simulator_get_ntlm_sign_ins (fixture->simulator), ==, 0);
  g_assert_cmpuint (ews_simulator_get_refused_sign_ins (fixture->simulator), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  const char *const kdc_users[] = { "alice", NULL };
  g_autoptr (GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  /* Before any thread starts: it points this process's Kerberos, and the program's,
   * at the test realm. */
  kdc = ews_sim_kdc_start (kdc_users, &error);
  g_assert_no_error (error);

  g_test_add ("/watch/json", Fixture, GUINT_TO_POINTER (0), fixture_set_up, test_watch, fixture_tear_down);
  g_test_add ("/watch/wrong-password", Fixture, GUINT_TO_POINTER (0), fixture_set_up, test_wrong_password, fixture_tear_down);
  g_test_add ("/watch/usage", Fixture, GUINT_TO_POINTER (0), fixture_set_up, test_usage, fixture_tear_down);
  g_test_add ("/watch/private-ca", Fixture, GUINT_TO_POINTER (WITH_TLS), fixture_set_up, test_private_ca, fixture_tear_down);
  g_test_add ("/watch/kerberos", Fixture, GUINT_TO_POINTER (WITH_TLS | WITH_KERBEROS), fixture_set_up, test_kerberos, fixture_tear_down);

  status = g_test_run ();
  ews_sim_kdc_stop (kdc);
  return status;
}
