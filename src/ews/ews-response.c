/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <string.h>

#include "ews-response.h"
#include "ews-error.h"
#include "ews-item-parse-private.h"
#include "ews-notification-private.h"
#include "ews-xml-private.h"

static xmlNode *
response_messages (xmlDoc     *doc,
                   const char *response_name,
                   GError    **error)
{
  xmlNode *body = ews_xml_soap_body (doc, error);
  xmlNode *messages;

  if (body == NULL)
    return NULL;

  if (!ews_xml_is (body, EWS_NS_MESSAGES, response_name))
    {
      g_set_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL, "Expected %s, got %s",
                   response_name, (const char *)body->name);
      return NULL;
    }

  messages = ews_xml_child (body, EWS_NS_MESSAGES, "ResponseMessages");
  if (messages == NULL)
    g_set_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL, "%s without ResponseMessages", response_name);
  return messages;
}

/* The one ResponseMessage of a single-target operation, or its error. */
static xmlNode *
single_message (xmlDoc     *doc,
                const char *response_name,
                const char *message_name,
                GError    **error)
{
  xmlNode *messages = response_messages (doc, response_name, error);
  xmlNode *message;
  GError  *message_error;

  if (messages == NULL)
    return NULL;

  message = ews_xml_child (messages, EWS_NS_MESSAGES, message_name);
  if (message == NULL)
    {
      g_set_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL, "%s without %s", response_name, message_name);
      return NULL;
    }

  message_error = ews_xml_response_message_error (message);
  if (message_error != NULL)
    {
      g_propagate_error (error, message_error);
      return NULL;
    }
  return message;
}

static EwsFolderKind
folder_kind (const xmlNode *element,
             const char    *folder_class)
{
  if (strcmp ((const char *)element->name, "CalendarFolder") == 0)
    return EWS_FOLDER_KIND_CALENDAR;
  if (strcmp ((const char *)element->name, "TasksFolder") == 0)
    return EWS_FOLDER_KIND_TASKS;
  if (folder_class != NULL && g_str_has_prefix (folder_class, "IPF.Appointment"))
    return EWS_FOLDER_KIND_CALENDAR;
  if (folder_class != NULL && g_str_has_prefix (folder_class, "IPF.Task"))
    return EWS_FOLDER_KIND_TASKS;
  return EWS_FOLDER_KIND_OTHER;
}

static EwsFolder *
parse_folder_message (xmlNode *message)
{
  g_autoptr (EwsFolder) folder = ews_folder_new ();
  xmlNode *folders;
  xmlNode *element;
  xmlNode *folder_id;

  folder->error = ews_xml_response_message_error (message);
  if (folder->error != NULL)
    return g_steal_pointer (&folder);

  folders = ews_xml_child (message, EWS_NS_MESSAGES, "Folders");
  element = folders != NULL ? ews_xml_first_element (folders->children) : NULL;
  if (element == NULL)
    {
      folder->error = g_error_new (EWS_ERROR, EWS_ERROR_PROTOCOL, "GetFolderResponseMessage without a folder");
      return g_steal_pointer (&folder);
    }

  folder_id = ews_xml_child (element, EWS_NS_TYPES, "FolderId");
  folder->id = ews_xml_attr (folder_id, "Id");
  folder->change_key = ews_xml_attr (folder_id, "ChangeKey");
  folder->display_name = ews_xml_child_text (element, EWS_NS_TYPES, "DisplayName");
  folder->folder_class = ews_xml_child_text (element, EWS_NS_TYPES, "FolderClass");
  folder->kind = folder_kind (element, folder->folder_class);
  return g_steal_pointer (&folder);
}

/**
 * ews_response_parse_get_folder:
 * @data: the response body
 * @length: its length
 * @error: return location for a whole-request error
 *
 * Returns: (transfer full) (element-type EwsFolder) (nullable): one folder per
 *   requested folder, in order; a folder that failed carries only its @error
 */
GPtrArray *
ews_response_parse_get_folder (const char *data,
                               gsize       length,
                               GError    **error)
{
  g_autoptr (xmlDoc) doc = ews_xml_parse (data, length, error);
  g_autoptr (GPtrArray) folders = NULL;
  xmlNode *messages;

  if (doc == NULL || (messages = response_messages (doc, "GetFolderResponse", error)) == NULL)
    return NULL;

  folders = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_folder_free);
  for (xmlNode *m = ews_xml_child (messages, EWS_NS_MESSAGES, "GetFolderResponseMessage"); m != NULL;
       m = ews_xml_next (m, EWS_NS_MESSAGES, "GetFolderResponseMessage"))
    g_ptr_array_add (folders, parse_folder_message (m));

  return g_steal_pointer (&folders);
}

/**
 * ews_response_parse_subscribe:
 * @data: the response body
 * @length: its length
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the subscription (with its watermark for pull and push)
 */
