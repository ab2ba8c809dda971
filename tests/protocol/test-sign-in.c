/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

/* Signing in against the EWS simulator: the sign-in check with every way it can
 * fail, certificates refused and pinned, and Autodiscover finding the simulator. */

#include "config.h"

#include <libsoup/soup.h>
#include <locale.h>
#include <string.h>

#include "ews-autodiscover.h"
#include "ews-client.h"
#include "ews-error.h"
#include "ews-simulator.h"
#include "net-test-util.h"

#define SIM_PASSWORD "correct horse battery staple"

typedef struct
{
  EwsSimulator *simulator;
  GAsyncResult *result;
} SimFixture;

static void
sim_store_result (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  SimFixture *f = user_data;

  g_assert_null (f->result);
  f->result = g_object_ref (result);
}

static GAsyncResult *
sim_wait (SimFixture *f)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  g_clear_object (&f->result);
  while (f->result == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  return f->result;
}

static gboolean
check (SimFixture *f,
       const char *url,
       const char *user,
       const char *password,
       const char *pin,
       char      **server_version,
       GError    **error)
{
  g_autoptr (EwsClient) client = ews_client_new (url);

  ews_client_set_credentials (client, user, password);
  if (pin != NULL)
    ews_client_set_pinned_certificate (client, pin);
  ews_client_check_async (client, NULL, sim_store_result, f);
  return ews_client_check_finish (client, sim_wait (f), server_version, error);
}

static void
sim_fixture_set_up (SimFixture   *f,
                    gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->simulator = ews_simulator_new ();
  ews_simulator_add_user (f->simulator, "alice", SIM_PASSWORD);
  g_assert_true (ews_simulator_listen (f->simulator, 0, GPOINTER_TO_INT (data), &error));
  g_assert_no_error (error);
  test_log_capture_reset ();
}

static void
sim_fixture_tear_down (SimFixture   *f,
                       gconstpointer data)
{
  g_assert_nonnull (strstr (test_log_captured (), "Sign-in check: "));
  g_assert_null (strstr (test_log_captured (), SIM_PASSWORD));
  g_clear_object (&f->result);
  g_clear_object (&f->simulator);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
html_callback (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  static const char page[] = "<!DOCTYPE html><html><body>Outlook on the web</body></html>";

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC, page, strlen (page));
}

