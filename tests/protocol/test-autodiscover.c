/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

/* EwsAutodiscover over real HTTP(S) on loopback: SoupServers that answer per host
 * name with the POX fixtures, a resolver that maps the test domains to 127.0.0.1 and
 * answers SRV lookups, and certificates made with openssl. */

#include "config.h"

#include <libsoup/soup.h>
#include <locale.h>
#include <string.h>

#include "ews-autodiscover.h"
#include "ews-client.h"
#include "ews-error.h"
#include "net-test-util.h"

#define PASSWORD "Tr0ub4dor&3-autodiscover"
#define EMAIL    "alice@example.test"

/* The names the test certificates are valid for. */
static const char *const test_hosts[] = {
  "example.test",
  "autodiscover.example.test",
  "mail.example.test",
  "mx.example.test",
  "autodiscover-s.outlook.com",
  "tenant.mail.onmicrosoft.com",
  "autodiscover.tenant.mail.onmicrosoft.com",
  NULL,
};

/* The certificate every test server uses unless a test says otherwise; trusted
 * through ews_autodiscover_set_ca_file(). */
static TestCert *trusted_cert;

/* ---- Servers that answer per host ---- */

/* How "scheme://host" answers. */
typedef struct
{
  guint    status;   /* 200 unless set */
  char    *fixture;  /* POX fixture to answer with */
  char    *body;     /* or this body */
  char    *location; /* Location of a redirect */
  gboolean auth;     /* Basic auth with PASSWORD required */
  gboolean hang;     /* never answer */
  guint    hits;
  gboolean saw_authorization;
  char    *last_email;
  char    *last_user;
} Behaviour;

static void
behaviour_free (Behaviour *behaviour)
{
  g_free (behaviour->fixture);
  g_free (behaviour->body);
  g_free (behaviour->location);
  g_free (behaviour->last_email);
  g_free (behaviour->last_user);
  g_free (behaviour);
}

typedef struct
{
  TestResolver    *resolver;
  SoupServer      *https;
  SoupServer      *http;
  guint16          https_port;
  guint16          http_port;
  GHashTable      *behaviours; /* "scheme://host" → Behaviour */
  EwsAutodiscover *autodiscover;
  GAsyncResult    *result;
} Fixture;

static char *
load_fixture (const char *name)
{
  g_autofree char *path = g_build_filename (g_getenv ("EWS_FIXTURES_DIR"), name, NULL);
  g_autoptr (GError) error = NULL;
  char *data = NULL;

  g_file_get_contents (path, &data, NULL, &error);
  g_assert_no_error (error);
  return data;
}

/* The redirectUrl fixture points at port 443; the test server listens elsewhere. */
static char *
fixture_for_port (const char *name,
                  guint16     port)
{
  g_autofree char *data = load_fixture (name);
  g_autofree char *host = g_strdup_printf ("https://autodiscover-s.outlook.com:%u/", port);
  GString         *text = g_string_new (data);

  g_string_replace (text, "https://autodiscover-s.outlook.com/", host, 0);
  return g_string_free (text, FALSE);
}

static char *
element_text (const char *body,
              const char *name)
{
  g_autofree char *open = g_strdup_printf ("<%s>", name);
  g_autofree char *close = g_strdup_printf ("</%s>", name);
  const char      *start = body != NULL ? strstr (body, open) : NULL;
  const char      *end = start != NULL ? strstr (start, close) : NULL;

  if (end == NULL)
    return NULL;
  start += strlen (open);
  return g_strndup (start, end - start);
}

/* The user name of a Basic Authorization header carrying PASSWORD, or NULL. */
static char *
basic_user (const char *authorization)
{
  g_autofree guchar *decoded = NULL;
  g_autofree char   *text = NULL;
  gsize              length = 0;
  char              *colon;

  if (authorization == NULL || !g_str_has_prefix (authorization, "Basic "))
    return NULL;
  decoded = g_base64_decode (authorization + strlen ("Basic "), &length);
  text = g_strndup ((const char *)decoded, length);
  colon = strchr (text, ':');
  if (colon == NULL || !g_str_equal (colon + 1, PASSWORD))
    return NULL;
  *colon = '\0';
  return g_steal_pointer (&text);
}