EwsSubscription *
ews_response_parse_subscribe (const char *data,
                              gsize       length,
                              GError    **error)
{
  g_autoptr (xmlDoc) doc = ews_xml_parse (data, length, error);
  g_autofree char *id = NULL;
  g_autofree char *watermark = NULL;
  xmlNode         *message;

  if (doc == NULL || (message = single_message (doc, "SubscribeResponse", "SubscribeResponseMessage", error)) == NULL)
    return NULL;

  id = ews_xml_child_text (message, EWS_NS_MESSAGES, "SubscriptionId");
  watermark = ews_xml_child_text (message, EWS_NS_MESSAGES, "Watermark");
  if (id == NULL || *id == '\0')
    {
      g_set_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL, "SubscribeResponseMessage without SubscriptionId");
      return NULL;
    }
  return ews_subscription_new (id, watermark);
}

/**
 * ews_response_parse_get_events:
 * @data: the response body
 * @length: its length
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the notification of a pull subscription
 */
EwsNotification *
ews_response_parse_get_events (const char *data,
                               gsize       length,
                               GError    **error)
{
  g_autoptr (xmlDoc) doc = ews_xml_parse (data, length, error);
  xmlNode *message;
  xmlNode *notification;

  if (doc == NULL || (message = single_message (doc, "GetEventsResponse", "GetEventsResponseMessage", error)) == NULL)
    return NULL;

  notification = ews_xml_child_ews (message, "Notification");
  if (notification == NULL)
    {
      g_set_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL, "GetEventsResponseMessage without Notification");
      return NULL;
    }
  return ews_notification_parse (notification);
}

/**
 * ews_response_parse_unsubscribe:
 * @data: the response body
 * @length: its length
 * @error: return location for an error
 *
 * Returns: %TRUE when the subscription was removed
 */
gboolean
ews_response_parse_unsubscribe (const char *data,
                                gsize       length,
                                GError    **error)
{
  g_autoptr (xmlDoc) doc = ews_xml_parse (data, length, error);

  return doc != NULL && single_message (doc, "UnsubscribeResponse", "UnsubscribeResponseMessage", error) != NULL;
}

/**
 * ews_response_parse_sync_folder_items_tree:
 *
 * As ews_response_parse_sync_folder_items(), always with a tree: for the errors, and
 * for the tests that compare the two.
 */
EwsSyncResult *
ews_response_parse_sync_folder_items_tree (const char *data,
                                           gsize       length,
                                           GError    **error)
{
  g_autoptr (xmlDoc) doc = ews_xml_parse (data, length, error);
  g_autoptr (EwsSyncResult) result = NULL;
  g_autofree char *last = NULL;
  xmlNode         *message;
  xmlNode         *changes;

  if (doc == NULL || (message = single_message (doc, "SyncFolderItemsResponse", "SyncFolderItemsResponseMessage", error)) == NULL)
    return NULL;

  result = ews_sync_result_new ();
  result->sync_state = ews_xml_child_text (message, EWS_NS_MESSAGES, "SyncState");
  last = ews_xml_child_text (message, EWS_NS_MESSAGES, "IncludesLastItemInRange");
  result->includes_last_item_in_range = ews_xml_parse_boolean (last, TRUE);
  if (result->sync_state == NULL)
    {
      g_set_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL, "SyncFolderItemsResponseMessage without SyncState");
      return NULL;
    }

  changes = ews_xml_child (message, EWS_NS_MESSAGES, "Changes");
  for (xmlNode *node = changes != NULL ? ews_xml_first_element (changes->children) : NULL; node != NULL;
       node = ews_xml_next_element (node))
    {
      EwsSyncChange *change;

      if (!ews_xml_is (node, EWS_NS_TYPES, (const char *)node->name))
        continue;
      change = ews_sync_change_parse (node);
      if (change != NULL)
        g_ptr_array_add (result->changes, change);
    }

  return g_steal_pointer (&result);
}

/**
 * ews_response_parse_get_item:
 * @data: the response body
 * @length: its length
 * @error: return location for a whole-request error
 *
 * Returns: (transfer full) (element-type EwsItem) (nullable): one item per
 *   ResponseMessage, in order; a failed message (e.g. %EWS_ERROR_ITEM_NOT_FOUND)
 *   gives an item with only @error set
 */
