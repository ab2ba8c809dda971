/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ews-client"

#include "config.h"

#include "ews-client-private.h"
#include "ews-error.h"
#include "ews-http-private.h"
#include "ews-request.h"
#include "ews-response.h"
#include "ews-xml-private.h"

/* The sign-in check: one GetFolder of the calendar and the tasks, with every way it
 * can fail told apart, so "Test connection" can say which step went wrong. */

#define CHECK_MAX_RESPONSE_SIZE (1024 * 1024)

typedef struct
{
  SoupMessage *msg;
  GBytes      *body;
  char        *server_version;
} Check;

static void
check_free (Check *check)
{
  g_clear_object (&check->msg);
  g_clear_pointer (&check->body, g_bytes_unref);
  g_free (check->server_version);
  g_free (check);
}

static gboolean
check_authenticate (SoupMessage *msg,
                    SoupAuth    *auth,
                    gboolean     retrying,
                    gpointer     user_data)
{
  EwsClient *self = user_data;
  gboolean   handled = FALSE;

  g_signal_emit_by_name (self, "authenticate", msg, auth, retrying, &handled);
  if (handled)
    return TRUE;
  if (retrying || self->username == NULL || self->password == NULL)
    return ews_auth_decline (auth);

  g_debug ("Sign-in check: answering %s authentication", soup_auth_get_scheme_name (auth));
  return ews_auth_answer (auth, self->username, self->password);
}

/* "15.1.2507.6" from the SOAP header's ServerVersionInfo, or its Version alone. */
static char *
server_version_of (xmlDoc *doc)
{
  xmlNode         *header = ews_xml_child (xmlDocGetRootElement (doc), EWS_NS_SOAP, "Header");
  xmlNode         *info = header != NULL ? ews_xml_child (header, EWS_NS_TYPES, "ServerVersionInfo") : NULL;
  g_autofree char *major = NULL;
  g_autofree char *minor = NULL;
  g_autofree char *build = NULL;
  g_autofree char *revision = NULL;

  if (info == NULL)
    return NULL;
  major = ews_xml_attr (info, "MajorVersion");
  minor = ews_xml_attr (info, "MinorVersion");
  build = ews_xml_attr (info, "MajorBuildNumber");
  revision = ews_xml_attr (info, "MinorBuildNumber");
  if (major == NULL || minor == NULL || build == NULL || revision == NULL)
    return ews_xml_attr (info, "Version");
  return g_strdup_printf ("%s.%s.%s.%s", major, minor, build, revision);
}

static GError *
not_ews_error (SoupMessage *msg)
{
  const char *reason = soup_message_get_reason_phrase (msg);

  return g_error_new (EWS_ERROR, EWS_ERROR_NOT_SUPPORTED, "This server does not offer EWS at this address (HTTP %u %s)",
                      soup_message_get_status (msg), reason != NULL ? reason : "");
}

static GError *
transport_error (SoupMessage *msg,
                 GError      *error)
{
  const char *host = g_uri_get_host (soup_message_get_uri (msg));

  if (error->domain == EWS_ERROR || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);
  if (ews_http_error_is_unreachable (error))
    return g_error_new (EWS_ERROR, EWS_ERROR_UNREACHABLE, "The server could not be reached (%s)", error->message);
  return g_error_new (EWS_ERROR, EWS_ERROR_FAILED, "The connection to %s failed: %s", host, error->message);
}

/* Maps an HTTP answer; NULL when the server offers EWS and accepted the credentials. */
static GError *
answer_error (SoupMessage *msg,
              GBytes      *body,
              Check       *check)
{
  guint       status = soup_message_get_status (msg);
  gsize       length = 0;
  const char *data = g_bytes_get_data (body, &length);
  g_autoptr (xmlDoc) doc = NULL;
  g_autoptr (GPtrArray) folders = NULL;
  GError *error = NULL;

  if (status == SOUP_STATUS_UNAUTHORIZED)
    return g_error_new (EWS_ERROR, EWS_ERROR_AUTH, "The server rejected the password or user name (HTTP 401)");

  doc = length > 0 ? ews_xml_parse (data, length, NULL) : NULL;
  if (doc == NULL || !ews_xml_is (xmlDocGetRootElement (doc), EWS_NS_SOAP, "Envelope"))
    {
      if (status == SOUP_STATUS_SERVICE_UNAVAILABLE)
        return g_error_new (EWS_ERROR, EWS_ERROR_SERVER_BUSY, "The server is busy (HTTP 503); try again later");
      if (SOUP_STATUS_IS_SERVER_ERROR (status))
        return g_error_new (EWS_ERROR, EWS_ERROR_FAILED, "The server failed to answer (HTTP %u %s)", status,
                            soup_message_get_reason_phrase (msg));
      return not_ews_error (msg);
    }

  check->server_version = server_version_of (doc);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      error = ews_response_parse_error (data, length);
      return error != NULL ? error : not_ews_error (msg);
    }

  folders = ews_response_parse_get_folder (data, length, &error);
  if (folders == NULL)
    return error;
  for (guint i = 0; i < folders->len; i++)
    {
      EwsFolder *folder = g_ptr_array_index (folders, i);

      if (folder->error != NULL)
        {
          error = g_error_copy (folder->error);
          g_prefix_error (&error, "The server accepted the sign-in, but the %s folder cannot be read: ",
                          i == 0 ? "calendar" : "tasks");
          return error;
        }
    }
  return NULL;
}

