/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <locale.h>
#include <string.h>

#include "ews-client.h"
#include "ews-error.h"

#define PASSWORD       "s3cr3t-Pa55!word"
#define BACKEND_COOKIE "mbx42~1x2y3z"

typedef enum
{
  MODE_NORMAL,
  MODE_FAULT_BUSY,
  MODE_503,
  MODE_500_HTML,
  MODE_GARBAGE,
  MODE_STREAM_DROP,
} Mode;

/* A loopback EWS endpoint serving the fixtures. */
typedef struct
{
  SoupServer *server;
  char       *url;
  Mode        mode;
  GHashTable *headers; /* operation → last request's headers as "Name: value\n" */
  guint       requests;
} Server;

static char *
load_fixture (const char *name,
              gsize      *length)
{
  g_autofree char *path = g_build_filename (g_getenv ("EWS_FIXTURES_DIR"), name, NULL);
  g_autoptr (GError) error = NULL;
  char *data = NULL;

  g_file_get_contents (path, &data, length, &error);
  g_assert_no_error (error);
  return data;
}

static const char get_folder_response[] = "<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'><s:Body>"
                                          "<m:GetFolderResponse xmlns:m='http://schemas.microsoft.com/exchange/services/2006/messages'"
                                          " xmlns:t='http://schemas.microsoft.com/exchange/services/2006/types'><m:ResponseMessages>"
                                          "<m:GetFolderResponseMessage ResponseClass='Success'><m:ResponseCode>NoError</m:ResponseCode><m:Folders>"
                                          "<t:CalendarFolder><t:FolderId Id='cal-id' ChangeKey='ck1'/><t:FolderClass>IPF.Appointment</t:FolderClass>"
                                          "<t:DisplayName>Calendar</t:DisplayName></t:CalendarFolder></m:Folders></m:GetFolderResponseMessage>"
                                          "</m:ResponseMessages></m:GetFolderResponse></s:Body></s:Envelope>";

static const char *
operation_of (const char *body)
{
  static const char *const operations[] = {
    "GetFolder",
    "Subscribe",
    "GetEvents",
    "Unsubscribe",
    "SyncFolderItems",
    "GetItem",
    "GetStreamingEvents",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (operations); i++)
    {
      g_autofree char *tag = g_strdup_printf ("<m:%s>", operations[i]);

      if (strstr (body, tag) != NULL)
        return operations[i];
    }
  return "unknown";
}

typedef struct
{
  SoupServerMessage *msg;
  GPtrArray         *chunks;
  guint              next;
  gboolean           drop;
} StreamJob;

static gboolean
stream_step (gpointer data)
{
  StreamJob       *job = data;
  SoupMessageBody *body = soup_server_message_get_response_body (job->msg);

  if (job->next < job->chunks->len)
    {
      GBytes *chunk = g_ptr_array_index (job->chunks, job->next++);

      soup_message_body_append_bytes (body, chunk);
      soup_server_message_unpause (job->msg);
      return G_SOURCE_CONTINUE;
    }

  if (job->drop)
    {
      g_autoptr (GIOStream) connection = soup_server_message_steal_connection (job->msg);

      g_io_stream_close (connection, NULL, NULL);
    }
  else
    {
      soup_message_body_complete (body);
      soup_server_message_unpause (job->msg);
    }
  g_ptr_array_unref (job->chunks);
  g_object_unref (job->msg);
  g_free (job);
  return G_SOURCE_REMOVE;
}

static void
add_piece (GPtrArray  *chunks,
           const char *data,
           gsize       from,
           gsize       to)
{
  g_ptr_array_add (chunks, g_bytes_new (data + from, to - from));
}

