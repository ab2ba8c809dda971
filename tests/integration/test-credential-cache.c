/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

/* A Kerberos credential cache that does not answer — a hung KCM or sssd daemon, a
 * cache on a network share — against the EWS simulator: sign-ins with Automatic
 * wait for it a bounded time, in a thread, and the main loop never stops.
 *
 * The cache is a FIFO: GSSAPI's open() of it blocks until the test opens the other
 * end, which then makes it answer at once (a cache it cannot read: no ticket). */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ews-autodiscover.h"
#include "ews-client.h"
#include "ews-error.h"
#include "ews-simulator.h"
#include "net-test-util.h"

#define PASSWORD "correct horse battery staple"

static char *fifo_path;

/* Under valgrind everything is about ten times slower: EWS_TEST_TIME_SCALE stretches
 * the waits, and what the main loop may take between two ticks. */
static guint time_scale = 1;
#define MS(ms) ((ms)*time_scale)

typedef struct
{
  EwsSimulator *simulator;
  EwsClient    *client;
  GAsyncResult *result;
} Fixture;

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Fixture *fixture = user_data;

  g_assert_null (fixture->result);
  fixture->result = g_object_ref (result);
}

static GAsyncResult *
wait_result (Fixture *fixture)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (fixture->result == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  return fixture->result;
}

/* The threads that are asking the credential cache. */
static guint
count_looking_threads (void)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *name;
  guint       n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/task", name, "comm", NULL);
      g_autofree char *comm = NULL;

      if (g_file_get_contents (path, &comm, NULL, NULL) && g_str_has_prefix (comm, "ews-kerberos"))
        n++;
    }
  return n;
}

/* Opens the writing end, if a reader waits, and closes it: the reader reads an
 * empty cache. Returns whether one waited. */
static gboolean
release_cache (void)
{
  int fd = open (fifo_path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);

  if (fd < 0)
    {
      g_assert_cmpint (errno, ==, ENXIO);
      return FALSE;
    }
  close (fd);
  return TRUE;
}

/* Releases the cache every 100 ms, counting the looks it released. */
static gboolean
release_cb (gpointer user_data)
{
  guint *released = user_data;

  if (release_cache ())
    (*released)++;
  return G_SOURCE_CONTINUE;
}

/* Until the look that holds the cache open has answered. */
static void
release_until_answered (void)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (count_looking_threads () > 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      release_cache ();
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->simulator = ews_simulator_new ();
  /* Windows authentication without Negotiate: Automatic signs in with NTLM. */
  ews_simulator_set_ntlm (fixture->simulator, TRUE);
  ews_simulator_add_user (fixture->simulator, "alice", PASSWORD);
  g_assert_true (ews_simulator_listen (fixture->simulator, 0, FALSE, &error));
  g_assert_no_error (error);

  fixture->client = ews_client_new (ews_simulator_get_url (fixture->simulator));
  ews_client_set_credentials (fixture->client, "alice", PASSWORD);
  ews_client_set_auth_mechanism (fixture->client, EWS_AUTH_AUTOMATIC);
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  release_until_answered ();
  g_clear_object (&fixture->result);
  g_clear_object (&fixture->client);
  g_clear_object (&fixture->simulator);
}

/* The calendar folder of @client, as an account's first request asks for it:
 * GetFolder, which connects. */
static GPtrArray *
get_calendar (Fixture      *fixture,
              EwsClient    *client,
              GCancellable *cancellable,
              GError      **error)
{
  g_autoptr (GPtrArray) refs = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_folder_ref_free);
  GPtrArray *folders;

  g_ptr_array_add (refs, ews_folder_ref_new_distinguished ("calendar", NULL));
  ews_client_get_folders_async (client, refs, cancellable, store_result, fixture);
  folders = ews_client_get_folders_finish (client, wait_result (fixture), error);
  g_clear_object (&fixture->result);
  return folders;
}

/* The cache never answers: the request waits for it as long as the client's
 * Kerberos wait, with the main loop running, then signs in with NTLM. */
