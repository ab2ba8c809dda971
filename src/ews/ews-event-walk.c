/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ews-stream"

#include "config.h"

#include <string.h>

#include "ews-event-walk-private.h"
#include "ews-notification-private.h"
#include "ews-records.h"
#include "ews-xml-private.h"

/* Envelopes without building a tree: a burst streams thousands. The walk collects
 * what the envelope says and announces it once the whole envelope proved well
 * formed, as the tree-building path below (which only parses first) does. It gives
 * up on what it does not expect (a fault, a failed message); the tree path then
 * reads the envelope. Where it does not give up, it reads what the tree path reads:
 * every Notification of every Notifications, every ConnectionStatus, the text of
 * elements with whatever they contain. */

typedef enum
{
  STREAM_IGNORE,
  STREAM_DOCUMENT,
  STREAM_ENVELOPE,
  STREAM_BODY,
  STREAM_RESPONSE,
  STREAM_MESSAGES,
  STREAM_MESSAGE,
  STREAM_NOTIFICATIONS,
  STREAM_STATUS,
  STREAM_NOTIFICATION,
  STREAM_SUBSCRIPTION_ID,
  STREAM_PREVIOUS_WATERMARK,
  STREAM_MORE_EVENTS,
  STREAM_EVENT,
  STREAM_EVENT_TIMESTAMP,
  STREAM_EVENT_WATERMARK,
  STREAM_EVENT_UNREAD,
} StreamRole;

#define STREAM_MAX_DEPTH 300 /* libxml2 refuses documents deeper than 256 */

#define SEEN_FIRST    (1 << 0)
#define SEEN_BODY     (1 << 1)
#define SEEN_MESSAGES (1 << 2)

typedef struct
{
  GArray          *said; /* (element-type EwsEventSaid) */
  gboolean         response;
  EwsNotification *notification;
  EwsEvent        *event;
  int              depth;
  guint8           roles[STREAM_MAX_DEPTH + 1];
  guint8           seen[STREAM_MAX_DEPTH + 1];
  int              collect_depth;
  GString         *text;
  EwsXmlTimeCache  times;
} StreamWalk;

static void
said_clear (EwsEventSaid *said)
{
  g_clear_pointer (&said->notification, ews_notification_free);
}

/* m: or t:, as ews_xml_is_ews() accepts */
static gboolean
is_ews (const char *ns,
        const char *name,
        const char *want_name)
{
  return (ews_xml_ns_is (ns, ews_xml_ns_messages) || ews_xml_ns_is (ns, ews_xml_ns_types)) && strcmp (name, want_name) == 0;
}

static StreamRole
event_child_role (EwsEvent       *event,
                  const char     *name,
                  int             n_attributes,
                  const xmlChar **attributes)
{
  if (strcmp (name, "ItemId") == 0 || strcmp (name, "FolderId") == 0)
    {
      g_free (event->id);
      g_free (event->change_key);
      event->is_folder = name[0] == 'F';
      event->id = ews_xml_sax_attr (n_attributes, attributes, "Id");
      event->change_key = ews_xml_sax_attr (n_attributes, attributes, "ChangeKey");
    }
  else if (strcmp (name, "ParentFolderId") == 0)
    {
      g_free (event->parent_folder_id);
      event->parent_folder_id = ews_xml_sax_attr (n_attributes, attributes, "Id");
    }
  else if (strcmp (name, "OldItemId") == 0 || strcmp (name, "OldFolderId") == 0)
    {
      g_free (event->old_id);
      event->old_id = ews_xml_sax_attr (n_attributes, attributes, "Id");
    }
  else if (strcmp (name, "OldParentFolderId") == 0)
    {
      g_free (event->old_parent_folder_id);
      event->old_parent_folder_id = ews_xml_sax_attr (n_attributes, attributes, "Id");
    }
  else if (strcmp (name, "TimeStamp") == 0)
    return STREAM_EVENT_TIMESTAMP;
  else if (strcmp (name, "Watermark") == 0)
    return STREAM_EVENT_WATERMARK;
  else if (strcmp (name, "UnreadCount") == 0)
    return STREAM_EVENT_UNREAD;
  return STREAM_IGNORE;
}