static void
serve_stream (Server            *server,
              SoupServerMessage *msg)
{
  StreamJob       *job = g_new0 (StreamJob, 1);
  gsize            ok_len, ev_len, closed_len;
  g_autofree char *ok = load_fixture ("getstreamingevents-response-ok-heartbeat.xml", &ok_len);
  g_autofree char *ev = load_fixture ("getstreamingevents-response-events.xml", &ev_len);
  g_autofree char *closed = load_fixture ("getstreamingevents-response-closed.xml", &closed_len);

  job->msg = g_object_ref (msg);
  job->chunks = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  job->drop = server->mode == MODE_STREAM_DROP;
  /* Chunk boundaries fall inside tags, as on the wire. */
  add_piece (job->chunks, ok, 0, 50);
  add_piece (job->chunks, ok, 50, ok_len);
  add_piece (job->chunks, ev, 0, ev_len / 2);
  if (!job->drop)
    {
      add_piece (job->chunks, ev, ev_len / 2, ev_len);
      add_piece (job->chunks, ok, 0, ok_len);
      add_piece (job->chunks, closed, 0, closed_len);
    }

  soup_message_headers_set_encoding (soup_server_message_get_response_headers (msg), SOUP_ENCODING_CHUNKED);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Content-Type", "text/xml; charset=utf-8");
  soup_server_message_pause (msg);
  g_timeout_add (60, stream_step, job);
}

static void
server_callback (SoupServer        *soup_server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  Server             *server = user_data;
  SoupMessageBody    *request_body = soup_server_message_get_request_body (msg);
  SoupMessageHeaders *response_headers = soup_server_message_get_response_headers (msg);
  g_autofree char    *body = g_strndup (request_body->data, request_body->length);
  const char         *operation = operation_of (body);
  g_autoptr (GString) headers = g_string_new (NULL);
  SoupMessageHeadersIter iter;
  const char            *name;
  const char            *value;
  g_autofree char       *fixture = NULL;
  const char            *fixture_name = NULL;
  gsize                  length = 0;

  server->requests++;
  soup_message_headers_iter_init (&iter, soup_server_message_get_request_headers (msg));
  while (soup_message_headers_iter_next (&iter, &name, &value))
    g_string_append_printf (headers, "%s: %s\n", name, value);
  g_hash_table_replace (server->headers, g_strdup (operation), g_strdup (headers->str));

  switch (server->mode)
    {
    case MODE_FAULT_BUSY:
      fixture = load_fixture ("soapfault-errorserverbusy.xml", &length);
      soup_server_message_set_status (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, NULL);
      soup_server_message_set_response (msg, "text/xml; charset=utf-8", SOUP_MEMORY_COPY, fixture, length);
      return;
    case MODE_503:
      soup_server_message_set_status (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
      return;
    case MODE_500_HTML:
      soup_server_message_set_status (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, NULL);
      soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC, "<html><body>Oops</body></html>", 30);
      return;
    case MODE_GARBAGE:
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "text/xml", SOUP_MEMORY_STATIC, "<s:Envelope><unclosed", 21);
      return;
    case MODE_NORMAL:
    case MODE_STREAM_DROP:
      break;
    }

  if (g_str_equal (operation, "GetStreamingEvents"))
    {
      serve_stream (server, msg);
      return;
    }

  if (g_str_equal (operation, "GetFolder"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "text/xml; charset=utf-8", SOUP_MEMORY_STATIC,
                                        get_folder_response, strlen (get_folder_response));
      return;
    }

  if (g_str_equal (operation, "Subscribe"))
    {
      fixture_name = strstr (body, "Streaming") != NULL ? "subscribe-streaming-response.xml" : "subscribe-pull-response.xml";
      soup_message_headers_append (response_headers, "Set-Cookie", "X-BackEndOverrideCookie=" BACKEND_COOKIE "; path=/; HttpOnly");
    }
  else if (g_str_equal (operation, "GetEvents"))
    fixture_name = "getevents-response.xml";
  else if (g_str_equal (operation, "Unsubscribe"))
    fixture_name = "unsubscribe-response.xml";
  else if (g_str_equal (operation, "SyncFolderItems"))
    fixture_name = "syncfolderitems-response.xml";
  else if (g_str_equal (operation, "GetItem"))
    fixture_name = strstr (body, "AAMkTask") != NULL ? "getitem-task-response.xml" : "getitem-calendar-response.xml";

  if (fixture_name == NULL)
    {
      g_test_message ("unknown request (%u bytes): %.200s", (guint)request_body->length, body);
      soup_server_message_set_status (msg, SOUP_STATUS_BAD_REQUEST, NULL);
      return;
    }
  fixture = load_fixture (fixture_name, &length);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/xml; charset=utf-8", SOUP_MEMORY_COPY, fixture, length);
}

