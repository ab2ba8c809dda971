/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ews-client"

#include "config.h"

#include <string.h>

#include "ews-client-private.h"
#include "ews-error.h"
#include "ews-request.h"
#include "ews-response.h"

/* The HTTP side of EwsClient: one GTask per exchange, read with a size limit,
 * status and faults mapped to EWS_ERROR, and the streaming variant that feeds an
 * EwsEventStream. */

#define AFFINITY_COOKIE "X-BackEndOverrideCookie"
#define READ_SIZE       16384

/* One HTTP exchange; the GTask's data. */
typedef struct
{
  EwsClient           *self; /* the task holds the reference */
  SoupSession         *session;
  gboolean             affinity;
  SoupMessage         *msg;
  GInputStream        *input;
  GBytes              *request_body;
  GByteArray          *body;
  guint8              *read_buffer; /* streaming only; others read into @body */
  EwsClientParseFunc   parse;
  GDestroyNotify       result_free;
  GTlsCertificate     *rejected_certificate;
  GTlsCertificateFlags rejected_errors;
  /* streaming only */
  EwsEventStream      *event_stream;
  gulong               response_error_handler;
  GError              *stream_error;
} Request;

static void
request_free (Request *request)
{
  if (request->response_error_handler != 0)
    g_signal_handler_disconnect (request->event_stream, request->response_error_handler);
  if (request->msg != NULL)
    g_signal_handlers_disconnect_by_data (request->msg, request);
  g_clear_object (&request->msg);
  g_clear_object (&request->input);
  g_clear_pointer (&request->request_body, g_bytes_unref);
  g_clear_pointer (&request->body, g_byte_array_unref);
  g_free (request->read_buffer);
  g_clear_object (&request->rejected_certificate);
  g_clear_object (&request->event_stream);
  g_clear_error (&request->stream_error);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

static gboolean
on_authenticate (SoupMessage *msg,
                 SoupAuth    *auth,
                 gboolean     retrying,
                 Request     *request)
{
  EwsClient *self = request->self;
  gboolean   handled = FALSE;

  g_signal_emit_by_name (self, "authenticate", msg, auth, retrying, &handled);
  if (handled)
    return TRUE;

  /* Stored credentials are tried once; a refusal ends as HTTP 401. */
  if (retrying || self->username == NULL || self->password == NULL)
    return ews_auth_decline (auth);

  g_debug ("Answering %s authentication for %s", soup_auth_get_scheme_name (auth), soup_auth_get_authority (auth));
  return ews_auth_answer (auth, self->username, self->password);
}

static gboolean
on_accept_certificate (SoupMessage         *msg,
                       GTlsCertificate     *certificate,
                       GTlsCertificateFlags errors,
                       Request             *request)
{
  if (ews_client_trust_accepts (&request->self->trust, soup_message_get_uri (msg), certificate))
    {
      g_debug ("Accepting the certificate of %s (extra CA or pinned)", g_uri_get_host (soup_message_get_uri (msg)));
      return TRUE;
    }

  g_set_object (&request->rejected_certificate, certificate);
  request->rejected_errors = errors;
  return FALSE;
}

/* libsoup 3.2 resends an authenticated request with the consumed body stream, so
 * the body is set again on every restart (401 → credentials, NTLM handshakes). */
static void
on_restarted (SoupMessage *msg,
              Request     *request)
{
  soup_message_set_request_body_from_bytes (msg, "text/xml; charset=utf-8", request->request_body);
}

static void
on_wrote_headers (SoupMessage *msg,
                  Request     *request)
{
  g_autofree char *line = g_strdup_printf ("%s %s", soup_message_get_method (msg),
                                           g_uri_get_path (soup_message_get_uri (msg)));

  ews_client_trace_headers (">", line, soup_message_get_request_headers (msg), request->self->password);
}

static void
remember_affinity_cookie (EwsClient   *self,
                          SoupMessage *msg)
{
  GSList *cookies = soup_cookies_from_response (msg);

  for (GSList *l = cookies; l != NULL; l = l->next)
    if (g_ascii_strcasecmp (soup_cookie_get_name (l->data), AFFINITY_COOKIE) == 0)
      {
        ews_client_clear_secret (&self->affinity_cookie);
        self->affinity_cookie = g_strdup (soup_cookie_get_value (l->data));
        g_debug ("Server set the affinity cookie");
      }
  g_slist_free_full (cookies, (GDestroyNotify)soup_cookie_free);
}

static SoupMessage *
new_message (EwsClient *self,
             GBytes    *body,
             gboolean   affinity,
             Request   *request,
             GError   **error)
{
  g_autoptr (SoupMessage) msg = soup_message_new (SOUP_METHOD_POST, self->url);
  SoupMessageHeaders *headers;

  if (msg == NULL)
    {
      g_set_error (error, EWS_ERROR, EWS_ERROR_FAILED, "Invalid EWS URL “%s”", self->url);
      return NULL;
    }

  /* A redirect of a POST is never followed blindly (credentials, method change). */
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_set_request_body_from_bytes (msg, "text/xml; charset=utf-8", body);

  headers = soup_message_get_request_headers (msg);
  if (self->anchor_mailbox != NULL)
    soup_message_headers_replace (headers, "X-AnchorMailbox", self->anchor_mailbox);
  if (affinity)
    {
      soup_message_headers_replace (headers, "X-PreferServerAffinity", "true");
      if (self->affinity_cookie != NULL)
        {
          g_autofree char *cookie = g_strdup_printf (AFFINITY_COOKIE "=%s", self->affinity_cookie);

          soup_message_headers_replace (headers, "Cookie", cookie);
        }
    }

  g_signal_connect (msg, "restarted", G_CALLBACK (on_restarted), request);
  g_signal_connect (msg, "authenticate", G_CALLBACK (on_authenticate), request);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (on_accept_certificate), request);
  if (self->trace)
    {
      gsize       length;
      const char *data = g_bytes_get_data (body, &length);

      g_signal_connect (msg, "wrote-headers", G_CALLBACK (on_wrote_headers), request);
      ews_client_trace_body (">", data, length, self->password);
    }

  return g_steal_pointer (&msg);
}

