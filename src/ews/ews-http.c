/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ews-http"

#include "config.h"

#include "ews-http-private.h"
#include "ews-error.h"

#define READ_SIZE 16384

typedef struct
{
  SoupMessage         *msg;
  GBytes              *request_body;
  EwsClientTrust      *trust;
  EwsHttpAuthFunc      auth_func;
  gpointer             auth_data;
  gsize                max_size;
  GInputStream        *input;
  GByteArray          *body;
  GTlsCertificate     *rejected_certificate;
  GTlsCertificateFlags rejected_errors;
} Exchange;

static void
exchange_free (Exchange *exchange)
{
  g_signal_handlers_disconnect_by_data (exchange->msg, exchange);
  g_clear_object (&exchange->msg);
  g_clear_pointer (&exchange->request_body, g_bytes_unref);
  g_clear_object (&exchange->input);
  g_clear_pointer (&exchange->body, g_byte_array_unref);
  g_clear_object (&exchange->rejected_certificate);
  g_free (exchange);
}

static gboolean
on_authenticate (SoupMessage *msg,
                 SoupAuth    *auth,
                 gboolean     retrying,
                 Exchange    *exchange)
{
  return exchange->auth_func (msg, auth, retrying, exchange->auth_data);
}

static gboolean
on_accept_certificate (SoupMessage         *msg,
                       GTlsCertificate     *certificate,
                       GTlsCertificateFlags errors,
                       Exchange            *exchange)
{
  if (ews_client_trust_accepts (exchange->trust, soup_message_get_uri (msg), certificate))
    {
      g_debug ("Accepting the certificate of %s (extra CA or pinned)", g_uri_get_host (soup_message_get_uri (msg)));
      return TRUE;
    }

  g_set_object (&exchange->rejected_certificate, certificate);
  exchange->rejected_errors = errors;
  return FALSE;
}

/* libsoup 3.2 resends a restarted request (authentication) with the consumed body. */
static void
on_restarted (SoupMessage *msg,
              Exchange    *exchange)
{
  if (exchange->request_body != NULL)
    soup_message_set_request_body_from_bytes (msg, "text/xml; charset=utf-8", exchange->request_body);
}

static void read_next (GTask *task);

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Exchange *exchange = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  gsize       length = 0;
  const char *data = bytes != NULL ? g_bytes_get_data (bytes, &length) : NULL;

  if (bytes == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (length == 0)
    {
      g_clear_object (&exchange->input);
      g_task_return_pointer (task, g_byte_array_free_to_bytes (g_steal_pointer (&exchange->body)),
                             (GDestroyNotify)g_bytes_unref);
      return;
    }
  if (exchange->body->len + length > exchange->max_size)
    {
      g_task_return_new_error (task, EWS_ERROR, EWS_ERROR_PROTOCOL, "The response is larger than %" G_GSIZE_FORMAT " bytes",
                               exchange->max_size);
      return;
    }
  g_byte_array_append (exchange->body, (const guint8 *)data, (guint)length);
  read_next (g_steal_pointer (&task));
}

static void
read_next (GTask *task)
{
  Exchange *exchange = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (exchange->input, READ_SIZE, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                   read_cb, task);
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Exchange *exchange = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  GUri *uri = soup_message_get_uri (exchange->msg);

  exchange->input = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (exchange->input != NULL)
    {
      read_next (g_steal_pointer (&task));
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_error (task, g_steal_pointer (&error));
  else if (exchange->rejected_certificate != NULL)
    g_task_return_error (task, ews_client_tls_error_new (uri, exchange->rejected_certificate, exchange->rejected_errors));
  else if (error->domain == G_TLS_ERROR)
    g_task_return_error (task, ews_client_tls_error_new (uri, soup_message_get_tls_peer_certificate (exchange->msg),
                                                         soup_message_get_tls_peer_certificate_errors (exchange->msg)));
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

/**
 * ews_http_send_async:
 * @session: the session
 * @msg: the request, with its body set already
 * @body: (nullable): the request body, set again when the request restarts
 * @trust: certificates trusted beyond the system store; must outlive the exchange
 * @auth_func: (nullable): answers authentication; %NULL sends no credentials at all
 * @auth_data: data for @auth_func; must outlive the exchange
 * @max_size: the largest body read
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the whole body was read or the exchange failed
 * @user_data: data for @callback
 *
 * Any HTTP status is an answer (read it from @msg). Failures are %G_IO_ERROR_CANCELLED,
 * %EWS_ERROR_TLS with the refused certificate attached, %EWS_ERROR_PROTOCOL for an
 * oversized body, or the transport's own error.
 */
void
ews_http_send_async (SoupSession        *session,
                     SoupMessage        *msg,
                     GBytes             *body,
                     EwsClientTrust     *trust,
                     EwsHttpAuthFunc     auth_func,
                     gpointer            auth_data,
                     gsize               max_size,
                     GCancellable       *cancellable,
                     GAsyncReadyCallback callback,
                     gpointer            user_data)
{
  GTask    *task = g_task_new (NULL, cancellable, callback, user_data);
  Exchange *exchange = g_new0 (Exchange, 1);

  g_task_set_source_tag (task, ews_http_send_async);
  exchange->msg = g_object_ref (msg);
  exchange->request_body = body != NULL ? g_bytes_ref (body) : NULL;
  exchange->trust = trust;
  exchange->auth_func = auth_func;
  exchange->auth_data = auth_data;
  exchange->max_size = max_size;
  exchange->body = g_byte_array_new ();
  g_task_set_task_data (task, exchange, (GDestroyNotify)exchange_free);

  g_signal_connect (msg, "accept-certificate", G_CALLBACK (on_accept_certificate), exchange);
  g_signal_connect (msg, "restarted", G_CALLBACK (on_restarted), exchange);
  if (auth_func != NULL)
    g_signal_connect (msg, "authenticate", G_CALLBACK (on_authenticate), exchange);
  else
    soup_message_disable_feature (msg, SOUP_TYPE_AUTH_MANAGER);

  soup_session_send_async (session, msg, G_PRIORITY_DEFAULT, cancellable, send_cb, task);
}

/**
 * ews_http_send_finish:
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): the response body (perhaps empty)
 */
GBytes *
ews_http_send_finish (GAsyncResult *result,
                      GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ews_http_send_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ews_http_error_is_unreachable:
 * @error: a transport error from ews_http_send_finish()
 *
 * Returns: %TRUE when no HTTP answer could come at all: the name did not resolve,
 *   the connection was refused, timed out or the network is down
 */
gboolean
ews_http_error_is_unreachable (const GError *error)
{
  static const GIOErrorEnum codes[] = {
    G_IO_ERROR_HOST_NOT_FOUND,
    G_IO_ERROR_HOST_UNREACHABLE,
    G_IO_ERROR_NETWORK_UNREACHABLE,
    G_IO_ERROR_CONNECTION_REFUSED,
    G_IO_ERROR_TIMED_OUT,
    G_IO_ERROR_PROXY_FAILED,
    G_IO_ERROR_PROXY_AUTH_FAILED,
    G_IO_ERROR_PROXY_NOT_ALLOWED,
  };

  if (error->domain == G_RESOLVER_ERROR)
    return TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (codes); i++)
    if (g_error_matches (error, G_IO_ERROR, codes[i]))
      return TRUE;
  return FALSE;
}