static gboolean
basic_auth_callback (SoupAuthDomain    *domain,
                     SoupServerMessage *msg,
                     const char        *username,
                     const char        *password,
                     gpointer           user_data)
{
  return g_str_equal (username, "alice") && g_str_equal (password, PASSWORD);
}

static Server *
server_new (GTlsCertificate *certificate,
            gboolean         basic_auth)
{
  Server *server = g_new0 (Server, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSList) uris = NULL;
  g_autofree char *base = NULL;

  server->server = soup_server_new ("tls-certificate", certificate, NULL);
  server->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  soup_server_add_handler (server->server, "/EWS/Exchange.asmx", server_callback, server, NULL);
  if (basic_auth)
    {
      g_autoptr (SoupAuthDomain) domain = soup_auth_domain_basic_new ("realm", "EWS test", NULL);

      soup_auth_domain_basic_set_auth_callback (domain, basic_auth_callback, NULL, NULL);
      soup_auth_domain_add_path (domain, "/EWS");
      soup_server_add_auth_domain (server->server, domain);
    }

  soup_server_listen_local (server->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY | (certificate != NULL ? SOUP_SERVER_LISTEN_HTTPS : 0), &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server->server);
  base = g_uri_to_string (uris->data);
  server->url = g_strdup_printf ("%sEWS/Exchange.asmx", base);
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify)g_uri_unref);
  return server;
}

static void
server_free (Server *server)
{
  soup_server_disconnect (server->server);
  g_object_unref (server->server);
  g_hash_table_unref (server->headers);
  g_free (server->url);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Server, server_free)

static EwsClient *
client_new (Server *server)
{
  EwsClient *client = ews_client_new (server->url);
  g_autoptr (GProxyResolver) direct = g_simple_proxy_resolver_new (NULL, NULL);

  ews_client_set_proxy_resolver (client, direct);
  return client;
}

static void
store_result (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static GPtrArray *
calendar_refs (void)
{
  GPtrArray *refs = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_folder_ref_free);

  g_ptr_array_add (refs, ews_folder_ref_new_distinguished ("calendar", NULL));
  return refs;
}

static GPtrArray *
get_folders (EwsClient *client,
             GError   **error)
{
  g_autoptr (GPtrArray) refs = calendar_refs ();
  g_autoptr (GAsyncResult) result = NULL;

  ews_client_get_folders_async (client, refs, NULL, store_result, &result);
  return ews_client_get_folders_finish (client, wait_for (&result), error);
}

