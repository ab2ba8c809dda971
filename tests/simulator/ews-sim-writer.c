/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ews-sim-writer"

#include "config.h"

#include <string.h>

#include "ews-sim-private.h"
#include "ews-string-private.h"
#include "ews-xml-private.h"

/* XML output in the wire form real servers use. Element order follows the
 * sequences of types.xsd (ItemType, then CalendarItemType or TaskType), or schema
 * validation fails. */

/* The fields ews_sim_write_item() can write, as bits of EwsSimShape.wanted: looked up
 * once per request, not once per item. */
typedef enum
{
  FIELD_ITEM_PARENT_FOLDER_ID,
  FIELD_ITEM_ITEM_CLASS,
  FIELD_ITEM_SUBJECT,
  FIELD_ITEM_BODY,
  FIELD_ITEM_DATE_TIME_CREATED,
  FIELD_ITEM_LAST_MODIFIED_NAME,
  FIELD_ITEM_LAST_MODIFIED_TIME,
  FIELD_ITEM_WEB_CLIENT_READ_FORM_QUERY_STRING,
  FIELD_ITEM_PREVIEW,
  FIELD_CALENDAR_START,
  FIELD_CALENDAR_END,
  FIELD_CALENDAR_IS_ALL_DAY_EVENT,
  FIELD_CALENDAR_LOCATION,
  FIELD_CALENDAR_IS_CANCELLED,
  FIELD_CALENDAR_MY_RESPONSE_TYPE,
  FIELD_CALENDAR_ORGANIZER,
  FIELD_CALENDAR_REQUIRED_ATTENDEES,
  FIELD_CALENDAR_OPTIONAL_ATTENDEES,
  FIELD_TASK_DUE_DATE,
  FIELD_TASK_IS_COMPLETE,
  FIELD_TASK_PERCENT_COMPLETE,
  FIELD_TASK_START_DATE,
  FIELD_TASK_STATUS,
  N_FIELDS
} Field;

static const char *const field_uris[N_FIELDS] = {
  [FIELD_ITEM_PARENT_FOLDER_ID] = "item:ParentFolderId",
  [FIELD_ITEM_ITEM_CLASS] = "item:ItemClass",
  [FIELD_ITEM_SUBJECT] = "item:Subject",
  [FIELD_ITEM_BODY] = "item:Body",
  [FIELD_ITEM_DATE_TIME_CREATED] = "item:DateTimeCreated",
  [FIELD_ITEM_LAST_MODIFIED_NAME] = "item:LastModifiedName",
  [FIELD_ITEM_LAST_MODIFIED_TIME] = "item:LastModifiedTime",
  [FIELD_ITEM_WEB_CLIENT_READ_FORM_QUERY_STRING] = "item:WebClientReadFormQueryString",
  [FIELD_ITEM_PREVIEW] = "item:Preview",
  [FIELD_CALENDAR_START] = "calendar:Start",
  [FIELD_CALENDAR_END] = "calendar:End",
  [FIELD_CALENDAR_IS_ALL_DAY_EVENT] = "calendar:IsAllDayEvent",
  [FIELD_CALENDAR_LOCATION] = "calendar:Location",
  [FIELD_CALENDAR_IS_CANCELLED] = "calendar:IsCancelled",
  [FIELD_CALENDAR_MY_RESPONSE_TYPE] = "calendar:MyResponseType",
  [FIELD_CALENDAR_ORGANIZER] = "calendar:Organizer",
  [FIELD_CALENDAR_REQUIRED_ATTENDEES] = "calendar:RequiredAttendees",
  [FIELD_CALENDAR_OPTIONAL_ATTENDEES] = "calendar:OptionalAttendees",
  [FIELD_TASK_DUE_DATE] = "task:DueDate",
  [FIELD_TASK_IS_COMPLETE] = "task:IsComplete",
  [FIELD_TASK_PERCENT_COMPLETE] = "task:PercentComplete",
  [FIELD_TASK_START_DATE] = "task:StartDate",
  [FIELD_TASK_STATUS] = "task:Status",
};

