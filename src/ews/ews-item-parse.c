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
replace_string (char      **field,
                const char *text)
{
  g_free (*field);
  *field = g_strdup (text);
}

static gint64
node_time (xmlNode *node)
{
  g_autofree char *text = ews_xml_text (node);

  return ews_xml_parse_time (text);
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

/* Takes @text. */
static void
set_body (EwsItem *item,
          char    *text)
{
  g_free (item->body_preview);
  item->body_preview = NULL;
  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    {
      g_free (text);
      return;
    }

  g_strstrip (text);
  if (g_utf8_strlen (text, -1) > BODY_PREVIEW_MAX_CHARS)
    *g_utf8_offset_to_pointer (text, BODY_PREVIEW_MAX_CHARS) = '\0';
  item->body_preview = g_steal_pointer (&text);
}

static void
parse_body (EwsItem *item,
            xmlNode *node)
{
  set_body (item, ews_xml_text (node));
}

static EwsItemKind
item_kind_from_name (const char *name)
{
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
    item->last_modified_time = node_time (node);
  else if (strcmp (name, "WebClientReadFormQueryString") == 0)
    replace_text (&item->web_client_read_form_query_string, node);
  else if (strcmp (name, "Start") == 0)
    item->start = node_time (node);
  else if (strcmp (name, "End") == 0)
    item->end = node_time (node);
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
    item->due_date = node_time (node);
  else if (strcmp (name, "StartDate") == 0)
    item->task_start_date = node_time (node);
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
  EwsItem *item = ews_item_new (item_kind_from_name ((const char *)element->name));

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

/* The same from a walk of the document */

typedef enum
{
  ROLE_IGNORE,
  ROLE_ITEM,
  /* properties read from their text */
  ROLE_ITEM_CLASS,
  ROLE_SUBJECT,
  ROLE_BODY,
  ROLE_PREVIEW,
  ROLE_LAST_MODIFIED_NAME,
  ROLE_LAST_MODIFIED_TIME,
  ROLE_WEB_LINK,
  ROLE_START,
  ROLE_END,
  ROLE_ALL_DAY,
  ROLE_LOCATION,
  ROLE_CANCELLED,
  ROLE_MY_RESPONSE,
  ROLE_DUE,
  ROLE_TASK_START,
  ROLE_STATUS,
  ROLE_PERCENT,
  ROLE_COMPLETE,
  ROLE_ORGANIZER_NAME,
  ROLE_ORGANIZER_EMAIL,
  ROLE_ATTENDEE_NAME,
  ROLE_ATTENDEE_EMAIL,
  ROLE_ATTENDEE_RESPONSE,
  /* elements read from their children */
  ROLE_ORGANIZER,
  ROLE_ORGANIZER_MAILBOX,
  ROLE_REQUIRED_ATTENDEES,
  ROLE_OPTIONAL_ATTENDEES,
  ROLE_ATTENDEE,
  ROLE_ATTENDEE_MAILBOX,
} Role;

#define FIRST_TEXT_ROLE ROLE_ITEM_CLASS
#define LAST_TEXT_ROLE  ROLE_ATTENDEE_RESPONSE

/* The first child of each name counts, as ews_xml_child() finds it. */
#define SEEN_MAILBOX  (1 << 0)
#define SEEN_NAME     (1 << 1)
#define SEEN_EMAIL    (1 << 2)
#define SEEN_RESPONSE (1 << 3)

static const struct
{
  const char *name;
  Role        role;
} property_roles[] = {
  { "ItemClass", ROLE_ITEM_CLASS },
  { "Subject", ROLE_SUBJECT },
  { "Body", ROLE_BODY },
  { "Preview", ROLE_PREVIEW },
  { "LastModifiedName", ROLE_LAST_MODIFIED_NAME },
  { "LastModifiedTime", ROLE_LAST_MODIFIED_TIME },
  { "WebClientReadFormQueryString", ROLE_WEB_LINK },
  { "Start", ROLE_START },
  { "End", ROLE_END },
  { "IsAllDayEvent", ROLE_ALL_DAY },
  { "Location", ROLE_LOCATION },
  { "Organizer", ROLE_ORGANIZER },
  { "IsCancelled", ROLE_CANCELLED },
  { "MyResponseType", ROLE_MY_RESPONSE },
  { "RequiredAttendees", ROLE_REQUIRED_ATTENDEES },
  { "OptionalAttendees", ROLE_OPTIONAL_ATTENDEES },
  { "DueDate", ROLE_DUE },
  { "StartDate", ROLE_TASK_START },
  { "Status", ROLE_STATUS },
  { "PercentComplete", ROLE_PERCENT },
  { "IsComplete", ROLE_COMPLETE },
};

/* @text collects the text of properties: the caller's, reused from item to item. */
void
ews_item_sax_begin (EwsItemSax *walk,
                    const char *element_name,
                    GString    *text)
{
  memset (walk, 0, sizeof *walk);
  walk->item = ews_item_new (item_kind_from_name (element_name));
  walk->roles[0] = ROLE_ITEM;
  walk->text = text;
}

/* A child of the item: which property it is, read at once from its attributes or
 * later from its text or children. */
static Role
property_role (EwsItemSax     *walk,
               const char     *name,
               int             n_attributes,
               const xmlChar **attributes)
{
  EwsItem *item = walk->item;

  if (strcmp (name, "ItemId") == 0)
    {
      g_free (item->id);
      g_free (item->change_key);
      item->id = ews_xml_sax_attr (n_attributes, attributes, "Id");
      item->change_key = ews_xml_sax_attr (n_attributes, attributes, "ChangeKey");
      return ROLE_IGNORE;
    }
  if (strcmp (name, "ParentFolderId") == 0)
    {
      g_free (item->parent_folder_id);
      item->parent_folder_id = ews_xml_sax_attr (n_attributes, attributes, "Id");
      return ROLE_IGNORE;
    }
  /* Most names differ in their first letter: no call for those. */
  for (gsize i = 0; i < G_N_ELEMENTS (property_roles); i++)
    if (name[0] == property_roles[i].name[0] && strcmp (name, property_roles[i].name) == 0)
      return property_roles[i].role;
  return ROLE_IGNORE;
}

static gboolean
first_of (EwsItemSax *walk,
          guint       bit)
{
  guint8 *seen = &walk->seen[walk->depth - 1];

  if (*seen & bit)
    return FALSE;
  *seen |= bit;
  return TRUE;
}

void
ews_item_sax_start (EwsItemSax     *walk,
                    const char     *ns,
                    const char     *name,
                    int             n_attributes,
                    const xmlChar **attributes)
{
  Role parent = walk->depth <= EWS_ITEM_SAX_MAX_DEPTH ? walk->roles[walk->depth] : ROLE_IGNORE;
  Role role = ROLE_IGNORE;

  walk->depth++;
  if (walk->depth > EWS_ITEM_SAX_MAX_DEPTH)
    return;

  if (ews_xml_ns_is (ns, ews_xml_ns_types))
    switch (parent)
      {
      case ROLE_ITEM:
        role = property_role (walk, name, n_attributes, attributes);
        break;
      case ROLE_ORGANIZER:
        if (strcmp (name, "Mailbox") == 0 && first_of (walk, SEEN_MAILBOX))
          role = ROLE_ORGANIZER_MAILBOX;
        break;
      case ROLE_ORGANIZER_MAILBOX:
        if (strcmp (name, "Name") == 0 && first_of (walk, SEEN_NAME))
          role = ROLE_ORGANIZER_NAME;
        else if (strcmp (name, "EmailAddress") == 0 && first_of (walk, SEEN_EMAIL))
          role = ROLE_ORGANIZER_EMAIL;
        break;
      case ROLE_REQUIRED_ATTENDEES:
      case ROLE_OPTIONAL_ATTENDEES:
        if (strcmp (name, "Attendee") == 0)
          {
            walk->attendee = ews_attendee_new ();
            walk->attendee->required = parent == ROLE_REQUIRED_ATTENDEES;
            g_ptr_array_add (walk->item->attendees, walk->attendee);
            role = ROLE_ATTENDEE;
          }
        break;
      case ROLE_ATTENDEE:
        if (strcmp (name, "Mailbox") == 0 && first_of (walk, SEEN_MAILBOX))
          role = ROLE_ATTENDEE_MAILBOX;
        else if (strcmp (name, "ResponseType") == 0 && first_of (walk, SEEN_RESPONSE))
          role = ROLE_ATTENDEE_RESPONSE;
        break;
      case ROLE_ATTENDEE_MAILBOX:
        if (strcmp (name, "Name") == 0 && first_of (walk, SEEN_NAME))
          role = ROLE_ATTENDEE_NAME;
        else if (strcmp (name, "EmailAddress") == 0 && first_of (walk, SEEN_EMAIL))
          role = ROLE_ATTENDEE_EMAIL;
        break;
      default:
        break;
      }

  walk->roles[walk->depth] = role;
  walk->seen[walk->depth] = 0;
  if (role == ROLE_ORGANIZER)
    {
      /* as parse_mailbox(): an Organizer without a Mailbox names nobody */
      g_clear_pointer (&walk->item->organizer_name, g_free);
      g_clear_pointer (&walk->item->organizer_email, g_free);
    }
  else if ((role == ROLE_REQUIRED_ATTENDEES || role == ROLE_OPTIONAL_ATTENDEES) && walk->item->attendees == NULL)
    walk->item->attendees = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_attendee_free);
  if (role >= FIRST_TEXT_ROLE && role <= LAST_TEXT_ROLE && walk->collect_depth == 0)
    {
      walk->collect_depth = walk->depth;
      g_string_truncate (walk->text, 0);
    }
}

static void
apply_text (EwsItemSax *walk,
            Role        role,
            const char *text)
{
  EwsItem *item = walk->item;

  switch (role)
    {
    case ROLE_ITEM_CLASS:
      replace_string (&item->item_class, text);
      break;
    case ROLE_SUBJECT:
      replace_string (&item->subject, text);
      break;
    case ROLE_PREVIEW:
      if (item->body_preview != NULL)
        break;
      G_GNUC_FALLTHROUGH;
    case ROLE_BODY:
      set_body (item, g_strdup (text));
      break;
    case ROLE_LAST_MODIFIED_NAME:
      replace_string (&item->last_modified_name, text);
      break;
    case ROLE_LAST_MODIFIED_TIME:
      item->last_modified_time = ews_xml_parse_time (text);
      break;
    case ROLE_WEB_LINK:
      replace_string (&item->web_client_read_form_query_string, text);
      break;
    case ROLE_START:
      item->start = ews_xml_parse_time (text);
      break;
    case ROLE_END:
      item->end = ews_xml_parse_time (text);
      break;
    case ROLE_ALL_DAY:
      item->is_all_day = ews_xml_parse_boolean (text, FALSE);
      break;
    case ROLE_LOCATION:
      replace_string (&item->location, text);
      break;
    case ROLE_CANCELLED:
      item->is_cancelled = ews_xml_parse_boolean (text, FALSE);
      break;
    case ROLE_MY_RESPONSE:
      replace_string (&item->my_response_type, text);
      break;
    case ROLE_DUE:
      item->due_date = ews_xml_parse_time (text);
      break;
    case ROLE_TASK_START:
      item->task_start_date = ews_xml_parse_time (text);
      break;
    case ROLE_STATUS:
      item->status = ews_task_status_from_string (text);
      break;
    case ROLE_PERCENT:
      item->percent_complete = (int)CLAMP (g_ascii_strtod (text, NULL), 0.0, 100.0);
      break;
    case ROLE_COMPLETE:
      item->is_complete = ews_xml_parse_boolean (text, FALSE);
      break;
    case ROLE_ORGANIZER_NAME:
      replace_string (&item->organizer_name, text);
      break;
    case ROLE_ORGANIZER_EMAIL:
      replace_string (&item->organizer_email, text);
      break;
    case ROLE_ATTENDEE_NAME:
      replace_string (&walk->attendee->name, text);
      break;
    case ROLE_ATTENDEE_EMAIL:
      replace_string (&walk->attendee->email, text);
      break;
    case ROLE_ATTENDEE_RESPONSE:
      replace_string (&walk->attendee->response, text);
      break;
    default:
      g_assert_not_reached ();
    }
}

void
ews_item_sax_end (EwsItemSax *walk)
{
  g_assert (walk->depth > 0);

  if (walk->collect_depth == walk->depth)
    {
      apply_text (walk, walk->roles[walk->depth], walk->text->str);
      walk->collect_depth = 0;
    }
  walk->depth--;
}

void
ews_item_sax_text (EwsItemSax *walk,
                   const char *text,
                   gsize       length)
{
  if (walk->collect_depth > 0)
    g_string_append_len (walk->text, text, length);
}

/* Returns: (transfer full): the item, at the end of its element */
EwsItem *
ews_item_sax_finish (EwsItemSax *walk)
{
  EwsItem *item = g_steal_pointer (&walk->item);

  ews_item_sax_clear (walk);
  return item;
}

void
ews_item_sax_clear (EwsItemSax *walk)
{
  g_clear_pointer (&walk->item, ews_item_free);
  walk->attendee = NULL;
  walk->depth = 0;
  walk->collect_depth = 0;
}