static void
test_hung (Fixture      *fixture,
           gconstpointer data)
{
  g_autoptr (GPtrArray) folders = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TestLoopWatch) loop = test_loop_watch_start ();
  gint64 begin = g_get_monotonic_time ();
  gint64 max_gap_us;
  double waited_ms;

  ews_client_set_kerberos_wait (fixture->client, MS (300));
  g_test_expect_message ("ews-client", G_LOG_LEVEL_MESSAGE, "Kerberos (the credential cache, or the KDC) has not answered within *");
  folders = get_calendar (fixture, fixture->client, NULL, &error);
  waited_ms = (g_get_monotonic_time () - begin) / 1000.0;
  max_gap_us = test_loop_watch_get_max_gap_us (loop);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_cmpuint (folders->len, ==, 1);
  g_test_message ("signed in after %.0f ms; the main loop stood for %.0f ms at the most", waited_ms, max_gap_us / 1000.0);
  g_assert_cmpfloat (waited_ms, >=, MS (300));
  /* The loop ran on while the cache hung: a look on it would have stood 300 ms. */
  g_assert_cmpint (max_gap_us, <, MS (150) * 1000);
  g_assert_cmpuint (ews_simulator_get_ntlm_sign_ins (fixture->simulator), ==, 1);
  g_assert_cmpuint (ews_simulator_get_refused_sign_ins (fixture->simulator), ==, 0);
  /* The look still hangs in its one thread. */
  g_assert_cmpuint (count_looking_threads (), ==, 1);
}

/* Further sign-ins, of this client and of another, while the cache still hangs:
 * once the look has kept one waiting too long, they go on without Kerberos at once
 * instead of each waiting again, and no further thread asks the cache. */
static void
test_hung_shared (Fixture      *fixture,
                  gconstpointer data)
{
  g_autoptr (EwsClient) other = ews_client_new (ews_simulator_get_url (fixture->simulator));
  g_autoptr (GPtrArray) folders = NULL;
  g_autoptr (GError) error = NULL;

  ews_client_set_credentials (other, "alice", PASSWORD);
  ews_client_set_auth_mechanism (other, EWS_AUTH_AUTOMATIC);
  ews_client_set_kerberos_wait (fixture->client, MS (100));
  g_test_expect_message ("ews-client", G_LOG_LEVEL_MESSAGE, "Kerberos (the credential cache, or the KDC) has not answered*");
  folders = get_calendar (fixture, fixture->client, NULL, &error);
  g_assert_no_error (error);
  g_test_assert_expected_messages ();

  /* Each would wait 3 s (the default) for a look of its own. */
  ews_client_set_kerberos_wait (fixture->client, MS (3000));
  for (guint round = 0; round < 3; round++)
    {
      EwsClient *clients[] = { fixture->client, other };

      for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
        {
          g_autoptr (GPtrArray) more = NULL;
          gint64 begin = g_get_monotonic_time ();

          /* GetFolder connects: it never goes on an earlier look. */
          more = get_calendar (fixture, clients[i], NULL, &error);
          g_assert_no_error (error);
          g_assert_cmpint (g_get_monotonic_time () - begin, <, MS (2000) * 1000);
          g_assert_cmpuint (count_looking_threads (), ==, 1);
        }
    }
  g_assert_cmpuint (ews_simulator_get_refused_sign_ins (fixture->simulator), ==, 0);
}

/* The cache answers late but within the wait: the request goes as soon as it has.
 * The sign-in check (the account editor's Sign In) connects: it asks again even
 * right after a look, and waits for the answer the same way. */