static void
test_round_trips (void)
{
  g_autoptr (Server) server = server_new (NULL, FALSE);
  g_autoptr (EwsClient) client = client_new (server);
  g_autoptr (GPtrArray) refs = calendar_refs ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) folders = NULL;
  g_autoptr (GAsyncResult) r1 = NULL, r2 = NULL, r3 = NULL, r4 = NULL, r5 = NULL, r6 = NULL;
  g_autoptr (EwsSubscription) sub = NULL;
  g_autoptr (EwsNotification) notification = NULL;
  g_autoptr (EwsSyncResult) sync = NULL;
  g_autoptr (GPtrArray) items = NULL;
  const char *ids[] = { "AAMkCalendar", NULL };
  const char *headers;

  ews_client_set_anchor_mailbox (client, "alice@contoso.com");

  folders = get_folders (client, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (folders->len, ==, 1);
  g_assert_cmpstr (((EwsFolder *)g_ptr_array_index (folders, 0))->id, ==, "cal-id");
  headers = g_hash_table_lookup (server->headers, "GetFolder");
  g_assert_nonnull (strstr (headers, "X-AnchorMailbox: alice@contoso.com\n"));
  g_assert_nonnull (strstr (headers, "Content-Type: text/xml; charset=utf-8\n"));
  g_assert_nonnull (strstr (headers, "User-Agent: ews-notifier/" PACKAGE_VERSION "\n"));
  g_assert_null (strstr (headers, "X-PreferServerAffinity"));

  ews_client_subscribe_pull_async (client, refs, EWS_EVENT_MASK_ITEMS, NULL, 30, NULL, store_result, &r1);
  sub = ews_client_subscribe_finish (client, wait_for (&r1), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sub->id, ==, "f6bc657d-dde1-4f94-952d-143b95d6483d");
  g_assert_cmpstr (sub->watermark, ==, "AAAAAMAGAAAAAAAAAQ==");
  headers = g_hash_table_lookup (server->headers, "Subscribe");
  g_assert_nonnull (strstr (headers, "X-PreferServerAffinity: true\n"));
  g_assert_null (strstr (headers, "Cookie"));

  /* The affinity cookie the Subscribe response set is echoed from now on. */
  ews_client_get_events_async (client, sub->id, sub->watermark, NULL, store_result, &r2);
  notification = ews_client_get_events_finish (client, wait_for (&r2), &error);
  g_assert_no_error (error);
  g_assert_true (notification->more_events);
  g_assert_cmpuint (notification->events->len, ==, 2);
  headers = g_hash_table_lookup (server->headers, "GetEvents");
  g_assert_nonnull (strstr (headers, "Cookie: X-BackEndOverrideCookie=" BACKEND_COOKIE "\n"));
  g_assert_nonnull (strstr (headers, "X-PreferServerAffinity: true\n"));
  g_assert_nonnull (strstr (headers, "X-AnchorMailbox: alice@contoso.com\n"));

  ews_client_sync_folder_items_async (client, g_ptr_array_index (refs, 0), EWS_FOLDER_KIND_CALENDAR, NULL, 100,
                                      NULL, store_result, &r3);
  sync = ews_client_sync_folder_items_finish (client, wait_for (&r3), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sync->changes->len, ==, 4);
  g_assert_false (sync->includes_last_item_in_range);

  ews_client_get_items_async (client, ids, NULL, store_result, &r4);
  items = ews_client_get_items_finish (client, wait_for (&r4), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_cmpstr (((EwsItem *)g_ptr_array_index (items, 0))->subject, ==, "Quarterly planning & review");

  ews_client_unsubscribe_async (client, sub->id, NULL, store_result, &r5);
  g_assert_true (ews_client_unsubscribe_finish (client, wait_for (&r5), &error));
  g_assert_no_error (error);
  headers = g_hash_table_lookup (server->headers, "Unsubscribe");
  g_assert_nonnull (strstr (headers, "Cookie: X-BackEndOverrideCookie=" BACKEND_COOKIE "\n"));

  g_clear_pointer (&sub, ews_subscription_free);
  ews_client_subscribe_streaming_async (client, refs, EWS_EVENT_MASK_ITEMS, NULL, store_result, &r6);
  sub = ews_client_subscribe_finish (client, wait_for (&r6), &error);
  g_assert_no_error (error);
  g_assert_null (sub->watermark);
}

static void
expect_folder_error (Server     *server,
                     Mode        mode,
                     int         code,
                     const char *message_part)
{
  g_autoptr (EwsClient) client = client_new (server);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) folders = NULL;

  server->mode = mode;
  folders = get_folders (client, &error);
  g_assert_null (folders);
  g_assert_error (error, EWS_ERROR, code);
  if (message_part != NULL)
    g_assert_nonnull (strstr (error->message, message_part));
  g_test_message ("%s", error->message);
}

static void
test_errors (void)
{
  g_autoptr (Server) server = server_new (NULL, FALSE);
  g_autoptr (EwsClient) client = client_new (server);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) folders = NULL;

  server->mode = MODE_FAULT_BUSY;
  folders = get_folders (client, &error);
  g_assert_error (error, EWS_ERROR, EWS_ERROR_SERVER_BUSY);
  g_assert_cmpuint (ews_error_get_back_off_ms (error), ==, 297749);

  expect_folder_error (server, MODE_503, EWS_ERROR_SERVER_BUSY, "503");
  expect_folder_error (server, MODE_500_HTML, EWS_ERROR_FAILED, "HTTP 500");
  expect_folder_error (server, MODE_GARBAGE, EWS_ERROR_PROTOCOL, NULL);
}

static void
test_unreachable (void)
{
  g_autoptr (EwsClient) client = ews_client_new ("http://127.0.0.1:1/EWS/Exchange.asmx");
  g_autoptr (GProxyResolver) direct = g_simple_proxy_resolver_new (NULL, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) folders = NULL;

  ews_client_set_proxy_resolver (client, direct);
  folders = get_folders (client, &error);
  g_assert_error (error, EWS_ERROR, EWS_ERROR_FAILED);
}