static GError *
transport_error (Request *request,
                 GError  *error)
{
  GUri *uri = soup_message_get_uri (request->msg);

  if (request->rejected_certificate != NULL)
    return ews_client_tls_error_new (uri, request->rejected_certificate, request->rejected_errors);
  if (error->domain == G_TLS_ERROR)
    return ews_client_tls_error_new (uri, soup_message_get_tls_peer_certificate (request->msg),
                                     soup_message_get_tls_peer_certificate_errors (request->msg));
  return g_error_new (EWS_ERROR, EWS_ERROR_FAILED, "Connection to %s failed: %s", g_uri_get_host (uri), error->message);
}

/* Maps a non-2xx answer; @body may carry a SOAP fault. */
static GError *
status_error (SoupMessage *msg,
              GByteArray  *body)
{
  guint       status = soup_message_get_status (msg);
  const char *reason = soup_message_get_reason_phrase (msg);
  g_autoptr (GError) fault = NULL;

  if (status == SOUP_STATUS_UNAUTHORIZED)
    return g_error_new (EWS_ERROR, EWS_ERROR_AUTH, "The server refused the credentials (HTTP 401 %s)",
                        reason != NULL ? reason : "");

  fault = ews_response_parse_error (body != NULL ? (const char *)body->data : NULL, body != NULL ? body->len : 0);
  if (status == SOUP_STATUS_SERVICE_UNAVAILABLE)
    {
      if (fault != NULL && g_error_matches (fault, EWS_ERROR, EWS_ERROR_SERVER_BUSY))
        return g_steal_pointer (&fault);
      return g_error_new (EWS_ERROR, EWS_ERROR_SERVER_BUSY, "The server is busy (HTTP 503 %s)",
                          reason != NULL ? reason : "");
    }
  if (fault != NULL)
    return g_steal_pointer (&fault);
  return g_error_new (EWS_ERROR, EWS_ERROR_FAILED, "HTTP %u %s", status, reason != NULL ? reason : "");
}