void
ews_sim_shape_parse (EwsSimShape *shape,
                     xmlNode     *item_shape)
{
  g_autofree char *base = NULL;
  xmlNode         *props;

  shape->base = 0;
  shape->wanted = 0;
  if (item_shape == NULL)
    return;

  base = ews_xml_child_text (item_shape, EWS_NS_TYPES, "BaseShape");
  if (g_strcmp0 (base, "Default") == 0)
    shape->base = 1;
  else if (g_strcmp0 (base, "AllProperties") == 0)
    shape->base = 2;

  props = ews_xml_child (item_shape, EWS_NS_TYPES, "AdditionalProperties");
  for (xmlNode *node = props != NULL ? ews_xml_first_element (props->children) : NULL; node != NULL; node = ews_xml_next_element (node))
    {
      char *uri = ews_xml_attr (node, "FieldURI");

      for (guint i = 0; uri != NULL && i < N_FIELDS; i++)
        {
          if (strcmp (uri, field_uris[i]) == 0)
            shape->wanted |= 1u << i;
        }
      g_free (uri);
    }
}

/* What each base shape includes besides the additional properties. */
static gboolean
shape_wants (const EwsSimShape *shape,
             Field              field,
             int                from_base)
{
  return shape->base >= from_base || (shape->wanted & (1u << field)) != 0;
}

/* Writers append piece by piece rather than with printf: a burst writes hundreds of
 * thousands of elements, and the simulator must not be what a benchmark measures. */
static void
open_tag (GString    *out,
          const char *name)
{
  ews_string_append_len (out, "<t:", 3);
  ews_string_append (out, name);
  g_string_append_c (out, '>');
}

static void
close_tag (GString    *out,
           const char *name)
{
  ews_string_append_len (out, "</t:", 4);
  ews_string_append (out, name);
  g_string_append_c (out, '>');
}

static void
append_element (GString    *out,
                const char *name,
                const char *text)
{
  open_tag (out, name);
  ews_xml_append_escaped (out, text != NULL ? text : "");
  close_tag (out, name);
}

static void
append_date (GString    *out,
             const char *name,
             GDateTime  *date)
{
  open_tag (out, name);
  ews_xml_append_date_time (out, date);
  close_tag (out, name);
}

static void
append_bool (GString    *out,
             const char *name,
             gboolean    value)
{
  append_element (out, name, value ? "true" : "false");
}

static void
append_mailbox (GString    *out,
                const char *name,
                const char *email)
{
  ews_string_append (out, "<t:Mailbox>");
  append_element (out, "Name", name);
  append_element (out, "EmailAddress", email);
  append_element (out, "RoutingType", "SMTP");
  ews_string_append (out, "</t:Mailbox>");
}

static void
append_attendees (GString    *out,
                  const char *element,
                  GPtrArray  *emails)
{
  if (emails->len == 0)
    return;
  open_tag (out, element);
  for (guint i = 0; i < emails->len; i++)
    {
      const char      *email = g_ptr_array_index (emails, i);
      g_autofree char *name = g_strndup (email, strcspn (email, "@"));

      ews_string_append (out, "<t:Attendee>");
      append_mailbox (out, name, email);
      append_element (out, "ResponseType", "Unknown");
      ews_string_append (out, "</t:Attendee>");
    }
  close_tag (out, element);
}

void
ews_sim_write_item_id (GString    *out,
                       const char *element,
                       const char *id,
                       const char *change_key)
{
  ews_string_append_len (out, "<t:", 3);
  ews_string_append (out, element);
  ews_string_append_len (out, " Id=\"", 5);
  ews_xml_append_escaped (out, id);
  ews_string_append (out, "\" ChangeKey=\"");
  ews_xml_append_escaped (out, change_key);
  ews_string_append (out, "\"/>");
}

const char *
ews_sim_item_element (EwsSimItem *item)
{
  return item->kind == EWS_ITEM_KIND_TASK ? "Task" : "CalendarItem";
}

static char *
owa_link (EwsSimItem *item,
          const char *owa_base)
{
  g_autofree char *escaped = g_uri_escape_string (item->id, NULL, FALSE);

  return g_strdup_printf ("%s?ItemID=%s&exvsurl=1&viewmodel=%s", owa_base, escaped,
                          item->kind == EWS_ITEM_KIND_TASK ? "TaskReadFormViewModel" : "ICalendarItemDetailsViewModelFactory");
}