static void
test_slow (Fixture      *fixture,
           gconstpointer data)
{
  g_autoptr (GPtrArray) folders = NULL;
  g_autoptr (GError) error = NULL;
  guint  released = 0;
  guint  release;
  gint64 begin;
  double waited_ms;

  ews_client_set_kerberos_wait (fixture->client, MS (10000));
  release = g_timeout_add (MS (100), release_cb, &released);
  begin = g_get_monotonic_time ();
  folders = get_calendar (fixture, fixture->client, NULL, &error);
  waited_ms = (g_get_monotonic_time () - begin) / 1000.0;
  g_assert_no_error (error);
  g_assert_cmpuint (folders->len, ==, 1);
  g_test_message ("signed in after %.0f ms", waited_ms);
  g_assert_cmpuint (released, >=, 1);
  g_assert_cmpfloat (waited_ms, >=, MS (100));
  g_assert_cmpfloat (waited_ms, <, MS (5000));
  g_clear_handle_id (&release, g_source_remove);

  released = 0;
  release = g_timeout_add (MS (100), release_cb, &released);
  begin = g_get_monotonic_time ();
  ews_client_check_async (fixture->client, NULL, store_result, fixture);
  g_assert_true (ews_client_check_finish (fixture->client, wait_result (fixture), NULL, &error));
  g_assert_no_error (error);
  waited_ms = (g_get_monotonic_time () - begin) / 1000.0;
  g_test_message ("checked after %.0f ms", waited_ms);
  g_assert_cmpuint (released, >=, 1);
  g_assert_cmpfloat (waited_ms, >=, MS (100));
  g_assert_cmpuint (ews_simulator_get_refused_sign_ins (fixture->simulator), ==, 0);
  g_clear_handle_id (&release, g_source_remove);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

/* A request cancelled while it waits for the cache ends at once, not when the
 * wait runs out; the cache hangs on. */
static void
test_cancelled (Fixture      *fixture,
                gconstpointer data)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GPtrArray) folders = NULL;
  g_autoptr (GError) error = NULL;
  gint64 begin = g_get_monotonic_time ();

  ews_client_set_kerberos_wait (fixture->client, MS (10000));
  g_timeout_add (MS (50), cancel_cb, cancellable);
  folders = get_calendar (fixture, fixture->client, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (folders);
  g_test_message ("cancelled after %.0f ms", (g_get_monotonic_time () - begin) / 1000.0);
  g_assert_cmpint (g_get_monotonic_time () - begin, <, MS (2000) * 1000);
  g_assert_cmpuint (count_looking_threads (), ==, 1);
  g_assert_cmpuint (ews_simulator_get_ntlm_sign_ins (fixture->simulator), ==, 0);
}

/* Autodiscover (the account editor's first step) with Automatic settles whether
 * to offer Kerberos before its first request, without stopping the main loop. The
 * simulator serves from a thread of its own: its TLS work stays off this loop. */
static void
test_autodiscover (Fixture      *fixture,
                   gconstpointer data)
{
  g_autoptr (EwsSimulator) simulator = ews_simulator_new_in_thread ();
  g_autoptr (TestResolver) resolver = test_resolver_new ();
  g_autoptr (EwsAutodiscover) autodiscover = ews_autodiscover_new ();
  g_autoptr (EwsAutodiscoverSettings) settings = NULL;
  g_autoptr (GUri) uri = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *pin = NULL;
  g_autoptr (TestLoopWatch) loop = NULL;
  guint  released = 0;
  guint  release;
  gint64 begin, max_gap_us;

  /* Autodiscover sends credentials over https only. */
  ews_simulator_add_user (simulator, "alice", PASSWORD);
  g_assert_true (ews_simulator_listen (simulator, 0, TRUE, &error));
  g_assert_no_error (error);
  uri = g_uri_parse (ews_simulator_get_url (simulator), G_URI_FLAGS_NONE, NULL);
  pin = ews_client_certificate_fingerprint (ews_simulator_get_certificate (simulator));
  test_resolver_add_host (resolver, "example.com", "127.0.0.1");
  g_resolver_set_default (G_RESOLVER (resolver));
  ews_autodiscover_set_resolver (autodiscover, G_RESOLVER (resolver));
  ews_autodiscover_set_ports (autodiscover, (guint16)g_uri_get_port (uri), 1);
  ews_autodiscover_set_credentials (autodiscover, "alice", PASSWORD);
  ews_autodiscover_set_auth_mechanism (autodiscover, EWS_AUTH_AUTOMATIC);
  ews_autodiscover_set_kerberos_wait (autodiscover, MS (10000));
  /* Loading the TLS backend takes its time on the loop, under valgrind seconds. */
  g_assert_nonnull (g_tls_backend_get_default ());
  ews_autodiscover_set_pinned_certificate (autodiscover, pin);

  loop = test_loop_watch_start ();
  release = g_timeout_add (MS (1000), release_cb, &released);
  begin = g_get_monotonic_time ();
  ews_autodiscover_run_async (autodiscover, "alice@example.com", NULL, store_result, fixture);
  settings = ews_autodiscover_run_finish (autodiscover, wait_result (fixture), &error);
  max_gap_us = test_loop_watch_get_max_gap_us (loop);
  g_assert_no_error (error);
  g_assert_cmpstr (settings->ews_url, ==, ews_simulator_get_url (simulator));
  g_test_message ("discovered after %.0f ms; the main loop stood for %.0f ms at the most",
                  (g_get_monotonic_time () - begin) / 1000.0, max_gap_us / 1000.0);
  /* It waited for the look, which waited for the cache. */
  g_assert_cmpuint (released, >=, 1);
  g_assert_cmpint (g_get_monotonic_time () - begin, >=, MS (1000) * 1000);
  /* A look on the loop would have stood until the cache was released. */
  g_assert_cmpint (max_gap_us, <, MS (800) * 1000);
  g_clear_handle_id (&release, g_source_remove);
}