static gboolean
is_success (SoupMessage *msg)
{
  return SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg));
}

static void
complete_request (GTask *task)
{
  Request   *request = g_task_get_task_data (task);
  EwsClient *self = request->self;
  GError    *error = NULL;
  gpointer   result;

  if (self->trace)
    {
      g_autofree char *line = g_strdup_printf ("HTTP %u %s", soup_message_get_status (request->msg),
                                               soup_message_get_reason_phrase (request->msg));

      ews_client_trace_headers ("<", line, soup_message_get_response_headers (request->msg), self->password);
      if (request->body != NULL)
        ews_client_trace_body ("<", (const char *)request->body->data, request->body->len, self->password);
    }

  if (!is_success (request->msg))
    {
      g_task_return_error (task, status_error (request->msg, request->body));
      return;
    }

  if (request->event_stream != NULL)
    {
      if (!ews_event_stream_finish (request->event_stream, &error))
        g_task_return_error (task, error);
      else if (request->stream_error != NULL)
        g_task_return_error (task, g_steal_pointer (&request->stream_error));
      else
        g_task_return_boolean (task, TRUE);
      return;
    }

  result = request->parse ((const char *)request->body->data, request->body->len, &error);
  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, request->result_free);
}

static void read_next (GTask *task);

/* Where the next read goes: an ordinary response straight into its body, a stream
 * into one buffer that lives as long as the request. */
static guint8 *
read_target (Request *request)
{
  if (request->read_buffer != NULL)
    return request->read_buffer;
  g_byte_array_set_size (request->body, request->body->len + READ_SIZE);
  return request->body->data + request->body->len - READ_SIZE;
}

/* Takes what a read at read_target() gave: @read bytes, 0 at the end, or -1 with
 * @error. Returns TRUE when the exchange goes on; otherwise the task was returned. */
static gboolean
got_read (GTask  *task,
          gssize  read,
          GError *error)
{
  Request    *request = g_task_get_task_data (task);
  gsize       length = read > 0 ? (gsize)read : 0;
  const char *data = (const char *)request->read_buffer;

  /* The body was read in place: only what arrived counts. */
  if (request->read_buffer == NULL)
    {
      data = (const char *)request->body->data + request->body->len - READ_SIZE;
      g_byte_array_set_size (request->body, request->body->len - READ_SIZE + length);
    }

  /* Whatever happens below but another read, the connection goes back to the
   * session now, not when the caller drops the result. */
  if (read <= 0)
    g_clear_object (&request->input);

  if (read < 0)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_new_error (task, EWS_ERROR, EWS_ERROR_FAILED, "Connection lost while reading the response: %s",
                                 error->message);
      return FALSE;
    }

  if (length == 0)
    {
      complete_request (task);
      return FALSE;
    }

  if (request->event_stream != NULL && is_success (request->msg))
    {
      g_autoptr (GError) stream_error = NULL;

      /* Signals run synchronously in here. */
      if (request->self->trace)
        ews_client_trace_body ("<", data, length, request->self->password);
      if (!ews_event_stream_feed (request->event_stream, data, length, &stream_error))
        {
          g_clear_object (&request->input);
          g_task_return_error (task, g_steal_pointer (&stream_error));
          return FALSE;
        }
      /* A failed subscription ends the exchange at once: the caller resubscribes,
       * whether or not the server keeps the connection open. */
      if (request->stream_error != NULL)
        {
          g_clear_object (&request->input);
          g_task_return_error (task, g_steal_pointer (&request->stream_error));
          return FALSE;
        }
    }
  else
    {
      /* A streaming request answered with an error status: kept for its fault. */
      if (request->read_buffer != NULL)
        g_byte_array_append (request->body, (const guint8 *)data, (guint)length);
      if (request->body->len > EWS_CLIENT_MAX_RESPONSE_SIZE)
        {
          g_clear_object (&request->input);
          g_task_return_new_error (task, EWS_ERROR, EWS_ERROR_PROTOCOL, "The response is larger than %u bytes",
                                   EWS_CLIENT_MAX_RESPONSE_SIZE);
          return FALSE;
        }
    }
  return TRUE;
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  gssize read = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);

  if (got_read (task, read, error))
    read_next (g_steal_pointer (&task));
}