static StreamRole
notification_child_role (StreamWalk *walk,
                         const char *name)
{
  if (strcmp (name, "SubscriptionId") == 0)
    return STREAM_SUBSCRIPTION_ID;
  if (strcmp (name, "PreviousWatermark") == 0)
    return STREAM_PREVIOUS_WATERMARK;
  if (strcmp (name, "MoreEvents") == 0)
    return STREAM_MORE_EVENTS;
  for (EwsEventType type = EWS_EVENT_TYPE_STATUS; type <= EWS_EVENT_TYPE_FREE_BUSY_CHANGED; type++)
    if (strcmp (name, ews_event_type_to_string (type)) == 0)
      {
        walk->event = ews_event_new (type);
        g_ptr_array_add (walk->notification->events, walk->event);
        return STREAM_EVENT;
      }
  return STREAM_IGNORE;
}

static StreamRole
stream_role (EwsXmlSax      *sax,
             StreamWalk     *walk,
             StreamRole      parent,
             const char     *ns,
             const char     *name,
             int             n_attributes,
             const xmlChar **attributes)
{
  gboolean ews = ews_xml_ns_is (ns, ews_xml_ns_messages) || ews_xml_ns_is (ns, ews_xml_ns_types);

  switch (parent)
    {
    case STREAM_DOCUMENT:
      if (ews_xml_sax_is (ns, name, ews_xml_ns_soap, "Envelope"))
        return STREAM_ENVELOPE;
      break;
    case STREAM_ENVELOPE:
      if (ews_xml_sax_is (ns, name, ews_xml_ns_soap, "Body") && ews_xml_sax_first (walk->seen, walk->depth, SEEN_BODY))
        return STREAM_BODY;
      return STREAM_IGNORE;
    case STREAM_BODY:
      if (!ews_xml_sax_first (walk->seen, walk->depth, SEEN_FIRST))
        return STREAM_IGNORE;
      if (ews_xml_sax_is (ns, name, ews_xml_ns_messages, "GetStreamingEventsResponse"))
        {
          walk->response = TRUE;
          return STREAM_RESPONSE;
        }
      break; /* a fault, or another answer */
    case STREAM_RESPONSE:
      if (ews_xml_sax_is (ns, name, ews_xml_ns_messages, "ResponseMessages") && ews_xml_sax_first (walk->seen, walk->depth, SEEN_MESSAGES))
        return STREAM_MESSAGES;
      return STREAM_IGNORE;
    case STREAM_MESSAGES:
      if (ews_xml_sax_is (ns, name, ews_xml_ns_messages, "GetStreamingEventsResponseMessage"))
        {
          g_autofree char *response_class = ews_xml_sax_attr (n_attributes, attributes, "ResponseClass");

          if (g_strcmp0 (response_class, "Error") == 0)
            break;
          return STREAM_MESSAGE;
        }
      return STREAM_IGNORE;
    case STREAM_MESSAGE:
      if (is_ews (ns, name, "Notifications"))
        return STREAM_NOTIFICATIONS;
      if (is_ews (ns, name, "ConnectionStatus"))
        return STREAM_STATUS;
      return STREAM_IGNORE;
    case STREAM_NOTIFICATIONS:
      if (is_ews (ns, name, "Notification"))
        {
          walk->notification = ews_notification_new ();
          return STREAM_NOTIFICATION;
        }
      return STREAM_IGNORE;
    case STREAM_NOTIFICATION:
      return ews ? notification_child_role (walk, name) : STREAM_IGNORE;
    case STREAM_EVENT:
      return ews ? event_child_role (walk->event, name, n_attributes, attributes) : STREAM_IGNORE;
    default:
      return STREAM_IGNORE;
    }
  ews_xml_sax_give_up (sax);
  return STREAM_IGNORE;
}

