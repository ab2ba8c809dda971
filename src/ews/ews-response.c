/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <string.h>

#include "ews-response.h"
#include "ews-error.h"
#include "ews-notification-private.h"
#include "ews-xml-private.h"

/* Enough of a body for a notification; whole bodies can be megabytes. */
#define BODY_PREVIEW_MAX_CHARS 1024

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

static void
replace_text (char   **field,
              xmlNode *node)
{
  g_free (*field);
  *field = ews_xml_text (node);
}

static void
replace_date_time (GDateTime **field,
                   xmlNode    *node)
{
  g_autofree char *text = ews_xml_text (node);

  g_clear_pointer (field, g_date_time_unref);
  *field = ews_xml_parse_date_time (text);
}

static gboolean
node_boolean (xmlNode *node)
{
  g_autofree char *text = ews_xml_text (node);

  return ews_xml_parse_boolean (text, FALSE);
}

static void
parse_mailbox (xmlNode *parent,
               char   **name,
               char   **email)
{
  xmlNode *mailbox = ews_xml_child (parent, EWS_NS_TYPES, "Mailbox");

  g_free (*name);
  g_free (*email);
  *name = ews_xml_child_text (mailbox, EWS_NS_TYPES, "Name");
  *email = ews_xml_child_text (mailbox, EWS_NS_TYPES, "EmailAddress");
}

static void
parse_attendees (EwsItem *item,
                 xmlNode *list,
                 gboolean required)
{
  if (item->attendees == NULL)
    item->attendees = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_attendee_free);

  for (xmlNode *node = ews_xml_child (list, EWS_NS_TYPES, "Attendee"); node != NULL;
       node = ews_xml_next (node, EWS_NS_TYPES, "Attendee"))
    {
      EwsAttendee *attendee = ews_attendee_new ();

      parse_mailbox (node, &attendee->name, &attendee->email);
      attendee->response = ews_xml_child_text (node, EWS_NS_TYPES, "ResponseType");
      attendee->required = required;
      g_ptr_array_add (item->attendees, attendee);
    }
}

static void
parse_body (EwsItem *item,
            xmlNode *node)
{
  g_autofree char *text = ews_xml_text (node);

  g_free (item->body_preview);
  item->body_preview = NULL;
  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return;

  g_strstrip (text);
  if (g_utf8_strlen (text, -1) > BODY_PREVIEW_MAX_CHARS)
    *g_utf8_offset_to_pointer (text, BODY_PREVIEW_MAX_CHARS) = '\0';
  item->body_preview = g_steal_pointer (&text);
}

static EwsItemKind
item_kind_from_element (const xmlNode *element)
{
  const char *name = (const char *)element->name;

  if (strcmp (name, "CalendarItem") == 0)
    return EWS_ITEM_KIND_CALENDAR;
  if (strcmp (name, "Task") == 0)
    return EWS_ITEM_KIND_TASK;
  if (strcmp (name, "Item") == 0)
    return EWS_ITEM_KIND_OTHER;
  /* Message, MeetingRequest, MeetingResponse, MeetingCancellation, … */
  return EWS_ITEM_KIND_MESSAGE;
}

