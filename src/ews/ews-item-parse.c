/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <string.h>

#include "ews-item-parse-private.h"
#include "ews-xml-private.h"

/* Items as GetItem and SyncFolderItems return them: one element per item (CalendarItem,
 * Task, Message, …) whose children are its properties, in any order. */

/* Enough of a body for a notification; whole bodies can be megabytes. */
#define BODY_PREVIEW_MAX_CHARS 1024

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

/**
 * ews_item_parse:
 * @element: a CalendarItem, Task, Message or other item element
 *
 * Unknown properties are skipped; missing ones stay unset.
 *
 * Returns: (transfer full): the item
 */
EwsItem *
ews_item_parse (xmlNode *element)
{
  EwsItem *item = ews_item_new (item_kind_from_element (element));

  for (xmlNode *node = ews_xml_first_element (element->children); node != NULL; node = ews_xml_next_element (node))
    if (ews_xml_is (node, EWS_NS_TYPES, (const char *)node->name))
      parse_item_property (item, node, (const char *)node->name);

  return item;
}

/**
 * ews_sync_change_parse:
 * @node: a Create, Update, Delete or ReadFlagChange element of SyncFolderItems
 *
 * Returns: (transfer full) (nullable): the change, or %NULL for another element or
 *   one without an ItemId
 */
EwsSyncChange *
ews_sync_change_parse (xmlNode *node)
{
  const char *name = (const char *)node->name;
  g_autoptr (EwsSyncChange) change = NULL;

  if (strcmp (name, "Create") == 0 || strcmp (name, "Update") == 0)
    {
      xmlNode *element = ews_xml_first_element (node->children);

      if (element == NULL)
        return NULL;
      change = ews_sync_change_new (name[0] == 'C' ? EWS_SYNC_CHANGE_CREATE : EWS_SYNC_CHANGE_UPDATE);
      change->item = ews_item_parse (element);
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