static void
server_callback (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  Fixture            *f = user_data;
  GUri               *uri = soup_server_message_get_uri (msg);
  g_autofree char    *key = g_strdup_printf ("%s://%s", g_uri_get_scheme (uri), g_uri_get_host (uri));
  Behaviour          *b = g_hash_table_lookup (f->behaviours, key);
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response_headers = soup_server_message_get_response_headers (msg);
  const char         *authorization = soup_message_headers_get_one (request_headers, "Authorization");
  g_autoptr (GBytes) request = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autofree char *request_text = g_strndup (g_bytes_get_data (request, NULL), g_bytes_get_size (request));
  g_autofree char *user = NULL;
  char            *body;

  if (b == NULL)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  b->hits++;
  if (authorization != NULL)
    b->saw_authorization = TRUE;
  if (soup_server_message_get_method (msg) == SOUP_METHOD_POST)
    {
      g_free (b->last_email);
      b->last_email = element_text (request_text, "EMailAddress");
    }
  if (b->hang)
    {
      soup_server_message_pause (msg);
      return;
    }
  if (b->auth)
    {
      user = basic_user (authorization);
      if (user == NULL)
        {
          soup_message_headers_replace (response_headers, "WWW-Authenticate", "Basic realm=\"autodiscover\"");
          soup_server_message_set_status (msg, SOUP_STATUS_UNAUTHORIZED, NULL);
          return;
        }
      g_free (b->last_user);
      b->last_user = g_steal_pointer (&user);
    }
  if (b->location != NULL)
    soup_message_headers_replace (response_headers, "Location", b->location);
  soup_server_message_set_status (msg, b->status != 0 ? b->status : SOUP_STATUS_OK, NULL);

  if (b->fixture != NULL)
    body = fixture_for_port (b->fixture, f->https_port);
  else if (b->body != NULL)
    body = g_strdup (b->body);
  else
    body = g_strdup ("<html><body>Welcome to our web site</body></html>");
  soup_server_message_set_response (msg, b->fixture != NULL ? "text/xml; charset=utf-8" : "text/html",
                                    SOUP_MEMORY_TAKE, body, strlen (body));
}

static SoupServer *
server_new (Fixture         *f,
            GTlsCertificate *certificate,
            guint16         *port)
{
  SoupServer *server = soup_server_new ("tls-certificate", certificate, NULL);
  g_autoptr (GError) error = NULL;
  GSList *uris;

  soup_server_add_handler (server, NULL, server_callback, f, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY | (certificate != NULL ? SOUP_SERVER_LISTEN_HTTPS : 0), &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  *port = (guint16)g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
  return server;
}

static void
server_free (SoupServer *server)
{
  soup_server_disconnect (server);
  g_object_unref (server);
}

/* @key is "https://host" or "http://host"; the host then resolves to 127.0.0.1. */
static Behaviour *
serve (Fixture    *f,
       const char *key,
       const char *fixture)
{
  Behaviour *b = g_new0 (Behaviour, 1);
  g_autoptr (GUri) uri = g_uri_parse (key, G_URI_FLAGS_NONE, NULL);

  g_assert_nonnull (uri);
  b->fixture = g_strdup (fixture);
  b->auth = fixture != NULL;
  g_hash_table_replace (f->behaviours, g_strdup (key), b);
  test_resolver_add_host (f->resolver, g_uri_get_host (uri), "127.0.0.1");
  return b;
}

static char *
https_url (Fixture    *f,
           const char *host)
{
  return g_strdup_printf ("https://%s:%u/autodiscover/autodiscover.xml", host, f->https_port);
}

/* A fresh one also has a fresh session, which forgets the addresses it resolved. */
static void
fixture_new_autodiscover (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  g_clear_object (&f->autodiscover);
  f->autodiscover = ews_autodiscover_new ();
  ews_autodiscover_set_resolver (f->autodiscover, G_RESOLVER (f->resolver));
  ews_autodiscover_set_ports (f->autodiscover, f->https_port, f->http_port);
  g_assert_true (ews_autodiscover_set_ca_file (f->autodiscover, trusted_cert->cert_path, &error));
  g_assert_no_error (error);
  ews_autodiscover_set_credentials (f->autodiscover, NULL, PASSWORD);
}

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  f->resolver = test_resolver_new ();
  g_resolver_set_default (G_RESOLVER (f->resolver));
  f->behaviours = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)behaviour_free);
  f->https = server_new (f, trusted_cert->certificate, &f->https_port);
  f->http = server_new (f, NULL, &f->http_port);

  fixture_new_autodiscover (f);
  test_log_capture_reset ();
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  g_autofree char *encoded = NULL;

  /* Nothing the code under test logged may carry the password. */
  encoded = g_base64_encode ((const guchar *)EMAIL ":" PASSWORD, strlen (EMAIL ":" PASSWORD));
  g_assert_nonnull (strstr (test_log_captured (), "POST https://"));
  g_assert_null (strstr (test_log_captured (), PASSWORD));
  g_assert_null (strstr (test_log_captured (), encoded));

  g_clear_object (&f->result);
  g_clear_object (&f->autodiscover);
  g_clear_pointer (&f->https, server_free);
  g_clear_pointer (&f->http, server_free);
  g_hash_table_unref (f->behaviours);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&f->resolver);
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Fixture *f = user_data;

  g_assert_null (f->result);
  f->result = g_object_ref (result);
}