static void
test_cancel (void)
{
  g_autoptr (Server) server = server_new (NULL, FALSE);
  g_autoptr (EwsClient) client = client_new (server);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GPtrArray) refs = calendar_refs ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) folders = NULL;

  ews_client_get_folders_async (client, refs, cancellable, store_result, &result);
  g_cancellable_cancel (cancellable);
  folders = ews_client_get_folders_finish (client, wait_for (&result), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_basic_auth (void)
{
  g_autoptr (Server) server = server_new (NULL, TRUE);
  g_autoptr (EwsClient) good = client_new (server);
  g_autoptr (EwsClient) bad = client_new (server);
  g_autoptr (EwsClient) anonymous = client_new (server);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) folders = NULL;

  ews_client_set_credentials (good, "alice", PASSWORD);
  folders = get_folders (good, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (folders->len, ==, 1);
  g_clear_pointer (&folders, g_ptr_array_unref);

  ews_client_set_credentials (bad, "alice", "wrong");
  folders = get_folders (bad, &error);
  g_assert_null (folders);
  g_assert_error (error, EWS_ERROR, EWS_ERROR_AUTH);
  g_clear_error (&error);

  folders = get_folders (anonymous, &error);
  g_assert_error (error, EWS_ERROR, EWS_ERROR_AUTH);
}

typedef struct
{
  SoupAuth *auth;
  guint     calls;
} AuthPrompt;

static gboolean
answer_later (gpointer data)
{
  AuthPrompt *prompt = data;

  soup_auth_authenticate (prompt->auth, "alice", PASSWORD);
  g_clear_object (&prompt->auth);
  return G_SOURCE_REMOVE;
}

static gboolean
on_authenticate (EwsClient   *client,
                 SoupMessage *msg,
                 SoupAuth    *auth,
                 gboolean     retrying,
                 AuthPrompt  *prompt)
{
  prompt->calls++;
  g_assert_false (retrying);
  prompt->auth = g_object_ref (auth);
  /* As if a password dialog were shown first. */
  g_timeout_add (50, answer_later, prompt);
  return TRUE;
}

static void
test_authenticate_signal (void)
{
  g_autoptr (Server) server = server_new (NULL, TRUE);
  g_autoptr (EwsClient) client = client_new (server);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) folders = NULL;
  AuthPrompt prompt = { NULL, 0 };

  g_signal_connect (client, "authenticate", G_CALLBACK (on_authenticate), &prompt);
  folders = get_folders (client, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (prompt.calls, ==, 1);
}

static void
test_auth_mechanism (void)
{
  g_autoptr (Server) server = server_new (NULL, TRUE);
  g_autoptr (EwsClient) client = client_new (server);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) folders = NULL;

  /* With NTLM only, a Basic challenge is not answered: the password stays home. */
  ews_client_set_credentials (client, "alice", PASSWORD);
  g_object_set (client, "auth-mechanism", EWS_AUTH_NTLM, NULL);
  folders = get_folders (client, &error);
  g_assert_error (error, EWS_ERROR, EWS_ERROR_AUTH);
  g_clear_error (&error);

  ews_client_set_auth_mechanism (client, EWS_AUTH_NEGOTIATE);
  ews_client_set_auth_mechanism (client, EWS_AUTH_BASIC);
  folders = get_folders (client, &error);
  g_assert_no_error (error);
}

/* Captured log text of the "ews-client" domain. */
static GString *captured_log;

