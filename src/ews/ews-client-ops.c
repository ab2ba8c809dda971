/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ews-client"

#include "config.h"

#include "ews-client-private.h"
#include "ews-request.h"
#include "ews-response.h"

/* The request/response operations of EwsClient; the HTTP exchange itself is in
 * ews-client-io.c. */

/**
 * ews_client_get_folders_async:
 * @self: a client
 * @folder_refs: (element-type EwsFolderRef): the folders to resolve
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Runs GetFolder for real ids, display names and folder classes.
 */
void
ews_client_get_folders_async (EwsClient          *self,
                              GPtrArray          *folder_refs,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  g_autoptr (GBytes) body = NULL;
  GTask *task;

  g_return_if_fail (EWS_IS_CLIENT (self));
  g_return_if_fail (folder_refs != NULL && folder_refs->len > 0);

  task = ews_client_new_task (self, ews_client_get_folders_async, "GetFolder", (EwsClientParseFunc)ews_response_parse_get_folder,
                              (GDestroyNotify)g_ptr_array_unref, cancellable, callback, user_data);
  body = ews_request_get_folder (self->server_version, folder_refs);
  ews_client_start_request (task, self->session, body, FALSE);
}

/**
 * ews_client_get_folders_finish:
 * @self: a client
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full) (element-type EwsFolder): one per requested folder;
 *   failed ones carry their own error
 */
GPtrArray *
ews_client_get_folders_finish (EwsClient    *self,
                               GAsyncResult *result,
                               GError      **error)
{
  return ews_client_finish_pointer (self, result, ews_client_get_folders_async, error);
}

static void
subscribe (EwsClient          *self,
           GBytes             *body,
           GCancellable       *cancellable,
           GAsyncReadyCallback callback,
           gpointer            user_data)
{
  GTask *task = ews_client_new_task (self, ews_client_subscribe_finish, "Subscribe", (EwsClientParseFunc)ews_response_parse_subscribe,
                                     (GDestroyNotify)ews_subscription_free, cancellable, callback, user_data);

  ews_client_start_request (task, self->session, body, TRUE);
}

/**
 * ews_client_subscribe_streaming_async:
 * @self: a client
 * @folder_refs: (element-type EwsFolderRef): folders of one mailbox
 * @mask: the event types
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; call ews_client_subscribe_finish()
 * @user_data: data for @callback
 */
void
ews_client_subscribe_streaming_async (EwsClient          *self,
                                      GPtrArray          *folder_refs,
                                      EwsEventMask        mask,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data)
{
  g_autoptr (GBytes) body = NULL;

  g_return_if_fail (EWS_IS_CLIENT (self));
  g_return_if_fail (folder_refs != NULL && folder_refs->len > 0);

  body = ews_request_subscribe_streaming (self->server_version, folder_refs, mask);
  subscribe (self, body, cancellable, callback, user_data);
}

/**
 * ews_client_subscribe_pull_async:
 * @self: a client
 * @folder_refs: (element-type EwsFolderRef): folders of one mailbox
 * @mask: the event types
 * @watermark: (nullable): where to resume
 * @timeout_minutes: 1–1440
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; call ews_client_subscribe_finish()
 * @user_data: data for @callback
 */
void
ews_client_subscribe_pull_async (EwsClient          *self,
                                 GPtrArray          *folder_refs,
                                 EwsEventMask        mask,
                                 const char         *watermark,
                                 guint               timeout_minutes,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  g_autoptr (GBytes) body = NULL;

  g_return_if_fail (EWS_IS_CLIENT (self));
  g_return_if_fail (folder_refs != NULL && folder_refs->len > 0);

  body = ews_request_subscribe_pull (self->server_version, folder_refs, mask, watermark, timeout_minutes);
  subscribe (self, body, cancellable, callback, user_data);
}

/**
 * ews_client_subscribe_push_async:
 * @self: a client
 * @folder_refs: (element-type EwsFolderRef): folders of one mailbox
 * @mask: the event types
 * @watermark: (nullable): where to resume
 * @url: the listener the server will POST to
 * @status_frequency_minutes: 1–1440
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; call ews_client_subscribe_finish()
 * @user_data: data for @callback
 */
void
ews_client_subscribe_push_async (EwsClient          *self,
                                 GPtrArray          *folder_refs,
                                 EwsEventMask        mask,
                                 const char         *watermark,
                                 const char         *url,
                                 guint               status_frequency_minutes,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  g_autoptr (GBytes) body = NULL;

  g_return_if_fail (EWS_IS_CLIENT (self));
  g_return_if_fail (folder_refs != NULL && folder_refs->len > 0);
  g_return_if_fail (url != NULL);

  body = ews_request_subscribe_push (self->server_version, folder_refs, mask, watermark, url, status_frequency_minutes);
  subscribe (self, body, cancellable, callback, user_data);
}

/**
 * ews_client_subscribe_finish:
 * @self: a client
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): the subscription
 */
EwsSubscription *
ews_client_subscribe_finish (EwsClient    *self,
                             GAsyncResult *result,
                             GError      **error)
{
  return ews_client_finish_pointer (self, result, ews_client_subscribe_finish, error);
}