static gboolean
readable_cb (GObject *stream,
             gpointer user_data)
{
  read_next (g_object_ref (user_data));
  return G_SOURCE_REMOVE;
}

/* Reads on; takes the task reference. libsoup's response streams are pollable: what
 * has arrived is read at once, in this very iteration, and only a read that would
 * block waits for the stream to become readable (a GTask per read would complete
 * in the next iteration of the main loop, and cost one for every read). A stream
 * hands the loop back after a few reads, for the requests running beside it. */
static void
read_next (GTask *task)
{
  Request *request = g_task_get_task_data (task);
  GSource *source;

  if (!G_IS_POLLABLE_INPUT_STREAM (request->input) || !g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (request->input)))
    {
      g_input_stream_read_async (request->input, read_target (request), READ_SIZE, G_PRIORITY_DEFAULT,
                                 g_task_get_cancellable (task), read_cb, task);
      return;
    }

  for (guint i = 0; request->read_buffer == NULL || i < 16; i++)
    {
      g_autoptr (GError) error = NULL;
      gssize read = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (request->input), read_target (request),
                                                              READ_SIZE, g_task_get_cancellable (task), &error);

      if (read < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          if (request->read_buffer == NULL)
            g_byte_array_set_size (request->body, request->body->len - READ_SIZE);
          break;
        }
      if (!got_read (task, read, error))
        {
          g_object_unref (task);
          return;
        }
    }

  source = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (request->input), g_task_get_cancellable (task));
  g_source_set_callback (source, (GSourceFunc)(void (*) (void))readable_cb, task, g_object_unref);
  g_source_attach (source, g_task_get_context (task));
  g_source_unref (source);
}

/* A response of announced length is read into one block of that size (and the last
 * read's room): a page of SyncFolderItems runs to hundreds of kilobytes, which
 * growing by doubling would copy about once more and spread over fresh pages. */
static void
reserve_body (Request *request)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (request->msg);
  goffset             length;

  /* A compressed body's length says nothing of what is read after decoding. */
  if (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CONTENT_LENGTH || soup_message_headers_get_one (headers, "Content-Encoding") != NULL)
    return;
  length = soup_message_headers_get_content_length (headers);
  if (length <= 0 || length > EWS_CLIENT_MAX_RESPONSE_SIZE)
    return;
  g_byte_array_unref (request->body);
  request->body = g_byte_array_sized_new ((guint)length + READ_SIZE);
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  request->input = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (request->input == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_error (task, transport_error (request, error));
      return;
    }

  remember_affinity_cookie (request->self, request->msg);
  if (!g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN))
    g_debug ("%s: HTTP %u", g_task_get_name (task), soup_message_get_status (request->msg));
  if (request->event_stream != NULL)
    request->read_buffer = g_malloc (READ_SIZE);
  else
    reserve_body (request);
  read_next (g_steal_pointer (&task));
}

/* Operations that change nothing on the server may go over a kept-alive connection:
 * libsoup only reuses one for a POST marked idempotent (it resends it when the idle
 * connection turns out closed). Without that, every sync would pay a new connection —
 * and against a real server a TLS handshake and an NTLM login. */
static gboolean
is_idempotent (const char *operation)
{
  static const char *const safe[] = { "GetFolder", "SyncFolderItems", "GetItem", "GetEvents", "Unsubscribe", NULL };

  return operation != NULL && g_strv_contains (safe, operation);
}

