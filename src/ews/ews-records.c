/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include "ews-records.h"

static GDateTime *
dup_date_time (GDateTime *dt)
{
  return dt != NULL ? g_date_time_ref (dt) : NULL;
}

EwsFolderRef *
ews_folder_ref_new_distinguished (const char *distinguished_id,
                                  const char *mailbox)
{
  EwsFolderRef *ref;

  g_return_val_if_fail (distinguished_id != NULL, NULL);

  ref = g_new0 (EwsFolderRef, 1);
  ref->distinguished_id = g_strdup (distinguished_id);
  ref->mailbox = g_strdup (mailbox);
  return ref;
}

EwsFolderRef *
ews_folder_ref_new_id (const char *id,
                       const char *change_key)
{
  EwsFolderRef *ref;

  g_return_val_if_fail (id != NULL, NULL);

  ref = g_new0 (EwsFolderRef, 1);
  ref->id = g_strdup (id);
  ref->change_key = g_strdup (change_key);
  return ref;
}

EwsFolderRef *
ews_folder_ref_copy (const EwsFolderRef *ref)
{
  EwsFolderRef *copy;

  g_return_val_if_fail (ref != NULL, NULL);

  copy = g_new0 (EwsFolderRef, 1);
  copy->distinguished_id = g_strdup (ref->distinguished_id);
  copy->id = g_strdup (ref->id);
  copy->change_key = g_strdup (ref->change_key);
  copy->mailbox = g_strdup (ref->mailbox);
  return copy;
}

void
ews_folder_ref_free (EwsFolderRef *ref)
{
  if (ref == NULL)
    return;

  g_free (ref->distinguished_id);
  g_free (ref->id);
  g_free (ref->change_key);
  g_free (ref->mailbox);
  g_free (ref);
}

EwsFolder *
ews_folder_new (void)
{
  return g_new0 (EwsFolder, 1);
}

void
ews_folder_free (EwsFolder *folder)
{
  if (folder == NULL)
    return;

  g_free (folder->id);
  g_free (folder->change_key);
  g_free (folder->display_name);
  g_free (folder->folder_class);
  g_clear_error (&folder->error);
  g_free (folder);
}

G_DEFINE_BOXED_TYPE (EwsEvent, ews_event, ews_event_copy, ews_event_free)

EwsEvent *
ews_event_new (EwsEventType type)
{
  EwsEvent *event = g_new0 (EwsEvent, 1);

  event->type = type;
  event->unread_count = -1;
  return event;
}

EwsEvent *
ews_event_copy (const EwsEvent *event)
{
  EwsEvent *copy;

  g_return_val_if_fail (event != NULL, NULL);

  copy = ews_event_new (event->type);
  copy->timestamp = dup_date_time (event->timestamp);
  copy->watermark = g_strdup (event->watermark);
  copy->is_folder = event->is_folder;
  copy->id = g_strdup (event->id);
  copy->change_key = g_strdup (event->change_key);
  copy->parent_folder_id = g_strdup (event->parent_folder_id);
  copy->old_id = g_strdup (event->old_id);
  copy->old_parent_folder_id = g_strdup (event->old_parent_folder_id);
  copy->unread_count = event->unread_count;
  return copy;
}

void
ews_event_free (EwsEvent *event)
{
  if (event == NULL)
    return;

  g_clear_pointer (&event->timestamp, g_date_time_unref);
  g_free (event->watermark);
  g_free (event->id);
  g_free (event->change_key);
  g_free (event->parent_folder_id);
  g_free (event->old_id);
  g_free (event->old_parent_folder_id);
  g_free (event);
}

/**
 * ews_event_type_to_string:
 * @type: an #EwsEventType
 *
 * Returns: the schema's element name for @type, e.g. "CreatedEvent"
 */