static void
check_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Check *check = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = ews_http_send_finish (result, &error);
  GError *failure;

  if (body == NULL)
    {
      g_debug ("Sign-in check: %s", error->message);
      g_task_return_error (task, transport_error (check->msg, error));
      return;
    }

  g_debug ("Sign-in check: HTTP %u", soup_message_get_status (check->msg));
  failure = answer_error (check->msg, body, check);
  if (failure != NULL)
    g_task_return_error (task, failure);
  else
    g_task_return_boolean (task, TRUE);
}

/* Sends the check, once the sign-in schemes are ready; takes the task reference. */
static void
send_check (GTask *task)
{
  EwsClient *self = g_task_get_source_object (task);
  Check     *check = g_task_get_task_data (task);

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  /* The task keeps self, and with it the trust and the credentials, alive. */
  ews_http_send_async (self->session, check->msg, check->body, &self->trust, check_authenticate, self,
                       CHECK_MAX_RESPONSE_SIZE, g_task_get_cancellable (task), check_cb, task);
}

/**
 * ews_client_check_async:
 * @self: a client
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Checks that the client's URL offers EWS and that the server accepts the
 * credentials, with a GetFolder of the calendar and the tasks. The failures are
 * told apart: %EWS_ERROR_AUTH (password or user name rejected), %EWS_ERROR_TLS
 * (certificate not trusted; ews_error_get_peer_certificate() has it),
 * %EWS_ERROR_NOT_SUPPORTED (no EWS at this address), %EWS_ERROR_UNREACHABLE (no
 * connection), or what the server said.
 */
void
ews_client_check_async (EwsClient          *self,
                        GCancellable       *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GPtrArray) refs = NULL;
  g_autoptr (GBytes) body = NULL;
  Check *check;

  g_return_if_fail (EWS_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ews_client_check_async);
  g_task_set_name (task, "ews_client_check");
  check = g_new0 (Check, 1);
  g_task_set_task_data (task, check, (GDestroyNotify)check_free);

  check->msg = soup_message_new (SOUP_METHOD_POST, self->url);
  if (check->msg == NULL)
    {
      g_task_return_new_error (task, EWS_ERROR, EWS_ERROR_FAILED, "Invalid EWS URL “%s”", self->url);
      return;
    }

  refs = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_folder_ref_free);
  g_ptr_array_add (refs, ews_folder_ref_new_distinguished ("calendar", NULL));
  g_ptr_array_add (refs, ews_folder_ref_new_distinguished ("tasks", NULL));
  body = ews_request_get_folder (self->server_version, refs);

  soup_message_add_flags (check->msg, SOUP_MESSAGE_NO_REDIRECT | SOUP_MESSAGE_IDEMPOTENT);
  soup_message_set_request_body_from_bytes (check->msg, "text/xml; charset=utf-8", body);
  if (self->anchor_mailbox != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (check->msg), "X-AnchorMailbox", self->anchor_mailbox);

  check->body = g_steal_pointer (&body);
  ews_client_when_auth_ready (self, TRUE, g_steal_pointer (&task), send_check);
}

/**
 * ews_client_check_finish:
 * @self: a client
 * @result: the result
 * @server_version: (out) (optional) (nullable): the server's build ("15.1.2507.6"), when it said
 * @error: return location for an error
 *
 * Returns: %TRUE when the server offers EWS at the URL and accepted the credentials
 */
gboolean
ews_client_check_finish (EwsClient    *self,
                         GAsyncResult *result,
                         char        **server_version,
                         GError      **error)
{
  Check *check;

  g_return_val_if_fail (EWS_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ews_client_check_async, FALSE);

  if (server_version != NULL)
    *server_version = NULL;
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  check = g_task_get_task_data (G_TASK (result));
  if (server_version != NULL)
    *server_version = g_strdup (check->server_version);
  return TRUE;
}