static void
test_check (SimFixture   *f,
            gconstpointer data)
{
  const char *url = ews_simulator_get_url (f->simulator);
  g_autoptr (GError) error = NULL;
  g_autofree char *version = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *refused = NULL;
  g_autofree char *html_url = NULL;
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  g_autoptr (TestResolver) resolver = test_resolver_new ();
  SoupServer *html = soup_server_new (NULL, NULL);
  GSList     *uris;

  g_assert_true (check (f, url, "alice", SIM_PASSWORD, NULL, &version, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (version, ==, "15.1.2507.6");

  g_assert_false (check (f, url, "alice", "not the password", NULL, NULL, &error));
  g_assert_error (error, EWS_ERROR, EWS_ERROR_AUTH);
  g_assert_nonnull (strstr (error->message, "rejected the password or user name"));
  g_clear_error (&error);

  /* A path where the server offers nothing, and a web page. */
  missing = g_strdup_printf ("http://127.0.0.1:%d/nothing/Exchange.asmx", g_uri_get_port (uri));
  g_assert_false (check (f, missing, "alice", SIM_PASSWORD, NULL, NULL, &error));
  g_assert_error (error, EWS_ERROR, EWS_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "does not offer EWS at this address"));
  g_clear_error (&error);

  soup_server_add_handler (html, NULL, html_callback, NULL, NULL);
  soup_server_listen_local (html, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (html);
  html_url = g_strdup_printf ("http://127.0.0.1:%d/EWS/Exchange.asmx", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
  g_assert_false (check (f, html_url, "alice", SIM_PASSWORD, NULL, NULL, &error));
  g_assert_error (error, EWS_ERROR, EWS_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  soup_server_disconnect (html);
  g_object_unref (html);

  /* Nobody listening, and a name that does not resolve. */
  refused = g_strdup_printf ("http://127.0.0.2:%d/EWS/Exchange.asmx", g_uri_get_port (uri));
  g_assert_false (check (f, refused, "alice", SIM_PASSWORD, NULL, NULL, &error));
  g_assert_error (error, EWS_ERROR, EWS_ERROR_UNREACHABLE);
  g_assert_true (g_str_has_prefix (error->message, "The server could not be reached ("));
  g_clear_error (&error);

  g_resolver_set_default (G_RESOLVER (resolver));
  g_assert_false (check (f, "https://nowhere.example.test/EWS/Exchange.asmx", "alice", SIM_PASSWORD, NULL, NULL, &error));
  g_assert_error (error, EWS_ERROR, EWS_ERROR_UNREACHABLE);
  g_assert_nonnull (strstr (error->message, "nowhere.example.test"));
}

static void
test_check_tls (SimFixture   *f,
                gconstpointer data)
{
  const char *url = ews_simulator_get_url (f->simulator);
  g_autoptr (EwsSimulator) other = ews_simulator_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char     *fingerprint = NULL;
  g_autofree char     *expected = ews_client_certificate_fingerprint (ews_simulator_get_certificate (f->simulator));
  GTlsCertificate     *peer;
  GTlsCertificateFlags flags = 0;

  g_assert_true (g_str_has_prefix (url, "https://"));
  g_assert_false (check (f, url, "alice", SIM_PASSWORD, NULL, NULL, &error));
  g_assert_error (error, EWS_ERROR, EWS_ERROR_TLS);
  peer = ews_error_get_peer_certificate (error, &flags);
  g_assert_true (g_tls_certificate_is_same (peer, ews_simulator_get_certificate (f->simulator)));
  g_assert_true (flags & G_TLS_CERTIFICATE_UNKNOWN_CA);
  fingerprint = ews_client_certificate_fingerprint (peer);
  g_assert_cmpstr (fingerprint, ==, expected);
  g_clear_error (&error);

  g_assert_true (check (f, url, "alice", SIM_PASSWORD, fingerprint, NULL, &error));
  g_assert_no_error (error);

  /* Another server (another certificate) with the same pin is refused again. */
  ews_simulator_add_user (other, "alice", SIM_PASSWORD);
  g_assert_true (ews_simulator_listen (other, 0, TRUE, &error));
  g_assert_no_error (error);
  g_assert_false (check (f, ews_simulator_get_url (other), "alice", SIM_PASSWORD, fingerprint, NULL, &error));
  g_assert_error (error, EWS_ERROR, EWS_ERROR_TLS);
  g_assert_true (g_tls_certificate_is_same (ews_error_get_peer_certificate (error, NULL), ews_simulator_get_certificate (other)));
}

/* Autodiscover finds the simulator's EWS URL, and the sign-in check accepts it. */
static void
test_discover_and_check (SimFixture   *f,
                         gconstpointer data)
{
  g_autoptr (TestResolver) resolver = test_resolver_new ();
  g_autoptr (EwsAutodiscover) autodiscover = ews_autodiscover_new ();
  g_autoptr (EwsAutodiscoverSettings) settings = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GUri) uri = g_uri_parse (ews_simulator_get_url (f->simulator), G_URI_FLAGS_NONE, NULL);
  g_autofree char *pin = ews_client_certificate_fingerprint (ews_simulator_get_certificate (f->simulator));
  g_autofree char *version = NULL;

  test_resolver_add_host (resolver, "example.com", "127.0.0.1");
  g_resolver_set_default (G_RESOLVER (resolver));
  ews_autodiscover_set_resolver (autodiscover, G_RESOLVER (resolver));
  ews_autodiscover_set_ports (autodiscover, (guint16)g_uri_get_port (uri), 1);
  ews_autodiscover_set_credentials (autodiscover, "alice", SIM_PASSWORD);
  ews_autodiscover_set_pinned_certificate (autodiscover, pin);

  ews_autodiscover_run_async (autodiscover, "alice@example.com", NULL, sim_store_result, f);
  settings = ews_autodiscover_run_finish (autodiscover, sim_wait (f), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (settings->ews_url, ==, ews_simulator_get_url (f->simulator));
  g_assert_cmpstr (settings->display_name, ==, "Alice");
  g_assert_cmpstr (settings->grouping_information, ==, "SimulatorSite");

  g_assert_true (check (f, settings->ews_url, "alice", SIM_PASSWORD, pin, &version, &error));
  g_assert_no_error (error);
  g_assert_nonnull (version);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_unsetenv ("EWS_AUTODISCOVER_PORTS");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  test_log_capture_start ();

  g_test_add ("/sign-in/check", SimFixture, GINT_TO_POINTER (FALSE), sim_fixture_set_up, test_check, sim_fixture_tear_down);
  g_test_add ("/sign-in/check-tls", SimFixture, GINT_TO_POINTER (TRUE), sim_fixture_set_up, test_check_tls,
              sim_fixture_tear_down);
  g_test_add ("/sign-in/discover-and-check", SimFixture, GINT_TO_POINTER (TRUE), sim_fixture_set_up,
              test_discover_and_check, sim_fixture_tear_down);

  return g_test_run ();
}
