/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <glib-object.h>

#include "ews-types.h"

G_BEGIN_DECLS

/* Plain records the protocol layer hands out. All strings are owned. An event's time
 * is a UTC #GDateTime (NULL when the server did not send it); an item's times are
 * microseconds since the Unix epoch, UTC, or %EWS_TIME_NONE when the server did not
 * send the field: a burst carries hundreds of thousands of them. */

/**
 * EwsFolderRef:
 * @distinguished_id: "calendar", "tasks", "root", … or NULL when @id is set
 * @id: a real FolderId, or NULL
 * @change_key: (nullable): the FolderId's ChangeKey
 * @mailbox: (nullable): SMTP address of another mailbox (DistinguishedFolderId only)
 *
 * Names a folder in a request.
 */
struct _EwsFolderRef
{
  char *distinguished_id;
  char *id;
  char *change_key;
  char *mailbox;
};

EwsFolderRef *ews_folder_ref_new_distinguished (const char *distinguished_id,
                                                const char *mailbox);
EwsFolderRef *ews_folder_ref_new_id (const char *id,
                                     const char *change_key);
EwsFolderRef *ews_folder_ref_copy (const EwsFolderRef *ref);
void          ews_folder_ref_free (EwsFolderRef *ref);

/**
 * EwsFolder:
 * @id / @change_key: the real FolderId
 * @kind: calendar, tasks or other (from the element name or FolderClass)
 * @display_name: (nullable)
 * @folder_class: (nullable): "IPF.Appointment", "IPF.Task", …
 * @error: (nullable): set when this folder's ResponseMessage failed (others may succeed)
 *
 * One folder of a GetFolder response.
 */
struct _EwsFolder
{
  char         *id;
  char         *change_key;
  EwsFolderKind kind;
  char         *display_name;
  char         *folder_class;
  GError       *error;
};

EwsFolder *ews_folder_new (void);
void       ews_folder_free (EwsFolder *folder);

/**
 * EwsEvent:
 * @type: what happened
 * @timestamp: (nullable): TimeStamp
 * @watermark: (nullable): Watermark (pull, push and old streaming servers)
 * @is_folder: %TRUE when @id is a FolderId, %FALSE for an ItemId
 * @id / @change_key: the item or folder (NULL for a StatusEvent)
 * @parent_folder_id: (nullable): ParentFolderId
 * @old_id / @old_parent_folder_id: (nullable): for moved and copied events
 * @unread_count: UnreadCount of a folder event, or -1
 */
struct _EwsEvent
{
  EwsEventType type;
  GDateTime   *timestamp;
  char        *watermark;
  gboolean     is_folder;
  char        *id;
  char        *change_key;
  char        *parent_folder_id;
  char        *old_id;
  char        *old_parent_folder_id;
  int          unread_count;
};

#define EWS_TYPE_EVENT (ews_event_get_type ())
GType       ews_event_get_type (void) G_GNUC_CONST;
EwsEvent   *ews_event_new (EwsEventType type);
EwsEvent   *ews_event_copy (const EwsEvent *event);
void        ews_event_free (EwsEvent *event);
const char *ews_event_type_to_string (EwsEventType type);

/**
 * EwsNotification:
 * @subscription_id: the subscription the events belong to
 * @previous_watermark: (nullable): pull and push only
 * @more_events: pull only: %TRUE when GetEvents must be called again at once
 * @events: (element-type EwsEvent): the events, in order
 */
struct _EwsNotification
{
  char      *subscription_id;
  char      *previous_watermark;
  gboolean   more_events;
  GPtrArray *events;
};

#define EWS_TYPE_NOTIFICATION (ews_notification_get_type ())
GType            ews_notification_get_type (void) G_GNUC_CONST;
EwsNotification *ews_notification_new (void);
EwsNotification *ews_notification_copy (const EwsNotification *notification);
void             ews_notification_free (EwsNotification *notification);

/**
 * EwsAttendee:
 * @name / @email: (nullable): the mailbox
 * @response: (nullable): ResponseType ("Accept", "Tentative", "Decline", "NoResponseReceived", …)
 * @required: %TRUE for RequiredAttendees, %FALSE for OptionalAttendees
 */
struct _EwsAttendee
{
  char    *name;
  char    *email;
  char    *response;
  gboolean required;
};

EwsAttendee *ews_attendee_new (void);
void         ews_attendee_free (EwsAttendee *attendee);

/**
 * EwsItem:
 *
 * A calendar item or task with the properties a notification needs. Fields the server
 * did not send stay NULL / %EWS_TIME_NONE / -1 / FALSE.
 */