static GLogWriterOutput
capture_writer (GLogLevelFlags   log_level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  const char *domain = NULL;
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
    }

  if (captured_log != NULL && message != NULL)
    g_string_append_printf (captured_log, "[%s] %s\n", domain != NULL ? domain : "", message);
  if (log_level & G_LOG_LEVEL_DEBUG)
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static void
test_trace_redacted (void)
{
  g_autoptr (Server) server = server_new (NULL, TRUE);
  g_autoptr (EwsClient) client = client_new (server);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) folders = NULL;
  g_autoptr (GString) log = g_string_new (NULL);
  g_autofree char *userpass = g_base64_encode ((const guchar *)"alice:" PASSWORD, strlen ("alice:" PASSWORD));

  ews_client_set_trace (client, TRUE);
  ews_client_set_credentials (client, "alice", PASSWORD);
  captured_log = log;
  folders = get_folders (client, &error);
  captured_log = NULL;
  g_assert_no_error (error);

  /* The trace has the protocol... */
  g_assert_nonnull (strstr (log->str, "<m:GetFolder>"));
  g_assert_nonnull (strstr (log->str, "cal-id"));
  g_assert_nonnull (strstr (log->str, "[redacted]"));
  /* ...and never a secret. */
  g_assert_null (strstr (log->str, PASSWORD));
  g_assert_null (strstr (log->str, userpass));
  g_assert_null (strstr (log->str, "Authorization: Basic"));
}

static void
test_trace_cookie_redacted (void)
{
  g_autoptr (Server) server = server_new (NULL, FALSE);
  g_autoptr (EwsClient) client = client_new (server);
  g_autoptr (GPtrArray) refs = calendar_refs ();
  g_autoptr (GString) log = g_string_new (NULL);
  g_autoptr (GAsyncResult) r1 = NULL, r2 = NULL;
  g_autoptr (EwsSubscription) sub = NULL;
  g_autoptr (GError) error = NULL;

  ews_client_set_trace (client, TRUE);
  captured_log = log;
  ews_client_subscribe_pull_async (client, refs, EWS_EVENT_MASK_ITEMS, NULL, 30, NULL, store_result, &r1);
  sub = ews_client_subscribe_finish (client, wait_for (&r1), &error);
  g_assert_no_error (error);
  ews_client_unsubscribe_async (client, sub->id, NULL, store_result, &r2);
  g_assert_true (ews_client_unsubscribe_finish (client, wait_for (&r2), &error));
  captured_log = NULL;

  g_assert_nonnull (strstr (log->str, "Set-Cookie: [redacted]"));
  g_assert_nonnull (strstr (log->str, "Cookie: [redacted]"));
  g_assert_null (strstr (log->str, BACKEND_COOKIE));
}

typedef struct
{
  char            *dir;
  char            *cert_path;
  char            *key_path;
  GTlsCertificate *certificate;
  char            *fingerprint; /* "AA:BB:…" */
} SelfSigned;

static void
self_signed_free (SelfSigned *s)
{
  g_unlink (s->cert_path);
  g_unlink (s->key_path);
  g_rmdir (s->dir);
  g_free (s->dir);
  g_free (s->cert_path);
  g_free (s->key_path);
  g_clear_object (&s->certificate);
  g_free (s->fingerprint);
  g_free (s);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SelfSigned, self_signed_free)