void
ews_sim_write_item (GString           *out,
                    EwsSimItem        *item,
                    const EwsSimShape *shape,
                    const char        *owa_base)
{
  gboolean is_task = item->kind == EWS_ITEM_KIND_TASK;

  open_tag (out, ews_sim_item_element (item));
  ews_sim_write_item_id (out, "ItemId", item->id, item->change_key);
  if (shape_wants (shape, FIELD_ITEM_PARENT_FOLDER_ID, 2))
    ews_sim_write_item_id (out, "ParentFolderId", item->folder->id, item->folder->change_key);
  if (shape_wants (shape, FIELD_ITEM_ITEM_CLASS, 1))
    append_element (out, "ItemClass", is_task ? "IPM.Task" : "IPM.Appointment");
  if (shape_wants (shape, FIELD_ITEM_SUBJECT, 1))
    append_element (out, "Subject", item->subject);
  if (shape_wants (shape, FIELD_ITEM_BODY, 2) && item->body != NULL)
    {
      ews_string_append (out, "<t:Body BodyType=\"Text\">");
      ews_xml_append_escaped (out, item->body);
      ews_string_append (out, "</t:Body>");
    }
  if (shape_wants (shape, FIELD_ITEM_DATE_TIME_CREATED, 2))
    append_date (out, "DateTimeCreated", item->created);
  if (shape_wants (shape, FIELD_ITEM_LAST_MODIFIED_NAME, 2) && item->last_modified_name != NULL)
    append_element (out, "LastModifiedName", item->last_modified_name);
  if (shape_wants (shape, FIELD_ITEM_LAST_MODIFIED_TIME, 2) && item->last_modified != NULL)
    append_date (out, "LastModifiedTime", item->last_modified);
  if (shape_wants (shape, FIELD_ITEM_WEB_CLIENT_READ_FORM_QUERY_STRING, 2) && owa_base != NULL)
    {
      g_autofree char *link = owa_link (item, owa_base);

      append_element (out, "WebClientReadFormQueryString", link);
    }
  if (shape_wants (shape, FIELD_ITEM_PREVIEW, 2) && item->body != NULL)
    {
      g_autofree char *preview = g_utf8_substring (item->body, 0, MIN (g_utf8_strlen (item->body, -1), 255));

      append_element (out, "Preview", preview);
    }

  if (!is_task)
    {
      if (shape_wants (shape, FIELD_CALENDAR_START, 1) && item->start != NULL)
        append_date (out, "Start", item->start);
      if (shape_wants (shape, FIELD_CALENDAR_END, 1) && item->end != NULL)
        append_date (out, "End", item->end);
      if (shape_wants (shape, FIELD_CALENDAR_IS_ALL_DAY_EVENT, 2))
        append_bool (out, "IsAllDayEvent", item->is_all_day);
      if (shape_wants (shape, FIELD_CALENDAR_LOCATION, 1) && item->location != NULL)
        append_element (out, "Location", item->location);
      if (shape_wants (shape, FIELD_CALENDAR_IS_CANCELLED, 2))
        append_bool (out, "IsCancelled", item->is_cancelled);
      if (shape_wants (shape, FIELD_CALENDAR_MY_RESPONSE_TYPE, 2))
        append_element (out, "MyResponseType", "Organizer");
      if (shape_wants (shape, FIELD_CALENDAR_ORGANIZER, 1) && item->organizer_email != NULL)
        {
          ews_string_append (out, "<t:Organizer>");
          append_mailbox (out, item->organizer_name, item->organizer_email);
          ews_string_append (out, "</t:Organizer>");
        }
      if (shape_wants (shape, FIELD_CALENDAR_REQUIRED_ATTENDEES, 2))
        append_attendees (out, "RequiredAttendees", item->required);
      if (shape_wants (shape, FIELD_CALENDAR_OPTIONAL_ATTENDEES, 2))
        append_attendees (out, "OptionalAttendees", item->optional);
    }
  else
    {
      if (shape_wants (shape, FIELD_TASK_DUE_DATE, 1) && item->due != NULL)
        append_date (out, "DueDate", item->due);
      if (shape_wants (shape, FIELD_TASK_IS_COMPLETE, 1))
        append_bool (out, "IsComplete", item->status == EWS_TASK_STATUS_COMPLETED);
      if (shape_wants (shape, FIELD_TASK_PERCENT_COMPLETE, 1))
        {
          g_autofree char *percent = g_strdup_printf ("%d", item->percent_complete);

          append_element (out, "PercentComplete", percent);
        }
      if (shape_wants (shape, FIELD_TASK_START_DATE, 2) && item->task_start != NULL)
        append_date (out, "StartDate", item->task_start);
      if (shape_wants (shape, FIELD_TASK_STATUS, 1))
        append_element (out, "Status", ews_task_status_to_string (item->status));
    }
  close_tag (out, ews_sim_item_element (item));
}