static GAsyncResult *
wait_result (Fixture *f)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (f->result == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  return f->result;
}

static EwsAutodiscoverSettings *
run (Fixture    *f,
     const char *email,
     GError    **error)
{
  EwsAutodiscoverSettings *settings;

  ews_autodiscover_run_async (f->autodiscover, email, NULL, store_result, f);
  settings = ews_autodiscover_run_finish (f->autodiscover, wait_result (f), error);
  g_clear_object (&f->result);
  for (const char *const *attempt = ews_autodiscover_get_attempts (f->autodiscover); *attempt != NULL; attempt++)
    g_test_message ("attempt: %s", *attempt);
  return settings;
}

static gboolean
attempts_mention (Fixture    *f,
                  const char *url,
                  const char *what)
{
  for (const char *const *attempt = ews_autodiscover_get_attempts (f->autodiscover); *attempt != NULL; attempt++)
    if (g_str_has_prefix (*attempt, url) && strstr (*attempt, what) != NULL)
      return TRUE;
  return FALSE;
}

/* ---- Autodiscover ---- */

static void
test_settings (Fixture      *f,
               gconstpointer data)
{
  Behaviour *domain = serve (f, "https://example.test", "autodiscover-pox-response-settings.xml");
  Behaviour *second = serve (f, "https://autodiscover.example.test", "autodiscover-pox-response-error.xml");
  g_autoptr (EwsAutodiscoverSettings) settings = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *url = https_url (f, "example.test");

  settings = run (f, EMAIL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (settings->ews_url, ==, "https://mail.contoso.com/EWS/Exchange.asmx");
  g_assert_cmpstr (settings->internal_ews_url, ==, "https://mail.internal.contoso.com/EWS/Exchange.asmx");
  g_assert_cmpstr (settings->display_name, ==, "First Last");
  g_assert_cmpstr (settings->grouping_information, ==, "ContosoSite1");
  g_assert_cmpstr (settings->smtp_address, ==, EMAIL);
  g_assert_cmpstr (settings->autodiscover_url, ==, url);

  /* Asked for the address, signed in as it (no user name was set). */
  g_assert_cmpstr (domain->last_email, ==, EMAIL);
  g_assert_cmpstr (domain->last_user, ==, EMAIL);
  g_assert_cmpuint (second->hits, ==, 0);
  g_assert_cmpuint (g_strv_length ((char **)ews_autodiscover_get_attempts (f->autodiscover)), ==, 1);

  /* An explicit user name is what is sent. */
  ews_autodiscover_set_credentials (f->autodiscover, "CONTOSO\\alice", PASSWORD);
  g_clear_pointer (&settings, ews_autodiscover_settings_free);
  settings = run (f, EMAIL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (domain->last_user, ==, "CONTOSO\\alice");
}

static void
test_second_candidate (Fixture      *f,
                       gconstpointer data)
{
  /* The domain itself: first not in DNS, then refusing connections, then a web site. */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (EwsAutodiscoverSettings) settings = NULL;
      g_autoptr (GError) error = NULL;
      g_autofree char *first = https_url (f, "example.test");
      g_autofree char *second = https_url (f, "autodiscover.example.test");
      const char      *expected[] = { "could not connect", "could not connect", "HTTP 404" };

      g_hash_table_remove_all (f->behaviours);
      test_resolver_remove_hosts (f->resolver);
      fixture_new_autodiscover (f);
      serve (f, "https://autodiscover.example.test", "autodiscover-pox-response-settings.xml");
      if (i == 1)
        test_resolver_add_host (f->resolver, "example.test", "127.0.0.2");
      else if (i == 2)
        serve (f, "https://example.test", NULL)->status = SOUP_STATUS_NOT_FOUND;

      settings = run (f, EMAIL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (settings->autodiscover_url, ==, second);
      g_assert_true (attempts_mention (f, first, expected[i]));
    }
}

static void
test_web_site_first (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr (EwsAutodiscoverSettings) settings = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *first = https_url (f, "example.test");
  Behaviour       *site = serve (f, "https://example.test", NULL);

  /* A web site answering 200 with HTML is not an Autodiscover service. */
  serve (f, "https://autodiscover.example.test", "autodiscover-pox-response-settings.xml");
  settings = run (f, EMAIL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (site->hits, ==, 1);
  g_assert_true (attempts_mention (f, first, "not an Autodiscover answer"));
}

static void
test_redirect_addr (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr (EwsAutodiscoverSettings) settings = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *url = https_url (f, "tenant.mail.onmicrosoft.com");
  Behaviour       *tenant;

  serve (f, "https://example.test", "autodiscover-pox-response-redirectaddr.xml");
  tenant = serve (f, "https://tenant.mail.onmicrosoft.com", "autodiscover-pox-response-settings.xml");

  settings = run (f, EMAIL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (settings->smtp_address, ==, "user@tenant.mail.onmicrosoft.com");
  g_assert_cmpstr (settings->autodiscover_url, ==, url);
  g_assert_cmpstr (settings->ews_url, ==, "https://mail.contoso.com/EWS/Exchange.asmx");
  /* The new address is asked for; the sign-in stays the user's. */
  g_assert_cmpstr (tenant->last_email, ==, "user@tenant.mail.onmicrosoft.com");
  g_assert_cmpstr (tenant->last_user, ==, EMAIL);
}

static void
test_redirect_url (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr (EwsAutodiscoverSettings) settings = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *url = g_strdup_printf ("https://autodiscover-s.outlook.com:%u/Autodiscover/Autodiscover.xml", f->https_port);
  Behaviour       *target;

  serve (f, "https://example.test", "autodiscover-pox-response-redirecturl.xml");
  target = serve (f, "https://autodiscover-s.outlook.com", "autodiscover-pox-response-settings.xml");

  settings = run (f, EMAIL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (settings->autodiscover_url, ==, url);
  g_assert_cmpstr (settings->smtp_address, ==, EMAIL);
  g_assert_cmpstr (target->last_email, ==, EMAIL);
}

static void
test_redirect_url_not_https (Fixture      *f,
                             gconstpointer data)
{
  g_autoptr (EwsAutodiscoverSettings) settings = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *first = https_url (f, "example.test");
  g_autofree char *body = load_fixture ("autodiscover-pox-response-redirecturl.xml");
  g_autofree char *plain = g_strdup_printf ("http://mail.example.test:%u/autodiscover/autodiscover.xml", f->http_port);
  GString         *text = g_string_new (body);
  Behaviour       *redirecting = serve (f, "https://example.test", NULL);
  Behaviour       *insecure = serve (f, "http://mail.example.test", "autodiscover-pox-response-settings.xml");

  g_string_replace (text, "https://autodiscover-s.outlook.com/Autodiscover/Autodiscover.xml", plain, 0);
  redirecting->body = g_string_free (text, FALSE);

  settings = run (f, EMAIL, &error);
  g_assert_null (settings);
  g_assert_error (error, EWS_ERROR, EWS_ERROR_NOT_SUPPORTED);
  g_assert_cmpuint (insecure->hits, ==, 0);
  g_assert_true (attempts_mention (f, first, "refused (not https)"));
}

static void
test_error_response (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr (EwsAutodiscoverSettings) settings = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *code = NULL;
  Behaviour       *next;

  serve (f, "https://example.test", "autodiscover-pox-response-error.xml");
  next = serve (f, "https://autodiscover.example.test", "autodiscover-pox-response-settings.xml");

  settings = run (f, EMAIL, &error);
  g_assert_null (settings);
  g_assert_nonnull (error);
  g_assert_true (error->domain == EWS_ERROR);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "Invalid Request"));
  g_assert_nonnull (strstr (error->message, "example.test"));
  code = ews_error_dup_response_code (error);
  g_assert_cmpstr (code, ==, "600");
  g_assert_cmpuint (next->hits, ==, 0);
}

static void
test_post_redirect (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr (EwsAutodiscoverSettings) settings = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *target = https_url (f, "mail.example.test");
  g_autofree char *plain = g_strdup_printf ("http://mail.example.test:%u/autodiscover/autodiscover.xml", f->http_port);
  Behaviour       *moved = serve (f, "https://example.test", NULL);
  Behaviour       *insecure = serve (f, "http://mail.example.test", "autodiscover-pox-response-settings.xml");

  serve (f, "https://mail.example.test", "autodiscover-pox-response-settings.xml");
  moved->status = SOUP_STATUS_MOVED_PERMANENTLY;
  moved->location = g_strdup (target);
  settings = run (f, EMAIL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (settings->autodiscover_url, ==, target);

  /* A redirect of the POST to plain http is not followed. */
  g_clear_pointer (&settings, ews_autodiscover_settings_free);
  moved->status = SOUP_STATUS_FOUND;
  g_free (moved->location);
  moved->location = g_strdup (plain);
  settings = run (f, EMAIL, &error);
  g_assert_null (settings);
  g_assert_error (error, EWS_ERROR, EWS_ERROR_NOT_SUPPORTED);
  g_assert_cmpuint (insecure->hits, ==, 0);
}

static void
test_http_redirect (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr (EwsAutodiscoverSettings) settings = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *target = https_url (f, "mail.example.test");
  Behaviour       *http = serve (f, "http://autodiscover.example.test", NULL);
  Behaviour       *mail = serve (f, "https://mail.example.test", "autodiscover-pox-response-settings.xml");

  http->status = SOUP_STATUS_FOUND;
  http->location = g_strdup (target);
  settings = run (f, EMAIL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (settings->autodiscover_url, ==, target);
  g_assert_cmpuint (http->hits, ==, 1);
  /* Credentials never go over http, and they do go to the https target. */
  g_assert_false (http->saw_authorization);
  g_assert_true (mail->saw_authorization);
  g_assert_cmpstr (mail->last_email, ==, EMAIL);
}

static void
test_http_redirect_refused (Fixture      *f,
                            gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char         *plain = g_strdup_printf ("http://mail.example.test:%u/autodiscover/autodiscover.xml", f->http_port);
  g_autofree char         *secure = https_url (f, "mail.example.test");
  g_autofree char         *http_url = g_strdup_printf ("http://autodiscover.example.test:%u/autodiscover/autodiscover.xml", f->http_port);
  Behaviour               *http = serve (f, "http://autodiscover.example.test", NULL);
  Behaviour               *insecure = serve (f, "http://mail.example.test", "autodiscover-pox-response-settings.xml");
  Behaviour               *mail = serve (f, "https://mail.example.test", "autodiscover-pox-response-settings.xml");
  EwsAutodiscoverSettings *settings;

  http->status = SOUP_STATUS_FOUND;
  http->location = g_strdup (plain);
  settings = run (f, EMAIL, &error);
  g_assert_null (settings);
  g_assert_error (error, EWS_ERROR, EWS_ERROR_NOT_SUPPORTED);
  g_assert_cmpuint (insecure->hits, ==, 0);
  g_assert_true (attempts_mention (f, http_url, "refused (not https)"));
  g_clear_error (&error);

  /* Only a 302 is followed from plain http. */
  http->status = SOUP_STATUS_MOVED_PERMANENTLY;
  g_free (http->location);
  http->location = g_strdup (secure);
  settings = run (f, EMAIL, &error);
  g_assert_null (settings);
  g_assert_error (error, EWS_ERROR, EWS_ERROR_NOT_SUPPORTED);
  g_assert_cmpuint (mail->hits, ==, 0);
  g_clear_error (&error);

  /* A plain-http server asking for a password gets none. */
  http->auth = TRUE;
  http->hits = 0;
  settings = run (f, EMAIL, &error);
  g_assert_null (settings);
  g_assert_error (error, EWS_ERROR, EWS_ERROR_NOT_SUPPORTED);
  g_assert_cmpuint (http->hits, ==, 1);
  g_assert_false (http->saw_authorization);
  g_assert_true (attempts_mention (f, http_url, "HTTP 401"));
}

static void
test_srv (Fixture      *f,
          gconstpointer data)
{
  g_autoptr (EwsAutodiscoverSettings) settings = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *url = https_url (f, "mx.example.test");
  const char      *rrname = "_autodiscover._tcp.example.test";

  serve (f, "https://mx.example.test", "autodiscover-pox-response-settings.xml");
  serve (f, "https://mail.example.test", "autodiscover-pox-response-error.xml");
  /* Another port, a lower preference, a lower weight: all passed over. */
  test_resolver_add_srv (f->resolver, rrname, "mail.example.test", f->https_port + 1, 0, 0);
  test_resolver_add_srv (f->resolver, rrname, "mail.example.test", f->https_port, 20, 100);
  test_resolver_add_srv (f->resolver, rrname, "mx.example.test.", f->https_port, 10, 50);
  test_resolver_add_srv (f->resolver, rrname, "mail.example.test", f->https_port, 10, 5);

  settings = run (f, EMAIL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (settings->autodiscover_url, ==, url);
  g_assert_true (attempts_mention (f, "SRV _autodiscover._tcp.example.test", "mx.example.test"));
}

static void
test_redirect_loop (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char         *first = https_url (f, "example.test");
  g_autofree char         *second = https_url (f, "autodiscover.example.test");
  g_autofree char         *fixture = load_fixture ("autodiscover-pox-response-redirecturl.xml");
  GString                 *body = g_string_new (fixture);
  Behaviour               *moved = serve (f, "https://example.test", NULL);
  Behaviour               *back = serve (f, "https://autodiscover.example.test", NULL);
  EwsAutodiscoverSettings *settings;

  /* HTTP 302 one way, redirectUrl the other: both count against one cap. */
  moved->status = SOUP_STATUS_FOUND;
  moved->location = g_strdup (second);
  g_string_replace (body, "https://autodiscover-s.outlook.com/Autodiscover/Autodiscover.xml", first, 0);
  back->body = g_string_free (body, FALSE);

  settings = run (f, EMAIL, &error);
  g_assert_null (settings);
  g_assert_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "redirect loop"));
  g_assert_cmpuint (moved->hits + back->hits, ==, EWS_AUTODISCOVER_MAX_REDIRECTS + 1);
}

static void
test_unauthorized (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  Behaviour               *domain = serve (f, "https://example.test", "autodiscover-pox-response-settings.xml");
  Behaviour               *second = serve (f, "https://autodiscover.example.test", "autodiscover-pox-response-settings.xml");
  Behaviour               *http = serve (f, "http://autodiscover.example.test", NULL);
  EwsAutodiscoverSettings *settings;

  ews_autodiscover_set_credentials (f->autodiscover, NULL, "not the password");
  settings = run (f, EMAIL, &error);
  g_assert_null (settings);
  g_assert_error (error, EWS_ERROR, EWS_ERROR_AUTH);
  g_assert_nonnull (strstr (error->message, "rejected the password"));
  g_assert_true (domain->saw_authorization);
  g_assert_cmpuint (second->hits, ==, 0);
  g_assert_cmpuint (http->hits, ==, 0);
}

static void
test_not_found (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  const char *const       *attempts;
  EwsAutodiscoverSettings *settings;

  serve (f, "https://example.test", NULL)->status = SOUP_STATUS_NOT_FOUND;
  serve (f, "https://autodiscover.example.test", NULL)->status = SOUP_STATUS_INTERNAL_SERVER_ERROR;
  serve (f, "http://autodiscover.example.test", NULL)->status = SOUP_STATUS_NOT_FOUND;

  settings = run (f, EMAIL, &error);
  g_assert_null (settings);
  g_assert_error (error, EWS_ERROR, EWS_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "example.test"));
  attempts = ews_autodiscover_get_attempts (f->autodiscover);
  g_assert_cmpuint (g_strv_length ((char **)attempts), ==, 4);
  g_assert_true (g_str_has_suffix (attempts[0], ": HTTP 404 Not Found"));
  g_assert_true (g_str_has_suffix (attempts[1], ": HTTP 500 Internal Server Error"));
  g_assert_nonnull (strstr (attempts[2], "HTTP 404"));
  g_assert_true (g_str_has_prefix (attempts[3], "SRV _autodiscover._tcp.example.test: no record"));
}

static void
test_unreachable (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  EwsAutodiscoverSettings *settings;

  test_resolver_add_host (f->resolver, "autodiscover.example.test", "127.0.0.2");
  settings = run (f, EMAIL, &error);
  g_assert_null (settings);
  g_assert_error (error, EWS_ERROR, EWS_ERROR_UNREACHABLE);
  g_assert_cmpuint (g_strv_length ((char **)ews_autodiscover_get_attempts (f->autodiscover)), ==, 4);
  g_clear_error (&error);

  settings = run (f, "not an address", &error);
  g_assert_null (settings);
  g_assert_error (error, EWS_ERROR, EWS_ERROR_FAILED);
}

static void
cancel_when_hit (Behaviour    *b,
                 GCancellable *cancellable)
{
  while (b->hits == 0)
    g_main_context_iteration (NULL, TRUE);
  g_cancellable_cancel (cancellable);
}

static void
test_cancel (Fixture      *f,
             gconstpointer data)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  Behaviour               *hanging = serve (f, "https://example.test", NULL);
  Behaviour               *second = serve (f, "https://autodiscover.example.test", "autodiscover-pox-response-settings.xml");
  EwsAutodiscoverSettings *settings;

  hanging->hang = TRUE;
  ews_autodiscover_run_async (f->autodiscover, EMAIL, cancellable, store_result, f);
  cancel_when_hit (hanging, cancellable);
  settings = ews_autodiscover_run_finish (f->autodiscover, wait_result (f), &error);
  g_assert_null (settings);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (second->hits, ==, 0);
}

static void
test_tls (Fixture      *f,
          gconstpointer data)
{
  g_autoptr (TestCert) untrusted = test_cert_new ("untrusted.example.test", test_hosts);
  g_autoptr (TestCert) changed = test_cert_new ("changed.example.test", test_hosts);
  g_autoptr (GError) error = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *description = NULL;
  g_autoptr (EwsAutodiscoverSettings) settings = NULL;
  SoupServer          *server;
  guint16              port;
  GTlsCertificate     *peer;
  GTlsCertificateFlags flags = 0;

  serve (f, "https://example.test", "autodiscover-pox-response-settings.xml");
  server = server_new (f, untrusted->certificate, &port);
  ews_autodiscover_set_ports (f->autodiscover, port, f->http_port);

  settings = run (f, EMAIL, &error);
  g_assert_null (settings);
  g_assert_error (error, EWS_ERROR, EWS_ERROR_TLS);
  g_assert_nonnull (strstr (error->message, untrusted->fingerprint));
  peer = ews_error_get_peer_certificate (error, &flags);
  g_assert_nonnull (peer);
  g_assert_true (g_tls_certificate_is_same (peer, untrusted->certificate));
  g_assert_true (flags & G_TLS_CERTIFICATE_UNKNOWN_CA);

  fingerprint = ews_client_certificate_fingerprint (peer);
  g_assert_cmpstr (fingerprint, ==, untrusted->fingerprint);
  description = ews_client_describe_certificate (peer, flags);
  g_test_message ("%s", description);
  g_assert_nonnull (strstr (description, "CN=untrusted.example.test"));
  g_assert_nonnull (strstr (description, "Issued by: "));
  g_assert_nonnull (strstr (description, "Valid from "));
  g_assert_nonnull (strstr (description, untrusted->fingerprint));
  g_assert_nonnull (strstr (description, "unknown authority"));

  /* The person compared the fingerprint and pinned it. */
  ews_autodiscover_set_pinned_certificate (f->autodiscover, fingerprint);
  g_clear_error (&error);
  settings = run (f, EMAIL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (settings->ews_url, ==, "https://mail.contoso.com/EWS/Exchange.asmx");
  server_free (server);

  /* The server's certificate changes: refused again, with the new one attached. */
  server = server_new (f, changed->certificate, &port);
  ews_autodiscover_set_ports (f->autodiscover, port, f->http_port);
  g_clear_pointer (&settings, ews_autodiscover_settings_free);
  settings = run (f, EMAIL, &error);
  g_assert_null (settings);
  g_assert_error (error, EWS_ERROR, EWS_ERROR_TLS);
  g_assert_true (g_tls_certificate_is_same (ews_error_get_peer_certificate (error, NULL), changed->certificate));
  g_assert_nonnull (strstr (error->message, changed->fingerprint));
  server_free (server);
}

static void
test_properties (void)
{
  g_autoptr (EwsAutodiscover) autodiscover = ews_autodiscover_new ();
  g_autoptr (GResolver) resolver = g_resolver_get_default ();
  guint16 https_port = 0;
  guint16 http_port = 0;

  ews_autodiscover_get_ports (autodiscover, &https_port, &http_port);
  g_assert_cmpuint (https_port, ==, 443);
  g_assert_cmpuint (http_port, ==, 80);
  g_assert_true (ews_autodiscover_get_resolver (autodiscover) == resolver);
  g_assert_nonnull (ews_autodiscover_get_proxy_resolver (autodiscover));
  g_assert_true (g_str_has_prefix (ews_autodiscover_get_user_agent (autodiscover), "ews-notifier/"));
  g_assert_cmpint (ews_autodiscover_get_auth_mechanism (autodiscover), ==, EWS_AUTH_BASIC);
  ews_autodiscover_set_auth_mechanism (autodiscover, EWS_AUTH_NTLM);
  g_assert_cmpint (ews_autodiscover_get_auth_mechanism (autodiscover), ==, EWS_AUTH_NTLM);
  g_assert_null (ews_autodiscover_get_attempts (autodiscover)[0]);

  /* The documented test hook. */
  g_setenv ("EWS_AUTODISCOVER_PORTS", "8443:8080", TRUE);
  g_clear_object (&autodiscover);
  autodiscover = ews_autodiscover_new ();
  g_unsetenv ("EWS_AUTODISCOVER_PORTS");
  ews_autodiscover_get_ports (autodiscover, &https_port, &http_port);
  g_assert_cmpuint (https_port, ==, 8443);
  g_assert_cmpuint (http_port, ==, 8080);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  setlocale (LC_ALL, "");
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_unsetenv ("EWS_AUTODISCOVER_PORTS");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  test_log_capture_start ();

  if (g_getenv ("EWS_FIXTURES_DIR") == NULL)
    {
      g_printerr ("EWS_FIXTURES_DIR is not set\n");
      return 1;
    }
  trusted_cert = test_cert_new ("autodiscover.example.test", test_hosts);

  g_test_add_func ("/autodiscover/properties", test_properties);
#define ADD(path, func) g_test_add ("/autodiscover/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("settings", test_settings);
  ADD ("second-candidate", test_second_candidate);
  ADD ("web-site-first", test_web_site_first);
  ADD ("redirect-addr", test_redirect_addr);
  ADD ("redirect-url", test_redirect_url);
  ADD ("redirect-url-not-https", test_redirect_url_not_https);
  ADD ("error-response", test_error_response);
  ADD ("post-redirect", test_post_redirect);
  ADD ("http-redirect", test_http_redirect);
  ADD ("http-redirect-refused", test_http_redirect_refused);
  ADD ("srv", test_srv);
  ADD ("redirect-loop", test_redirect_loop);
  ADD ("unauthorized", test_unauthorized);
  ADD ("not-found", test_not_found);
  ADD ("unreachable", test_unreachable);
  ADD ("cancel", test_cancel);
  ADD ("tls", test_tls);
#undef ADD

  status = g_test_run ();
  g_clear_pointer (&trusted_cert, test_cert_free);
  return status;
}