GPtrArray *
ews_response_parse_get_item (const char *data,
                             gsize       length,
                             GError    **error)
{
  g_autoptr (xmlDoc) doc = ews_xml_parse (data, length, error);
  g_autoptr (GPtrArray) items = NULL;
  xmlNode *messages;

  if (doc == NULL || (messages = response_messages (doc, "GetItemResponse", error)) == NULL)
    return NULL;

  items = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_item_free);
  for (xmlNode *m = ews_xml_child (messages, EWS_NS_MESSAGES, "GetItemResponseMessage"); m != NULL;
       m = ews_xml_next (m, EWS_NS_MESSAGES, "GetItemResponseMessage"))
    {
      GError  *message_error = ews_xml_response_message_error (m);
      xmlNode *list = ews_xml_child (m, EWS_NS_MESSAGES, "Items");
      xmlNode *element = list != NULL ? ews_xml_first_element (list->children) : NULL;
      EwsItem *item;

      if (message_error == NULL && element == NULL)
        message_error = g_error_new (EWS_ERROR, EWS_ERROR_PROTOCOL, "GetItemResponseMessage without an item");
      if (message_error != NULL)
        {
          item = ews_item_new (EWS_ITEM_KIND_OTHER);
          item->error = message_error;
        }
      else
        item = ews_item_parse (element);
      g_ptr_array_add (items, item);
    }

  return g_steal_pointer (&items);
}

/**
 * ews_response_parse_send_notification:
 * @data: the body the server POSTed to a push listener
 * @length: its length
 * @error: return location for an error
 *
 * Returns: (transfer full) (element-type EwsNotification) (nullable): the notifications
 */
GPtrArray *
ews_response_parse_send_notification (const char *data,
                                      gsize       length,
                                      GError    **error)
{
  g_autoptr (xmlDoc) doc = ews_xml_parse (data, length, error);
  g_autoptr (GPtrArray) notifications = NULL;
  xmlNode *messages;

  if (doc == NULL || (messages = response_messages (doc, "SendNotification", error)) == NULL)
    return NULL;

  notifications = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_notification_free);
  for (xmlNode *m = ews_xml_child (messages, EWS_NS_MESSAGES, "SendNotificationResponseMessage"); m != NULL;
       m = ews_xml_next (m, EWS_NS_MESSAGES, "SendNotificationResponseMessage"))
    {
      GError  *message_error = ews_xml_response_message_error (m);
      xmlNode *notification = ews_xml_child_ews (m, "Notification");

      if (message_error != NULL)
        {
          g_propagate_error (error, message_error);
          return NULL;
        }
      if (notification != NULL)
        g_ptr_array_add (notifications, ews_notification_parse (notification));
    }

  if (notifications->len == 0)
    {
      g_set_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL, "SendNotification without a Notification");
      return NULL;
    }
  return g_steal_pointer (&notifications);
}

/**
 * ews_response_parse_send_notification_result:
 * @data: a push listener's answer
 * @length: its length
 * @status: (out): the SubscriptionStatus
 * @error: return location for an error
 *
 * Returns: %TRUE when @status was set
 */
gboolean
ews_response_parse_send_notification_result (const char    *data,
                                             gsize          length,
                                             EwsPushStatus *status,
                                             GError       **error)
{
  g_autoptr (xmlDoc) doc = ews_xml_parse (data, length, error);
  g_autofree char *text = NULL;
  xmlNode         *body;

  g_return_val_if_fail (status != NULL, FALSE);

  if (doc == NULL || (body = ews_xml_soap_body (doc, error)) == NULL)
    return FALSE;

  if (ews_xml_is (body, EWS_NS_MESSAGES, "SendNotificationResult"))
    text = ews_xml_child_text (body, EWS_NS_MESSAGES, "SubscriptionStatus");
  if (g_strcmp0 (text, "OK") == 0)
    *status = EWS_PUSH_STATUS_OK;
  else if (g_strcmp0 (text, "Unsubscribe") == 0)
    *status = EWS_PUSH_STATUS_UNSUBSCRIBE;
  else
    {
      g_set_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL, "Not a SendNotificationResult");
      return FALSE;
    }
  return TRUE;
}

/**
 * ews_response_parse_error:
 * @data: (nullable): a response body that came with an HTTP error status
 * @length: its length
 *
 * Returns: (transfer full) (nullable): the SOAP fault (or failed ResponseMessage)
 *   it carries, or %NULL when the body is not a SOAP envelope
 */
GError *
ews_response_parse_error (const char *data,
                          gsize       length)
{
  g_autoptr (xmlDoc) doc = NULL;
  g_autoptr (GError) parse_error = NULL;
  GError  *error = NULL;
  xmlNode *body;
  xmlNode *messages;

  if (data == NULL || length == 0)
    return NULL;
  doc = ews_xml_parse (data, length, &parse_error);
  if (doc == NULL)
    return NULL;

  body = ews_xml_soap_body (doc, &error);
  if (body == NULL)
    {
      /* A body that is not an envelope says nothing. */
      if (error != NULL && ews_xml_is (xmlDocGetRootElement (doc), EWS_NS_SOAP, "Envelope"))
        return error;
      g_clear_error (&error);
      return NULL;
    }

  messages = ews_xml_child (body, EWS_NS_MESSAGES, "ResponseMessages");
  for (xmlNode *m = messages != NULL ? ews_xml_first_element (messages->children) : NULL; m != NULL;
       m = ews_xml_next_element (m))
    {
      error = ews_xml_response_message_error (m);
      if (error != NULL)
        return error;
    }
  return NULL;
}