void
ews_sim_write_folder (GString      *out,
                      EwsSimFolder *folder)
{
  g_autofree char *total = g_strdup_printf ("%u", folder->n_items);

  g_string_append_printf (out, "<t:%s>", folder->element);
  ews_sim_write_item_id (out, "FolderId", folder->id, folder->change_key);
  if (folder->parent != NULL)
    ews_sim_write_item_id (out, "ParentFolderId", folder->parent->id, folder->parent->change_key);
  if (folder->folder_class != NULL)
    append_element (out, "FolderClass", folder->folder_class);
  append_element (out, "DisplayName", folder->display_name);
  append_element (out, "TotalCount", total);
  append_element (out, "ChildFolderCount", folder->parent == NULL || folder->parent->parent == NULL ? "4" : "0");
  if (g_strcmp0 (folder->element, "CalendarFolder") != 0)
    append_element (out, "UnreadCount", "0");
  g_string_append_printf (out, "</t:%s>", folder->element);
}

static const char *
event_element (EwsEventType type)
{
  switch (type)
    {
    case EWS_EVENT_TYPE_COPIED:
      return "CopiedEvent";
    case EWS_EVENT_TYPE_CREATED:
      return "CreatedEvent";
    case EWS_EVENT_TYPE_DELETED:
      return "DeletedEvent";
    case EWS_EVENT_TYPE_MODIFIED:
      return "ModifiedEvent";
    case EWS_EVENT_TYPE_MOVED:
      return "MovedEvent";
    case EWS_EVENT_TYPE_NEW_MAIL:
      return "NewMailEvent";
    case EWS_EVENT_TYPE_FREE_BUSY_CHANGED:
      return "FreeBusyChangedEvent";
    case EWS_EVENT_TYPE_STATUS:
    default:
      return "StatusEvent";
    }
}

void
ews_sim_write_event (GString           *out,
                     const EwsSimEvent *event,
                     gboolean           with_watermark)
{
  const char *element = event_element (event->type);
  const char *id_element = event->is_folder ? "FolderId" : "ItemId";

  open_tag (out, element);
  if (with_watermark || event->type == EWS_EVENT_TYPE_STATUS)
    {
      g_autofree char *watermark = ews_sim_watermark_encode (event->watermark);

      append_element (out, "Watermark", watermark);
    }
  if (event->type != EWS_EVENT_TYPE_STATUS)
    {
      append_date (out, "TimeStamp", event->timestamp);
      ews_sim_write_item_id (out, id_element, event->id, event->change_key);
      ews_sim_write_item_id (out, "ParentFolderId", event->parent_id, event->parent_change_key);
      if (event->old_id != NULL)
        {
          ews_sim_write_item_id (out, event->is_folder ? "OldFolderId" : "OldItemId", event->old_id, event->old_change_key);
          ews_sim_write_item_id (out, "OldParentFolderId", event->old_parent_id, event->old_parent_change_key);
        }
      if (event->type == EWS_EVENT_TYPE_MODIFIED && event->is_folder && event->unread_count >= 0)
        {
          g_autofree char *unread = g_strdup_printf ("%d", event->unread_count);

          append_element (out, "UnreadCount", unread);
        }
    }
  close_tag (out, element);
}

#define SERVER_VERSION_ATTRS "MajorVersion=\"15\" MinorVersion=\"1\" MajorBuildNumber=\"2507\" MinorBuildNumber=\"6\" Version=\"V2017_07_11\""
#define MT_NS                "xmlns:m=\"" EWS_NS_MESSAGES "\" xmlns:t=\"" EWS_NS_TYPES "\""

GString *
ews_sim_envelope_begin (const char *operation)
{
  GString *out = g_string_sized_new (1024);

  ews_string_append (out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
                          "<s:Envelope xmlns:s=\"" EWS_NS_SOAP "\">"
                          "<s:Header><h:ServerVersionInfo " SERVER_VERSION_ATTRS " xmlns:h=\"" EWS_NS_TYPES "\" xmlns=\"" EWS_NS_TYPES "\"/></s:Header>"
                          "<s:Body>");
  g_string_append_printf (out, "<m:%sResponse " MT_NS "><m:ResponseMessages>", operation);
  return out;
}

void
ews_sim_envelope_end (GString    *out,
                      const char *operation)
{
  g_string_append_printf (out, "</m:ResponseMessages></m:%sResponse></s:Body></s:Envelope>", operation);
}