struct _EwsItem
{
  EwsItemKind   kind;
  char         *id;
  char         *change_key;
  char         *parent_folder_id;
  char         *item_class;
  char         *subject;
  char         *body_preview;
  char         *last_modified_name;
  gint64        last_modified_time;
  char         *web_client_read_form_query_string;
  /* calendar */
  gint64        start;
  gint64        end;
  gboolean      is_all_day;
  char         *location;
  char         *organizer_name;
  char         *organizer_email;
  gboolean      is_cancelled;
  char         *my_response_type;
  GPtrArray    *attendees; /* (element-type EwsAttendee) (nullable) */
  /* task */
  gint64        due_date;
  gint64        task_start_date;
  EwsTaskStatus status;
  int           percent_complete; /* 0..100, or -1 */
  gboolean      is_complete;
  /* the per-item ResponseMessage error of GetItem (ErrorItemNotFound …) */
  GError       *error;
};

EwsItem *ews_item_new (EwsItemKind kind);

/* No time: a field the server did not send. */
#define EWS_TIME_NONE G_MININT64

gint64        ews_time_new_utc (int year,
                                int month,
                                int day,
                                int hour,
                                int minute,
                                int second);
GDateTime    *ews_time_to_date_time (gint64 time);
gint64        ews_time_from_date_time (GDateTime *date_time);
/* Times as EWS writes them, "YYYY-MM-DDTHH:MM:SSZ" in UTC; also for --json records. */
void          ews_time_append (GString *out,
                               gint64   time);
void          ews_xml_append_date_time (GString   *out,
                                        GDateTime *date_time);
EwsItem      *ews_item_copy (const EwsItem *item);
void          ews_item_free (EwsItem *item);
const char   *ews_task_status_to_string (EwsTaskStatus status);
EwsTaskStatus ews_task_status_from_string (const char *text);

/**
 * EwsSyncChange:
 * @type: create, update, delete or read-flag change
 * @item: (nullable): the item with the requested properties (create and update)
 * @item_id / @change_key: the ItemId (always set)
 * @is_read: for read-flag changes
 */
struct _EwsSyncChange
{
  EwsSyncChangeType type;
  EwsItem          *item;
  char             *item_id;
  char             *change_key;
  gboolean          is_read;
};

EwsSyncChange *ews_sync_change_new (EwsSyncChangeType type);
void           ews_sync_change_free (EwsSyncChange *change);

/**
 * EwsSyncResult:
 * @sync_state: the new SyncState to persist and send next time
 * @includes_last_item_in_range: %FALSE means call SyncFolderItems again
 * @changes: (element-type EwsSyncChange)
 */
struct _EwsSyncResult
{
  char      *sync_state;
  gboolean   includes_last_item_in_range;
  GPtrArray *changes;
};

EwsSyncResult *ews_sync_result_new (void);
void           ews_sync_result_free (EwsSyncResult *result);

/**
 * EwsSubscription:
 * @id: SubscriptionId
 * @watermark: (nullable): pull and push subscriptions only
 */
struct _EwsSubscription
{
  char *id;
  char *watermark;
};

EwsSubscription *ews_subscription_new (const char *id,
                                       const char *watermark);
void             ews_subscription_free (EwsSubscription *subscription);

typedef enum
{
  EWS_AUTODISCOVER_ACTION_SETTINGS,
  EWS_AUTODISCOVER_ACTION_REDIRECT_ADDR,
  EWS_AUTODISCOVER_ACTION_REDIRECT_URL,
  EWS_AUTODISCOVER_ACTION_ERROR,
} EwsAutodiscoverAction;

/**
 * EwsAutodiscoverResult:
 * @ews_url: EXPR's EwsUrl when present, else EXCH's
 * @internal_ews_url: EXCH's EwsUrl
 * @grouping_information: (nullable): for affinity groups
 * @redirect: the address (redirectAddr) or URL (redirectUrl) to follow
 * @error_code / @error_message: POX Error (action error)
 */
struct _EwsAutodiscoverResult
{
  EwsAutodiscoverAction action;
  char                 *display_name;
  char                 *ews_url;
  char                 *internal_ews_url;
  char                 *grouping_information;
  char                 *redirect;
  char                 *error_code;
  char                 *error_message;
};

EwsAutodiscoverResult *ews_autodiscover_result_new (void);
void                   ews_autodiscover_result_free (EwsAutodiscoverResult *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EwsFolderRef, ews_folder_ref_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EwsFolder, ews_folder_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EwsEvent, ews_event_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EwsNotification, ews_notification_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EwsAttendee, ews_attendee_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EwsItem, ews_item_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EwsSyncChange, ews_sync_change_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EwsSyncResult, ews_sync_result_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EwsSubscription, ews_subscription_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EwsAutodiscoverResult, ews_autodiscover_result_free)

G_END_DECLS
