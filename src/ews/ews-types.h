/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define EWS_NS_SOAP                  "http://schemas.xmlsoap.org/soap/envelope/"
#define EWS_NS_MESSAGES              "http://schemas.microsoft.com/exchange/services/2006/messages"
#define EWS_NS_TYPES                 "http://schemas.microsoft.com/exchange/services/2006/types"
#define EWS_NS_ERRORS                "http://schemas.microsoft.com/exchange/services/2006/errors"
#define EWS_NS_AUTODISCOVER_REQUEST  "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"
#define EWS_NS_AUTODISCOVER_RESPONSE "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"
#define EWS_NS_AUTODISCOVER          "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"

/* The newest RequestServerVersion every supported server accepts; streaming needs
 * at least Exchange2010_SP1. */
#define EWS_DEFAULT_SERVER_VERSION "Exchange2013_SP1"

typedef struct _EwsClient             EwsClient;
typedef struct _EwsEventStream        EwsEventStream;

typedef struct _EwsFolderRef          EwsFolderRef;
typedef struct _EwsFolder             EwsFolder;
typedef struct _EwsEvent              EwsEvent;
typedef struct _EwsNotification       EwsNotification;
typedef struct _EwsAttendee           EwsAttendee;
typedef struct _EwsItem               EwsItem;
typedef struct _EwsSyncChange         EwsSyncChange;
typedef struct _EwsSyncResult         EwsSyncResult;
typedef struct _EwsSubscription       EwsSubscription;
typedef struct _EwsAutodiscoverResult EwsAutodiscoverResult;

typedef enum
{
  EWS_FOLDER_KIND_OTHER,
  EWS_FOLDER_KIND_CALENDAR,
  EWS_FOLDER_KIND_TASKS,
} EwsFolderKind;

typedef enum
{
  EWS_EVENT_TYPE_STATUS,
  EWS_EVENT_TYPE_COPIED,
  EWS_EVENT_TYPE_CREATED,
  EWS_EVENT_TYPE_DELETED,
  EWS_EVENT_TYPE_MODIFIED,
  EWS_EVENT_TYPE_MOVED,
  EWS_EVENT_TYPE_NEW_MAIL,
  EWS_EVENT_TYPE_FREE_BUSY_CHANGED,
} EwsEventType;

/* Bit mask of the event types a subscription asks for. */
typedef enum
{
  EWS_EVENT_MASK_COPIED = 1 << EWS_EVENT_TYPE_COPIED,
  EWS_EVENT_MASK_CREATED = 1 << EWS_EVENT_TYPE_CREATED,
  EWS_EVENT_MASK_DELETED = 1 << EWS_EVENT_TYPE_DELETED,
  EWS_EVENT_MASK_MODIFIED = 1 << EWS_EVENT_TYPE_MODIFIED,
  EWS_EVENT_MASK_MOVED = 1 << EWS_EVENT_TYPE_MOVED,
  EWS_EVENT_MASK_NEW_MAIL = 1 << EWS_EVENT_TYPE_NEW_MAIL,
  EWS_EVENT_MASK_FREE_BUSY_CHANGED = 1 << EWS_EVENT_TYPE_FREE_BUSY_CHANGED,
  /* What a calendar and task notifier needs. */
  EWS_EVENT_MASK_ITEMS = EWS_EVENT_MASK_COPIED | EWS_EVENT_MASK_CREATED | EWS_EVENT_MASK_DELETED | EWS_EVENT_MASK_MODIFIED | EWS_EVENT_MASK_MOVED,
} EwsEventMask;

typedef enum
{
  EWS_SUBSCRIPTION_STREAMING,
  EWS_SUBSCRIPTION_PULL,
  EWS_SUBSCRIPTION_PUSH,
} EwsSubscriptionKind;

typedef enum
{
  EWS_CONNECTION_STATUS_OK,
  EWS_CONNECTION_STATUS_CLOSED,
} EwsConnectionStatus;

typedef enum
{
  EWS_ITEM_KIND_OTHER,
  EWS_ITEM_KIND_CALENDAR,
  EWS_ITEM_KIND_TASK,
  EWS_ITEM_KIND_MESSAGE,
} EwsItemKind;

typedef enum
{
  EWS_TASK_STATUS_UNKNOWN,
  EWS_TASK_STATUS_NOT_STARTED,
  EWS_TASK_STATUS_IN_PROGRESS,
  EWS_TASK_STATUS_COMPLETED,
  EWS_TASK_STATUS_WAITING_ON_OTHERS,
  EWS_TASK_STATUS_DEFERRED,
} EwsTaskStatus;

typedef enum
{
  EWS_SYNC_CHANGE_CREATE,
  EWS_SYNC_CHANGE_UPDATE,
  EWS_SYNC_CHANGE_DELETE,
  EWS_SYNC_CHANGE_READ_FLAG,
} EwsSyncChangeType;

typedef enum
{
  EWS_AUTH_BASIC,
  EWS_AUTH_NTLM,
  EWS_AUTH_NEGOTIATE,
  EWS_AUTH_AUTOMATIC,
} EwsAuthMechanism;

G_END_DECLS