const char *
ews_event_type_to_string (EwsEventType type)
{
  static const char *const names[] = {
    [EWS_EVENT_TYPE_STATUS] = "StatusEvent",
    [EWS_EVENT_TYPE_COPIED] = "CopiedEvent",
    [EWS_EVENT_TYPE_CREATED] = "CreatedEvent",
    [EWS_EVENT_TYPE_DELETED] = "DeletedEvent",
    [EWS_EVENT_TYPE_MODIFIED] = "ModifiedEvent",
    [EWS_EVENT_TYPE_MOVED] = "MovedEvent",
    [EWS_EVENT_TYPE_NEW_MAIL] = "NewMailEvent",
    [EWS_EVENT_TYPE_FREE_BUSY_CHANGED] = "FreeBusyChangedEvent",
  };

  g_return_val_if_fail ((guint)type < G_N_ELEMENTS (names), NULL);

  return names[type];
}

G_DEFINE_BOXED_TYPE (EwsNotification, ews_notification, ews_notification_copy, ews_notification_free)

EwsNotification *
ews_notification_new (void)
{
  EwsNotification *notification = g_new0 (EwsNotification, 1);

  notification->events = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_event_free);
  return notification;
}

EwsNotification *
ews_notification_copy (const EwsNotification *notification)
{
  EwsNotification *copy;

  g_return_val_if_fail (notification != NULL, NULL);

  copy = ews_notification_new ();
  copy->subscription_id = g_strdup (notification->subscription_id);
  copy->previous_watermark = g_strdup (notification->previous_watermark);
  copy->more_events = notification->more_events;
  for (guint i = 0; i < notification->events->len; i++)
    g_ptr_array_add (copy->events, ews_event_copy (g_ptr_array_index (notification->events, i)));
  return copy;
}

void
ews_notification_free (EwsNotification *notification)
{
  if (notification == NULL)
    return;

  g_free (notification->subscription_id);
  g_free (notification->previous_watermark);
  g_ptr_array_unref (notification->events);
  g_free (notification);
}

EwsAttendee *
ews_attendee_new (void)
{
  return g_new0 (EwsAttendee, 1);
}

static EwsAttendee *
ews_attendee_copy (const EwsAttendee *attendee)
{
  EwsAttendee *copy = ews_attendee_new ();

  copy->name = g_strdup (attendee->name);
  copy->email = g_strdup (attendee->email);
  copy->response = g_strdup (attendee->response);
  copy->required = attendee->required;
  return copy;
}

void
ews_attendee_free (EwsAttendee *attendee)
{
  if (attendee == NULL)
    return;

  g_free (attendee->name);
  g_free (attendee->email);
  g_free (attendee->response);
  g_free (attendee);
}

EwsItem *
ews_item_new (EwsItemKind kind)
{
  EwsItem *item = g_new0 (EwsItem, 1);

  item->kind = kind;
  item->last_modified_time = EWS_TIME_NONE;
  item->start = EWS_TIME_NONE;
  item->end = EWS_TIME_NONE;
  item->due_date = EWS_TIME_NONE;
  item->task_start_date = EWS_TIME_NONE;
  item->percent_complete = -1;
  return item;
}

EwsItem *
ews_item_copy (const EwsItem *item)
{
  EwsItem *copy;

  g_return_val_if_fail (item != NULL, NULL);

  copy = ews_item_new (item->kind);
  copy->id = g_strdup (item->id);
  copy->change_key = g_strdup (item->change_key);
  copy->parent_folder_id = g_strdup (item->parent_folder_id);
  copy->item_class = g_strdup (item->item_class);
  copy->subject = g_strdup (item->subject);
  copy->body_preview = g_strdup (item->body_preview);
  copy->last_modified_name = g_strdup (item->last_modified_name);
  copy->last_modified_time = item->last_modified_time;
  copy->web_client_read_form_query_string = g_strdup (item->web_client_read_form_query_string);
  copy->start = item->start;
  copy->end = item->end;
  copy->is_all_day = item->is_all_day;
  copy->location = g_strdup (item->location);
  copy->organizer_name = g_strdup (item->organizer_name);
  copy->organizer_email = g_strdup (item->organizer_email);
  copy->is_cancelled = item->is_cancelled;
  copy->my_response_type = g_strdup (item->my_response_type);
  if (item->attendees != NULL)
    {
      copy->attendees = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_attendee_free);
      for (guint i = 0; i < item->attendees->len; i++)
        g_ptr_array_add (copy->attendees, ews_attendee_copy (g_ptr_array_index (item->attendees, i)));
    }
  copy->due_date = item->due_date;
  copy->task_start_date = item->task_start_date;
  copy->status = item->status;
  copy->percent_complete = item->percent_complete;
  copy->is_complete = item->is_complete;
  copy->error = item->error != NULL ? g_error_copy (item->error) : NULL;
  return copy;
}