static SelfSigned *
self_signed_new (void)
{
  g_autoptr (SelfSigned) s = g_new0 (SelfSigned, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (GByteArray) der = NULL;
  g_autoptr (GString) fingerprint = g_string_new (NULL);
  g_autofree char *hex = NULL;
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  int              status = -1;

  if (openssl == NULL)
    return NULL;

  s->dir = g_dir_make_tmp ("ews-tls-XXXXXX", &error);
  g_assert_no_error (error);
  s->cert_path = g_build_filename (s->dir, "server.pem", NULL);
  s->key_path = g_build_filename (s->dir, "server.key", NULL);
  {
    const char *argv[] = { openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                           "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                           "-keyout", s->key_path, "-out", s->cert_path, NULL };

    g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                  NULL, NULL, NULL, NULL, &status, &error);
  }
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    return NULL;

  s->certificate = g_tls_certificate_new_from_files (s->cert_path, s->key_path, &error);
  g_assert_no_error (error);
  g_object_get (s->certificate, "certificate", &der, NULL);
  hex = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
  for (gsize i = 0; hex[i] != '\0'; i += 2)
    g_string_append_printf (fingerprint, "%s%c%c", i > 0 ? ":" : "", g_ascii_toupper (hex[i]), g_ascii_toupper (hex[i + 1]));
  s->fingerprint = g_string_free (g_steal_pointer (&fingerprint), FALSE);
  return g_steal_pointer (&s);
}

static void
test_tls (void)
{
  g_autoptr (SelfSigned) tls = self_signed_new ();
  g_autoptr (Server) server = NULL;
  g_autoptr (EwsClient) plain = NULL;
  g_autoptr (EwsClient) with_ca = NULL;
  g_autoptr (EwsClient) pinned = NULL;
  g_autoptr (EwsClient) wrong_pin = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) folders = NULL;
  g_autofree char *lower_pin = NULL;

  if (tls == NULL)
    {
      g_test_skip ("openssl is not available");
      return;
    }
  server = server_new (tls->certificate, FALSE);
  g_assert_true (g_str_has_prefix (server->url, "https://127.0.0.1:"));

  plain = client_new (server);
  folders = get_folders (plain, &error);
  g_assert_null (folders);
  g_assert_error (error, EWS_ERROR, EWS_ERROR_TLS);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  g_assert_nonnull (strstr (error->message, "unknown authority"));
  g_assert_nonnull (strstr (error->message, tls->fingerprint));
  /* The refused certificate travels with the error, for the person to inspect and pin. */
  g_assert_true (g_tls_certificate_is_same (ews_error_get_peer_certificate (error, NULL), tls->certificate));
  g_clear_error (&error);

  with_ca = client_new (server);
  g_assert_true (ews_client_set_ca_file (with_ca, tls->cert_path, &error));
  g_assert_no_error (error);
  folders = get_folders (with_ca, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (folders->len, ==, 1);
  g_clear_pointer (&folders, g_ptr_array_unref);

  /* Pins are accepted in any case, with or without colons. */
  pinned = client_new (server);
  lower_pin = g_ascii_strdown (tls->fingerprint, -1);
  g_strdelimit (lower_pin, ":", ' ');
  ews_client_set_pinned_certificate (pinned, lower_pin);
  folders = get_folders (pinned, &error);
  g_assert_no_error (error);
  g_clear_pointer (&folders, g_ptr_array_unref);

  wrong_pin = client_new (server);
  ews_client_set_pinned_certificate (wrong_pin, "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF");
  folders = get_folders (wrong_pin, &error);
  g_assert_error (error, EWS_ERROR, EWS_ERROR_TLS);
  g_clear_error (&error);

  g_assert_false (ews_client_set_ca_file (wrong_pin, "/nonexistent/ca.pem", &error));
  g_assert_nonnull (error);
}

typedef struct
{
  guint      notifications;
  guint      events;
  GArray    *statuses;
  GPtrArray *errors;
} StreamLog;

static void
on_notification (EwsEventStream  *stream,
                 EwsNotification *notification,
                 StreamLog       *log)
{
  log->notifications++;
  log->events += notification->events->len;
}

static void
on_connection_status (EwsEventStream *stream,
                      int             status,
                      StreamLog      *log)
{
  g_array_append_val (log->statuses, status);
}

static gboolean
stream_events (Server    *server,
               StreamLog *log,
               GError   **error)
{
  g_autoptr (EwsClient) client = client_new (server);
  g_autoptr (EwsEventStream) stream = ews_event_stream_new ();
  g_autoptr (GAsyncResult) result = NULL;
  const char *ids[] = { "JgBibjFwcjAzbWIyMDIubmFtcHJkMDMucHJvZC5vdXRsb29rLmNvbRAAAADwXxVesOnHS5BxUHKwAW88SHjwd1iB0Ag=", NULL };

  log->statuses = g_array_new (FALSE, FALSE, sizeof (int));
  g_signal_connect (stream, "notification", G_CALLBACK (on_notification), log);
  g_signal_connect (stream, "connection-status", G_CALLBACK (on_connection_status), log);
  ews_client_set_anchor_mailbox (client, "alice@contoso.com");
  ews_client_stream_events_async (client, ids, 30, stream, NULL, store_result, &result);
  return ews_client_stream_events_finish (client, wait_for (&result), error);
}

static void
test_stream (void)
{
  g_autoptr (Server) server = server_new (NULL, FALSE);
  g_autoptr (GError) error = NULL;
  StreamLog   log = { 0 };
  const char *headers;

  g_assert_true (stream_events (server, &log, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (log.notifications, >=, 1);
  g_assert_cmpuint (log.events, >=, 1);
  g_assert_cmpuint (log.statuses->len, ==, 3);
  g_assert_cmpint (g_array_index (log.statuses, int, 0), ==, EWS_CONNECTION_STATUS_OK);
  g_assert_cmpint (g_array_index (log.statuses, int, 1), ==, EWS_CONNECTION_STATUS_OK);
  g_assert_cmpint (g_array_index (log.statuses, int, 2), ==, EWS_CONNECTION_STATUS_CLOSED);
  headers = g_hash_table_lookup (server->headers, "GetStreamingEvents");
  g_assert_nonnull (strstr (headers, "X-PreferServerAffinity: true\n"));
  g_assert_nonnull (strstr (headers, "X-AnchorMailbox: alice@contoso.com\n"));
  g_array_unref (log.statuses);
}

static void
test_stream_dropped (void)
{
  g_autoptr (Server) server = server_new (NULL, FALSE);
  g_autoptr (GError) error = NULL;
  StreamLog log = { 0 };

  server->mode = MODE_STREAM_DROP;
  g_assert_false (stream_events (server, &log, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_cmpuint (log.statuses->len, ==, 1);
  g_assert_cmpuint (log.notifications, ==, 0);
  g_array_unref (log.statuses);
}

static void
test_stream_http_error (void)
{
  g_autoptr (Server) server = server_new (NULL, FALSE);
  g_autoptr (GError) error = NULL;
  StreamLog log = { 0 };

  server->mode = MODE_FAULT_BUSY;
  g_assert_false (stream_events (server, &log, &error));
  g_assert_error (error, EWS_ERROR, EWS_ERROR_SERVER_BUSY);
  g_assert_cmpuint (ews_error_get_back_off_ms (error), ==, 297749);
  g_array_unref (log.statuses);
}

static void
test_properties (void)
{
  g_autoptr (EwsClient) client = ews_client_new ("https://mail.example.com/EWS/Exchange.asmx");
  g_autofree char *user_agent = NULL;
  g_autofree char *version = NULL;
  EwsAuthMechanism mechanism;

  g_object_get (client, "user-agent", &user_agent, "server-version", &version, "auth-mechanism", &mechanism, NULL);
  g_assert_cmpstr (user_agent, ==, "ews-notifier/" PACKAGE_VERSION);
  g_assert_cmpstr (version, ==, EWS_DEFAULT_SERVER_VERSION);
  g_assert_cmpint (mechanism, ==, EWS_AUTH_BASIC);
  g_assert_nonnull (ews_client_get_proxy_resolver (client));
  g_assert_cmpstr (ews_client_get_url (client), ==, "https://mail.example.com/EWS/Exchange.asmx");
  ews_client_set_server_version (client, "Exchange2016");
  g_assert_cmpstr (ews_client_get_server_version (client), ==, "Exchange2016");
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_log_set_writer_func (capture_writer, NULL, NULL);

  if (g_getenv ("EWS_FIXTURES_DIR") == NULL)
    {
      g_test_skip ("EWS_FIXTURES_DIR not set");
      return 0;
    }

  g_test_add_func ("/ews/client/properties", test_properties);
  g_test_add_func ("/ews/client/round-trips", test_round_trips);
  g_test_add_func ("/ews/client/errors", test_errors);
  g_test_add_func ("/ews/client/unreachable", test_unreachable);
  g_test_add_func ("/ews/client/cancel", test_cancel);
  g_test_add_func ("/ews/client/basic-auth", test_basic_auth);
  g_test_add_func ("/ews/client/authenticate-signal", test_authenticate_signal);
  g_test_add_func ("/ews/client/auth-mechanism", test_auth_mechanism);
  g_test_add_func ("/ews/client/trace-redacted", test_trace_redacted);
  g_test_add_func ("/ews/client/trace-cookie-redacted", test_trace_cookie_redacted);
  g_test_add_func ("/ews/client/tls", test_tls);
  g_test_add_func ("/ews/client/stream", test_stream);
  g_test_add_func ("/ews/client/stream-dropped", test_stream_dropped);
  g_test_add_func ("/ews/client/stream-http-error", test_stream_http_error);

  return g_test_run ();
}