static void
parse_item_property (EwsItem    *item,
                     xmlNode    *node,
                     const char *name)
{
  if (strcmp (name, "ItemId") == 0)
    {
      g_free (item->id);
      g_free (item->change_key);
      item->id = ews_xml_attr (node, "Id");
      item->change_key = ews_xml_attr (node, "ChangeKey");
    }
  else if (strcmp (name, "ParentFolderId") == 0)
    {
      g_free (item->parent_folder_id);
      item->parent_folder_id = ews_xml_attr (node, "Id");
    }
  else if (strcmp (name, "ItemClass") == 0)
    replace_text (&item->item_class, node);
  else if (strcmp (name, "Subject") == 0)
    replace_text (&item->subject, node);
  else if (strcmp (name, "Body") == 0 || (strcmp (name, "Preview") == 0 && item->body_preview == NULL))
    parse_body (item, node);
  else if (strcmp (name, "LastModifiedName") == 0)
    replace_text (&item->last_modified_name, node);
  else if (strcmp (name, "LastModifiedTime") == 0)
    replace_date_time (&item->last_modified_time, node);
  else if (strcmp (name, "WebClientReadFormQueryString") == 0)
    replace_text (&item->web_client_read_form_query_string, node);
  else if (strcmp (name, "Start") == 0)
    replace_date_time (&item->start, node);
  else if (strcmp (name, "End") == 0)
    replace_date_time (&item->end, node);
  else if (strcmp (name, "IsAllDayEvent") == 0)
    item->is_all_day = node_boolean (node);
  else if (strcmp (name, "Location") == 0)
    replace_text (&item->location, node);
  else if (strcmp (name, "Organizer") == 0)
    parse_mailbox (node, &item->organizer_name, &item->organizer_email);
  else if (strcmp (name, "IsCancelled") == 0)
    item->is_cancelled = node_boolean (node);
  else if (strcmp (name, "MyResponseType") == 0)
    replace_text (&item->my_response_type, node);
  else if (strcmp (name, "RequiredAttendees") == 0)
    parse_attendees (item, node, TRUE);
  else if (strcmp (name, "OptionalAttendees") == 0)
    parse_attendees (item, node, FALSE);
  else if (strcmp (name, "DueDate") == 0)
    replace_date_time (&item->due_date, node);
  else if (strcmp (name, "StartDate") == 0)
    replace_date_time (&item->task_start_date, node);
  else if (strcmp (name, "Status") == 0)
    {
      g_autofree char *text = ews_xml_text (node);

      item->status = ews_task_status_from_string (text);
    }
  else if (strcmp (name, "PercentComplete") == 0)
    {
      g_autofree char *text = ews_xml_text (node);
      double           value = g_ascii_strtod (text, NULL);

      item->percent_complete = (int)CLAMP (value, 0.0, 100.0);
    }
  else if (strcmp (name, "IsComplete") == 0)
    item->is_complete = node_boolean (node);
}