void
ews_item_free (EwsItem *item)
{
  if (item == NULL)
    return;

  g_free (item->id);
  g_free (item->change_key);
  g_free (item->parent_folder_id);
  g_free (item->item_class);
  g_free (item->subject);
  g_free (item->body_preview);
  g_free (item->last_modified_name);
  g_free (item->web_client_read_form_query_string);
  g_free (item->location);
  g_free (item->organizer_name);
  g_free (item->organizer_email);
  g_free (item->my_response_type);
  g_clear_pointer (&item->attendees, g_ptr_array_unref);
  g_clear_error (&item->error);
  g_free (item);
}

static const char *const task_status_names[] = {
  [EWS_TASK_STATUS_UNKNOWN] = NULL,
  [EWS_TASK_STATUS_NOT_STARTED] = "NotStarted",
  [EWS_TASK_STATUS_IN_PROGRESS] = "InProgress",
  [EWS_TASK_STATUS_COMPLETED] = "Completed",
  [EWS_TASK_STATUS_WAITING_ON_OTHERS] = "WaitingOnOthers",
  [EWS_TASK_STATUS_DEFERRED] = "Deferred",
};

/**
 * ews_task_status_to_string:
 * @status: an #EwsTaskStatus
 *
 * Returns: (nullable): the schema's TaskStatusType value
 */
const char *
ews_task_status_to_string (EwsTaskStatus status)
{
  g_return_val_if_fail ((guint)status < G_N_ELEMENTS (task_status_names), NULL);

  return task_status_names[status];
}

EwsTaskStatus
ews_task_status_from_string (const char *text)
{
  if (text == NULL)
    return EWS_TASK_STATUS_UNKNOWN;

  for (guint i = 1; i < G_N_ELEMENTS (task_status_names); i++)
    if (g_str_equal (task_status_names[i], text))
      return (EwsTaskStatus)i;

  return EWS_TASK_STATUS_UNKNOWN;
}

EwsSyncChange *
ews_sync_change_new (EwsSyncChangeType type)
{
  EwsSyncChange *change = g_new0 (EwsSyncChange, 1);

  change->type = type;
  return change;
}

void
ews_sync_change_free (EwsSyncChange *change)
{
  if (change == NULL)
    return;

  g_clear_pointer (&change->item, ews_item_free);
  g_free (change->item_id);
  g_free (change->change_key);
  g_free (change);
}

EwsSyncResult *
ews_sync_result_new (void)
{
  EwsSyncResult *result = g_new0 (EwsSyncResult, 1);

  result->changes = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_sync_change_free);
  return result;
}

void
ews_sync_result_free (EwsSyncResult *result)
{
  if (result == NULL)
    return;

  g_free (result->sync_state);
  g_ptr_array_unref (result->changes);
  g_free (result);
}

EwsSubscription *
ews_subscription_new (const char *id,
                      const char *watermark)
{
  EwsSubscription *subscription = g_new0 (EwsSubscription, 1);

  subscription->id = g_strdup (id);
  subscription->watermark = g_strdup (watermark);
  return subscription;
}

void
ews_subscription_free (EwsSubscription *subscription)
{
  if (subscription == NULL)
    return;

  g_free (subscription->id);
  g_free (subscription->watermark);
  g_free (subscription);
}

EwsAutodiscoverResult *
ews_autodiscover_result_new (void)
{
  return g_new0 (EwsAutodiscoverResult, 1);
}

void
ews_autodiscover_result_free (EwsAutodiscoverResult *result)
{
  if (result == NULL)
    return;

  g_free (result->display_name);
  g_free (result->ews_url);
  g_free (result->internal_ews_url);
  g_free (result->grouping_information);
  g_free (result->redirect);
  g_free (result->error_code);
  g_free (result->error_message);
  g_free (result);
}