void
ews_sim_message_begin (GString    *out,
                       const char *operation,
                       const char *response_code,
                       const char *message_text)
{
  gboolean ok = response_code == NULL;

  g_string_append_printf (out, "<m:%sResponseMessage ResponseClass=\"%s\">", operation, ok ? "Success" : "Error");
  if (!ok)
    {
      ews_string_append (out, "<m:MessageText>");
      ews_xml_append_escaped (out, message_text != NULL ? message_text : response_code);
      ews_string_append (out, "</m:MessageText>");
    }
  g_string_append_printf (out, "<m:ResponseCode>%s</m:ResponseCode>", ok ? "NoError" : response_code);
  if (!ok)
    ews_string_append (out, "<m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>");
}

void
ews_sim_message_end (GString    *out,
                     const char *operation)
{
  g_string_append_printf (out, "</m:%sResponseMessage>", operation);
}

/* The framing of real GetStreamingEvents envelopes: no XML declaration, a default
 * namespace on Envelope, soap11: prefixes on Header and Body. */
GString *
ews_sim_stream_envelope_begin (void)
{
  GString *out = g_string_sized_new (1024);

  ews_string_append (out, "<Envelope xmlns=\"" EWS_NS_SOAP "\">"
                          "<soap11:Header xmlns:soap11=\"" EWS_NS_SOAP "\">"
                          "<ServerVersionInfo " SERVER_VERSION_ATTRS " xmlns=\"" EWS_NS_TYPES "\"/>"
                          "</soap11:Header>"
                          "<soap11:Body xmlns:soap11=\"" EWS_NS_SOAP "\">"
                          "<m:GetStreamingEventsResponse " MT_NS "><m:ResponseMessages>");
  return out;
}

void
ews_sim_stream_envelope_end (GString *out)
{
  ews_string_append (out, "</m:ResponseMessages></m:GetStreamingEventsResponse></soap11:Body></Envelope>");
}

GString *
ews_sim_fault_server_busy (guint back_off_ms)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out,
                          "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
                          "<s:Envelope xmlns:s=\"" EWS_NS_SOAP "\"><s:Body><s:Fault>"
                          "<faultcode xmlns:a=\"" EWS_NS_TYPES "\">a:ErrorServerBusy</faultcode>"
                          "<faultstring xml:lang=\"en-US\">The server cannot service this request right now. Try again later.</faultstring>"
                          "<detail>"
                          "<e:ResponseCode xmlns:e=\"" EWS_NS_ERRORS "\">ErrorServerBusy</e:ResponseCode>"
                          "<e:Message xmlns:e=\"" EWS_NS_ERRORS "\">The server cannot service this request right now. Try again later.</e:Message>"
                          "<t:MessageXml xmlns:t=\"" EWS_NS_TYPES "\"><t:Value Name=\"BackOffMilliseconds\">%u</t:Value></t:MessageXml>"
                          "</detail></s:Fault></s:Body></s:Envelope>",
                          back_off_ms);
  return out;
}

/* Appends a Notification with up to 50 of @sub's events; %TRUE when more remain. */
gboolean
ews_sim_write_notification (GString            *out,
                            EwsSimSubscription *sub,
                            gboolean            pull_or_push,
                            const char         *previous_watermark,
                            gboolean            consume)
{
  GList *link = sub->events.head;
  guint  n = 0;

  ews_string_append (out, "<m:Notification><t:SubscriptionId>");
  ews_xml_append_escaped (out, sub->id);
  ews_string_append (out, "</t:SubscriptionId>");
  if (pull_or_push)
    g_string_append_printf (out, "<t:PreviousWatermark>%s</t:PreviousWatermark><t:MoreEvents>%s</t:MoreEvents>",
                            previous_watermark, sub->events.length > MAX_EVENTS_PER_NOTIFICATION ? "true" : "false");
  for (; link != NULL && n < MAX_EVENTS_PER_NOTIFICATION; link = link->next, n++)
    ews_sim_write_event (out, link->data, pull_or_push);
  if (n == 0)
    {
      g_autoptr (EwsSimEvent) status = ews_sim_event_new (EWS_EVENT_TYPE_STATUS, NULL);

      status->watermark = MAX (sub->watermark, sub->mailbox->next_watermark - 1);
      ews_sim_write_event (out, status, TRUE);
    }
  ews_string_append (out, "</m:Notification>");
  if (consume)
    for (guint i = 0; i < n; i++)
      ews_sim_event_unref (g_queue_pop_head (&sub->events));
  return sub->events.length > 0;
}