static EwsItem *
parse_item (xmlNode *element)
{
  EwsItem *item = ews_item_new (item_kind_from_element (element));

  for (xmlNode *node = ews_xml_first_element (element->children); node != NULL; node = ews_xml_next_element (node))
    if (ews_xml_is (node, EWS_NS_TYPES, (const char *)node->name))
      parse_item_property (item, node, (const char *)node->name);

  return item;
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

static EwsSyncChange *
parse_sync_change (xmlNode *node)
{
  const char *name = (const char *)node->name;
  g_autoptr (EwsSyncChange) change = NULL;

  if (strcmp (name, "Create") == 0 || strcmp (name, "Update") == 0)
    {
      xmlNode *element = ews_xml_first_element (node->children);

      if (element == NULL)
        return NULL;
      change = ews_sync_change_new (name[0] == 'C' ? EWS_SYNC_CHANGE_CREATE : EWS_SYNC_CHANGE_UPDATE);
      change->item = parse_item (element);
      change->item_id = g_strdup (change->item->id);
      change->change_key = g_strdup (change->item->change_key);
    }
  else if (strcmp (name, "Delete") == 0 || strcmp (name, "ReadFlagChange") == 0)
    {
      xmlNode *item_id = ews_xml_child (node, EWS_NS_TYPES, "ItemId");

      change = ews_sync_change_new (name[0] == 'D' ? EWS_SYNC_CHANGE_DELETE : EWS_SYNC_CHANGE_READ_FLAG);
      change->item_id = ews_xml_attr (item_id, "Id");
      change->change_key = ews_xml_attr (item_id, "ChangeKey");
      change->is_read = node_boolean (ews_xml_child (node, EWS_NS_TYPES, "IsRead"));
    }
  else
    return NULL;

  if (change->item_id == NULL)
    return NULL;
  return g_steal_pointer (&change);
}

/**
 * ews_response_parse_sync_folder_items:
 * @data: the response body
 * @length: its length
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the new sync state and the changes, in order
 */
EwsSyncResult *
ews_response_parse_sync_folder_items (const char *data,
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
      change = parse_sync_change (node);
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
        item = parse_item (element);
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

/* POX Autodiscover mixes the 2006 and 2006a response namespaces. */
static xmlNode *
ad_child (xmlNode    *parent,
          const char *name)
{
  xmlNode *node = ews_xml_child (parent, EWS_NS_AUTODISCOVER_RESPONSE, name);

  return node != NULL ? node : ews_xml_child (parent, EWS_NS_AUTODISCOVER, name);
}

static char *
ad_child_text (xmlNode    *parent,
               const char *name)
{
  g_autofree char *text = ews_xml_text (ad_child (parent, name));

  return text != NULL ? g_strstrip (g_steal_pointer (&text)) : NULL;
}

static void
replace_str (char      **field,
             const char *value)
{
  g_free (*field);
  *field = g_strdup (value);
}

static void
parse_autodiscover_protocols (EwsAutodiscoverResult *result,
                              xmlNode               *account)
{
  for (xmlNode *node = ews_xml_first_element (account->children); node != NULL; node = ews_xml_next_element (node))
    {
      g_autofree char *type = NULL;
      g_autofree char *url = NULL;

      if (!ews_xml_is (node, EWS_NS_AUTODISCOVER_RESPONSE, "Protocol") && !ews_xml_is (node, EWS_NS_AUTODISCOVER, "Protocol"))
        continue;

      type = ad_child_text (node, "Type");
      url = ad_child_text (node, "EwsUrl");
      if (g_strcmp0 (type, "EXPR") == 0)
        {
          g_autofree char *grouping = ad_child_text (node, "GroupingInformation");

          if (url != NULL)
            replace_str (&result->ews_url, url);
          if (grouping != NULL)
            replace_str (&result->grouping_information, grouping);
        }
      else if (g_strcmp0 (type, "EXCH") == 0)
        {
          g_autofree char *grouping = ad_child_text (node, "GroupingInformation");

          if (url != NULL)
            replace_str (&result->internal_ews_url, url);
          if (grouping != NULL && result->grouping_information == NULL)
            replace_str (&result->grouping_information, grouping);
        }
    }

  if (result->ews_url == NULL && result->internal_ews_url != NULL)
    result->ews_url = g_strdup (result->internal_ews_url);
}

static gboolean
parse_autodiscover_error (EwsAutodiscoverResult *result,
                          xmlNode               *parent)
{
  xmlNode *node = ad_child (parent, "Error");

  if (node == NULL)
    return FALSE;
  result->action = EWS_AUTODISCOVER_ACTION_ERROR;
  result->error_code = ad_child_text (node, "ErrorCode");
  result->error_message = ad_child_text (node, "Message");
  return TRUE;
}

/**
 * ews_response_parse_autodiscover:
 * @data: a POX Autodiscover response
 * @length: its length
 * @error: return location for an error
 *
 * An Autodiscover Error element is a result (action error), not a #GError.
 *
 * Returns: (transfer full) (nullable): the action and its data
 */
EwsAutodiscoverResult *
ews_response_parse_autodiscover (const char *data,
                                 gsize       length,
                                 GError    **error)
{
  g_autoptr (xmlDoc) doc = ews_xml_parse (data, length, error);
  g_autoptr (EwsAutodiscoverResult) result = NULL;
  g_autofree char *action = NULL;
  xmlNode         *root;
  xmlNode         *response;
  xmlNode         *account;

  if (doc == NULL)
    return NULL;

  root = xmlDocGetRootElement (doc);
  response = ews_xml_is (root, EWS_NS_AUTODISCOVER, "Autodiscover") ? ad_child (root, "Response") : NULL;
  if (response == NULL)
    {
      g_set_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL, "Not an Autodiscover response");
      return NULL;
    }

  result = ews_autodiscover_result_new ();
  if (parse_autodiscover_error (result, response))
    return g_steal_pointer (&result);

  account = ad_child (response, "Account");
  if (account == NULL)
    {
      g_set_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL, "Autodiscover response without Account");
      return NULL;
    }
  if (parse_autodiscover_error (result, account))
    return g_steal_pointer (&result);

  result->display_name = ad_child_text (ad_child (response, "User"), "DisplayName");
  action = ad_child_text (account, "Action");
  if (g_strcmp0 (action, "redirectAddr") == 0)
    {
      result->action = EWS_AUTODISCOVER_ACTION_REDIRECT_ADDR;
      result->redirect = ad_child_text (account, "RedirectAddr");
    }
  else if (g_strcmp0 (action, "redirectUrl") == 0)
    {
      result->action = EWS_AUTODISCOVER_ACTION_REDIRECT_URL;
      result->redirect = ad_child_text (account, "RedirectURL");
    }
  else
    {
      result->action = EWS_AUTODISCOVER_ACTION_SETTINGS;
      parse_autodiscover_protocols (result, account);
      if (result->ews_url == NULL)
        {
          g_set_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL, "Autodiscover settings without an EwsUrl");
          return NULL;
        }
    }

  if (result->action != EWS_AUTODISCOVER_ACTION_SETTINGS && result->redirect == NULL)
    {
      g_set_error (error, EWS_ERROR, EWS_ERROR_PROTOCOL, "Autodiscover %s without a target", action);
      return NULL;
    }
  return g_steal_pointer (&result);
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