/* Sends @task's request, once the sign-in schemes are ready; takes the task reference. */
static void
send_request (GTask *task)
{
  Request    *request = g_task_get_task_data (task);
  const char *name = g_task_get_name (task);
  GError     *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  request->msg = new_message (request->self, request->request_body, request->affinity, request, &error);
  if (request->msg == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (is_idempotent (name))
    soup_message_add_flags (request->msg, SOUP_MESSAGE_IDEMPOTENT);

  soup_session_send_async (request->session, request->msg, G_PRIORITY_DEFAULT, g_task_get_cancellable (task), send_cb,
                           task);
}

/* Starts the exchange for @task; takes the task reference. */
void
ews_client_start_request (GTask       *task,
                          SoupSession *session,
                          GBytes      *body,
                          gboolean     affinity)
{
  static const char *const connecting[] = { "GetStreamingEvents", "Subscribe", "GetFolder", NULL };
  Request                 *request = g_task_get_task_data (task);
  const char              *name = g_task_get_name (task);

  request->session = session;
  request->affinity = affinity;
  request->request_body = g_bytes_ref (body);
  request->body = g_byte_array_new ();
  ews_client_when_auth_ready (request->self, name != NULL && g_strv_contains (connecting, name), task, send_request);
}

GTask *
ews_client_new_task (EwsClient          *self,
                     gpointer            source_tag,
                     const char         *name,
                     EwsClientParseFunc  parse,
                     GDestroyNotify      result_free,
                     GCancellable       *cancellable,
                     GAsyncReadyCallback callback,
                     gpointer            user_data)
{
  GTask   *task = g_task_new (self, cancellable, callback, user_data);
  Request *request = g_new0 (Request, 1);

  g_task_set_source_tag (task, source_tag);
  g_task_set_name (task, name);
  request->self = self;
  request->parse = parse;
  request->result_free = result_free;
  g_task_set_task_data (task, request, (GDestroyNotify)request_free);
  return task;
}

gpointer
ews_client_finish_pointer (EwsClient    *self,
                           GAsyncResult *result,
                           gpointer      source_tag,
                           GError      **error)
{
  g_return_val_if_fail (EWS_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_stream_response_error (EwsEventStream *stream,
                          const GError   *error,
                          GStrv           subscription_ids,
                          Request        *request)
{
  if (request->stream_error == NULL)
    request->stream_error = g_error_copy (error);
}

/**
 * ews_client_stream_events_async:
 * @self: a client
 * @subscription_ids: (array zero-terminated=1): 1 to 200 streaming subscriptions
 * @connection_timeout_minutes: 1–30
 * @stream: the parser that receives every byte and emits the signals
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the connection ends
 * @user_data: data for @callback
 *
 * Opens GetStreamingEvents on the streaming session (no libsoup timeouts: the
 * caller's watchdog decides when a silent connection is dead). @stream is reset first.
 * The first ResponseMessage error the stream reports ends the connection.
 */
void
ews_client_stream_events_async (EwsClient          *self,
                                const char *const  *subscription_ids,
                                guint               connection_timeout_minutes,
                                EwsEventStream     *stream,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  g_autoptr (GBytes) body = NULL;
  GTask   *task;
  Request *request;

  g_return_if_fail (EWS_IS_CLIENT (self));
  g_return_if_fail (subscription_ids != NULL && subscription_ids[0] != NULL);
  g_return_if_fail (EWS_IS_EVENT_STREAM (stream));

  task = ews_client_new_task (self, ews_client_stream_events_async, "GetStreamingEvents", NULL, NULL,
                              cancellable, callback, user_data);
  request = g_task_get_task_data (task);
  request->event_stream = g_object_ref (stream);
  ews_event_stream_reset (stream);
  request->response_error_handler = g_signal_connect (stream, "response-error",
                                                      G_CALLBACK (on_stream_response_error), request);
  body = ews_request_get_streaming_events (self->server_version, subscription_ids, connection_timeout_minutes);
  ews_client_start_request (task, self->stream_session, body, TRUE);
}

/**
 * ews_client_stream_events_finish:
 * @self: a client
 * @result: the result
 * @error: return location for an error
 *
 * Returns: %TRUE when the server ended the connection normally (reissue it at
 *   once); %FALSE with the transport, HTTP, parse or first ResponseMessage error
 */
gboolean
ews_client_stream_events_finish (EwsClient    *self,
                                 GAsyncResult *result,
                                 GError      **error)
{
  g_return_val_if_fail (EWS_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ews_client_stream_events_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