static void
stream_start (EwsXmlSax      *sax,
              const char     *ns,
              const char     *name,
              int             n_attributes,
              const xmlChar **attributes)
{
  StreamWalk *walk = sax->user_data;
  StreamRole  parent = walk->roles[walk->depth];
  StreamRole  role;

  if (walk->depth >= STREAM_MAX_DEPTH)
    {
      ews_xml_sax_give_up (sax);
      return;
    }
  walk->depth++;
  role = stream_role (sax, walk, parent, ns, name, n_attributes, attributes);
  walk->roles[walk->depth] = role;
  walk->seen[walk->depth] = 0;
  if (role >= STREAM_STATUS && role != STREAM_NOTIFICATION && role != STREAM_EVENT && walk->collect_depth == 0)
    {
      walk->collect_depth = walk->depth;
      g_string_truncate (walk->text, 0);
    }
}

static void
stream_text_done (StreamWalk *walk,
                  StreamRole  role,
                  char       *text)
{
  EwsNotification *notification = walk->notification;
  EwsEvent        *event = walk->event;

  switch (role)
    {
    case STREAM_STATUS:
      {
        EwsEventSaid said = { NULL, -1 };

        g_strstrip (text);
        if (g_str_equal (text, "OK"))
          said.status = EWS_CONNECTION_STATUS_OK;
        else if (g_str_equal (text, "Closed"))
          said.status = EWS_CONNECTION_STATUS_CLOSED;
        g_array_append_val (walk->said, said);
        break;
      }
    case STREAM_SUBSCRIPTION_ID:
      g_free (notification->subscription_id);
      notification->subscription_id = g_strdup (text);
      break;
    case STREAM_PREVIOUS_WATERMARK:
      g_free (notification->previous_watermark);
      notification->previous_watermark = g_strdup (text);
      break;
    case STREAM_MORE_EVENTS:
      notification->more_events = ews_xml_parse_boolean (text, FALSE);
      break;
    case STREAM_EVENT_TIMESTAMP:
      g_clear_pointer (&event->timestamp, g_date_time_unref);
      event->timestamp = ews_xml_time_cache_parse (&walk->times, text);
      break;
    case STREAM_EVENT_WATERMARK:
      g_free (event->watermark);
      event->watermark = g_strdup (text);
      break;
    case STREAM_EVENT_UNREAD:
      event->unread_count = (int)CLAMP (g_ascii_strtoll (text, NULL, 10), -1, G_MAXINT);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
stream_end (EwsXmlSax *sax)
{
  StreamWalk *walk = sax->user_data;
  StreamRole  role = walk->roles[walk->depth];

  if (walk->collect_depth == walk->depth)
    {
      walk->collect_depth = 0;
      stream_text_done (walk, role, walk->text->str);
    }
  if (role == STREAM_NOTIFICATION)
    {
      EwsEventSaid said = { g_steal_pointer (&walk->notification), 0 };

      g_array_append_val (walk->said, said);
    }
  else if (role == STREAM_EVENT)
    walk->event = NULL;
  walk->depth--;
}

static void
stream_text (EwsXmlSax  *sax,
             const char *text,
             gsize       length)
{
  StreamWalk *walk = sax->user_data;

  if (walk->collect_depth > 0)
    g_string_append_len (walk->text, text, length);
}

static const EwsXmlSaxFuncs stream_funcs = { stream_start, stream_end, stream_text };

/**
 * ews_event_walk:
 * @data: one complete envelope of a GetStreamingEvents response
 * @length: its length in bytes
 *
 * Returns: (transfer full) (nullable) (element-type EwsEventSaid): what the
 *   envelope says, in order; %NULL when it is not the well-formed, successful
 *   response the walk reads, and the tree path must read it
 */
GArray *
ews_event_walk (const char *data,
                gsize       length)
{
  StreamWalk walk = { 0 };
  gboolean   ok;

  walk.said = g_array_new (FALSE, TRUE, sizeof (EwsEventSaid));
  g_array_set_clear_func (walk.said, (GDestroyNotify)said_clear);
  walk.roles[0] = STREAM_DOCUMENT;
  walk.text = g_string_sized_new (128);
  ok = ews_xml_sax_parse (data, length, &stream_funcs, &walk) && walk.response;
  g_clear_pointer (&walk.notification, ews_notification_free);
  g_string_free (walk.text, TRUE);
  ews_xml_time_cache_clear (&walk.times);
  if (!ok)
    g_clear_pointer (&walk.said, g_array_unref);
  return walk.said;
}