/* Autodiscover cancelled while it waits for the cache ends at once too. */
static void
test_autodiscover_cancelled (Fixture      *fixture,
                             gconstpointer data)
{
  g_autoptr (EwsAutodiscover) autodiscover = ews_autodiscover_new ();
  g_autoptr (EwsAutodiscoverSettings) settings = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  gint64 begin = g_get_monotonic_time ();

  ews_autodiscover_set_credentials (autodiscover, "alice", PASSWORD);
  ews_autodiscover_set_auth_mechanism (autodiscover, EWS_AUTH_AUTOMATIC);
  ews_autodiscover_set_kerberos_wait (autodiscover, MS (10000));
  g_timeout_add (MS (50), cancel_cb, cancellable);
  ews_autodiscover_run_async (autodiscover, "alice@example.com", cancellable, store_result, fixture);
  settings = ews_autodiscover_run_finish (autodiscover, wait_result (fixture), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (settings);
  g_test_message ("cancelled after %.0f ms", (g_get_monotonic_time () - begin) / 1000.0);
  g_assert_cmpint (g_get_monotonic_time () - begin, <, MS (2000) * 1000);
  g_assert_cmpuint (count_looking_threads (), ==, 1);
}

/* Basic never asks the cache: a hung one cannot delay it at all. */
static void
test_basic_does_not_ask (Fixture      *fixture,
                         gconstpointer data)
{
  g_autoptr (GPtrArray) folders = NULL;
  g_autoptr (GError) error = NULL;

  release_until_answered ();
  ews_client_set_auth_mechanism (fixture->client, EWS_AUTH_BASIC);
  ews_client_set_kerberos_wait (fixture->client, MS (10000));
  folders = get_calendar (fixture, fixture->client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_looking_threads (), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = NULL;
  g_autofree char *config = NULL;
  g_autofree char *ccache = NULL;
  int              status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  if (g_getenv ("EWS_TEST_TIME_SCALE") != NULL)
    time_scale = CLAMP (g_ascii_strtoull (g_getenv ("EWS_TEST_TIME_SCALE"), NULL, 10), 1, 100);

  /* Before any thread starts: this process's Kerberos reads an empty configuration
   * and a cache that never answers. */
  dir = g_dir_make_tmp ("ewn-ccache-XXXXXX", NULL);
  g_assert_nonnull (dir);
  fifo_path = g_build_filename (dir, "ccache", NULL);
  g_assert_cmpint (mkfifo (fifo_path, 0600), ==, 0);
  config = g_build_filename (dir, "krb5.conf", NULL);
  g_assert_true (g_file_set_contents (config, "", 0, NULL));
  ccache = g_strconcat ("FILE:", fifo_path, NULL);
  g_setenv ("KRB5_CONFIG", config, TRUE);
  g_setenv ("KRB5CCNAME", ccache, TRUE);

  g_test_add ("/credential-cache/hung", Fixture, NULL, fixture_set_up, test_hung, fixture_tear_down);
  g_test_add ("/credential-cache/hung-shared", Fixture, NULL, fixture_set_up, test_hung_shared, fixture_tear_down);
  g_test_add ("/credential-cache/slow", Fixture, NULL, fixture_set_up, test_slow, fixture_tear_down);
  g_test_add ("/credential-cache/cancelled", Fixture, NULL, fixture_set_up, test_cancelled, fixture_tear_down);
  g_test_add ("/credential-cache/autodiscover", Fixture, NULL, fixture_set_up, test_autodiscover, fixture_tear_down);
  g_test_add ("/credential-cache/autodiscover-cancelled", Fixture, NULL, fixture_set_up, test_autodiscover_cancelled,
              fixture_tear_down);
  g_test_add ("/credential-cache/basic-does-not-ask", Fixture, NULL, fixture_set_up, test_basic_does_not_ask,
              fixture_tear_down);

  status = g_test_run ();
  g_unlink (fifo_path);
  g_unlink (config);
  g_rmdir (dir);
  g_free (fifo_path);
  return status;
}
