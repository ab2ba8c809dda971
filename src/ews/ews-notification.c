/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <string.h>

#include "ews-notification-private.h"
#include "ews-xml-private.h"

static gboolean
event_type_from_name (const char   *name,
                      EwsEventType *type)
{
  static const struct
  {
    const char  *name;
    EwsEventType type;
  } names[] = {
    { "CreatedEvent", EWS_EVENT_TYPE_CREATED },
    { "ModifiedEvent", EWS_EVENT_TYPE_MODIFIED },
    { "DeletedEvent", EWS_EVENT_TYPE_DELETED },
    { "MovedEvent", EWS_EVENT_TYPE_MOVED },
    { "CopiedEvent", EWS_EVENT_TYPE_COPIED },
    { "NewMailEvent", EWS_EVENT_TYPE_NEW_MAIL },
    { "FreeBusyChangedEvent", EWS_EVENT_TYPE_FREE_BUSY_CHANGED },
    { "StatusEvent", EWS_EVENT_TYPE_STATUS },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (strcmp (names[i].name, name) == 0)
      {
        *type = names[i].type;
        return TRUE;
      }
  return FALSE;
}

static EwsEvent *
parse_event (xmlNode     *element,
             EwsEventType type)
{
  EwsEvent *event = ews_event_new (type);

  for (xmlNode *node = element->children; node != NULL; node = node->next)
    {
      const char *name;

      if (node->type != XML_ELEMENT_NODE || !ews_xml_is_ews (node, (const char *)node->name))
        continue;

      name = (const char *)node->name;
      if (strcmp (name, "ItemId") == 0 || strcmp (name, "FolderId") == 0)
        {
          g_free (event->id);
          g_free (event->change_key);
          event->is_folder = name[0] == 'F';
          event->id = ews_xml_attr (node, "Id");
          event->change_key = ews_xml_attr (node, "ChangeKey");
        }
      else if (strcmp (name, "ParentFolderId") == 0)
        {
          g_free (event->parent_folder_id);
          event->parent_folder_id = ews_xml_attr (node, "Id");
        }
      else if (strcmp (name, "OldItemId") == 0 || strcmp (name, "OldFolderId") == 0)
        {
          g_free (event->old_id);
          event->old_id = ews_xml_attr (node, "Id");
        }
      else if (strcmp (name, "OldParentFolderId") == 0)
        {
          g_free (event->old_parent_folder_id);
          event->old_parent_folder_id = ews_xml_attr (node, "Id");
        }
      else if (strcmp (name, "TimeStamp") == 0)
        {
          g_autofree char *text = ews_xml_text (node);

          g_clear_pointer (&event->timestamp, g_date_time_unref);
          event->timestamp = ews_xml_parse_date_time (text);
        }
      else if (strcmp (name, "Watermark") == 0)
        {
          g_free (event->watermark);
          event->watermark = ews_xml_text (node);
        }
      else if (strcmp (name, "UnreadCount") == 0)
        {
          g_autofree char *text = ews_xml_text (node);

          event->unread_count = (int)CLAMP (g_ascii_strtoll (text, NULL, 10), -1, G_MAXINT);
        }
    }

  return event;
}

/**
 * ews_notification_parse:
 * @notification: a Notification element (m: or t:, as servers differ)
 *
 * Shared by the streaming, pull (GetEvents) and push (SendNotification) paths.
 *
 * Returns: (transfer full): the notification; unknown children are skipped
 */
EwsNotification *
ews_notification_parse (xmlNode *notification)
{
  g_autoptr (EwsNotification) result = ews_notification_new ();

  g_return_val_if_fail (notification != NULL, NULL);

  for (xmlNode *node = notification->children; node != NULL; node = node->next)
    {
      const char  *name;
      EwsEventType type;

      if (node->type != XML_ELEMENT_NODE || !ews_xml_is_ews (node, (const char *)node->name))
        continue;

      name = (const char *)node->name;
      if (strcmp (name, "SubscriptionId") == 0)
        {
          g_free (result->subscription_id);
          result->subscription_id = ews_xml_text (node);
        }
      else if (strcmp (name, "PreviousWatermark") == 0)
        {
          g_free (result->previous_watermark);
          result->previous_watermark = ews_xml_text (node);
        }
      else if (strcmp (name, "MoreEvents") == 0)
        {
          g_autofree char *text = ews_xml_text (node);

          result->more_events = ews_xml_parse_boolean (text, FALSE);
        }
      else if (event_type_from_name (name, &type))
        {
          g_ptr_array_add (result->events, parse_event (node, type));
        }
    }

  return g_steal_pointer (&result);
}