static gpointer
parse_unsubscribe (const char *data,
                   gsize       length,
                   GError    **error)
{
  return ews_response_parse_unsubscribe (data, length, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

/**
 * ews_client_unsubscribe_async:
 * @self: a client
 * @subscription_id: a streaming or pull subscription
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 */
void
ews_client_unsubscribe_async (EwsClient          *self,
                              const char         *subscription_id,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  g_autoptr (GBytes) body = NULL;
  GTask *task;

  g_return_if_fail (EWS_IS_CLIENT (self));
  g_return_if_fail (subscription_id != NULL);

  task = ews_client_new_task (self, ews_client_unsubscribe_async, "Unsubscribe", parse_unsubscribe, NULL,
                              cancellable, callback, user_data);
  body = ews_request_unsubscribe (self->server_version, subscription_id);
  ews_client_start_request (task, self->session, body, TRUE);
}

gboolean
ews_client_unsubscribe_finish (EwsClient    *self,
                               GAsyncResult *result,
                               GError      **error)
{
  return ews_client_finish_pointer (self, result, ews_client_unsubscribe_async, error) != NULL;
}

/**
 * ews_client_get_events_async:
 * @self: a client
 * @subscription_id: a pull subscription
 * @watermark: the last watermark received
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 */
void
ews_client_get_events_async (EwsClient          *self,
                             const char         *subscription_id,
                             const char         *watermark,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  g_autoptr (GBytes) body = NULL;
  GTask *task;

  g_return_if_fail (EWS_IS_CLIENT (self));
  g_return_if_fail (subscription_id != NULL && watermark != NULL);

  task = ews_client_new_task (self, ews_client_get_events_async, "GetEvents", (EwsClientParseFunc)ews_response_parse_get_events,
                              (GDestroyNotify)ews_notification_free, cancellable, callback, user_data);
  body = ews_request_get_events (self->server_version, subscription_id, watermark);
  ews_client_start_request (task, self->session, body, TRUE);
}

/**
 * ews_client_get_events_finish:
 * @self: a client
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): the notification; call again at once when @more_events is set
 */
EwsNotification *
ews_client_get_events_finish (EwsClient    *self,
                              GAsyncResult *result,
                              GError      **error)
{
  return ews_client_finish_pointer (self, result, ews_client_get_events_async, error);
}

/**
 * ews_client_sync_folder_items_async:
 * @self: a client
 * @folder: the folder
 * @kind: which calendar or task properties to ask for
 * @sync_state: (nullable): the state of the last sync; %NULL for a full sync
 * @max_changes: 1–512
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 */
void
ews_client_sync_folder_items_async (EwsClient          *self,
                                    const EwsFolderRef *folder,
                                    EwsFolderKind       kind,
                                    const char         *sync_state,
                                    guint               max_changes,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data)
{
  g_autoptr (GBytes) body = NULL;
  GTask *task;

  g_return_if_fail (EWS_IS_CLIENT (self));
  g_return_if_fail (folder != NULL);

  task = ews_client_new_task (self, ews_client_sync_folder_items_async, "SyncFolderItems",
                              (EwsClientParseFunc)ews_response_parse_sync_folder_items, (GDestroyNotify)ews_sync_result_free,
                              cancellable, callback, user_data);
  body = ews_request_sync_folder_items (self->server_version, folder, kind, sync_state, max_changes);
  ews_client_start_request (task, self->session, body, FALSE);
}

/**
 * ews_client_sync_folder_items_finish:
 * @self: a client
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): the changes and the new sync state
 */
EwsSyncResult *
ews_client_sync_folder_items_finish (EwsClient    *self,
                                     GAsyncResult *result,
                                     GError      **error)
{
  return ews_client_finish_pointer (self, result, ews_client_sync_folder_items_async, error);
}

/**
 * ews_client_get_items_async:
 * @self: a client
 * @item_ids: (array zero-terminated=1): the items, fetched in one batch
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 */
void
ews_client_get_items_async (EwsClient          *self,
                            const char *const  *item_ids,
                            GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data)
{
  g_autoptr (GBytes) body = NULL;
  GTask *task;

  g_return_if_fail (EWS_IS_CLIENT (self));
  g_return_if_fail (item_ids != NULL && item_ids[0] != NULL);

  task = ews_client_new_task (self, ews_client_get_items_async, "GetItem", (EwsClientParseFunc)ews_response_parse_get_item,
                              (GDestroyNotify)g_ptr_array_unref, cancellable, callback, user_data);
  body = ews_request_get_item (self->server_version, item_ids);
  ews_client_start_request (task, self->session, body, FALSE);
}

/**
 * ews_client_get_items_finish:
 * @self: a client
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full) (element-type EwsItem): one per id; a vanished item
 *   carries only an %EWS_ERROR_ITEM_NOT_FOUND error
 */
GPtrArray *
ews_client_get_items_finish (EwsClient    *self,
                             GAsyncResult *result,
                             GError      **error)
{
  return ews_client_finish_pointer (self, result, ews_client_get_items_async, error);
}
