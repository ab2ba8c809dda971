/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <glib.h>

#include "ews-records.h"
#include "ews-types.h"

G_BEGIN_DECLS

/* Limits from the schema (messages.xsd / types.xsd). */
#define EWS_REQUEST_MAX_STREAMING_IDS        200
#define EWS_REQUEST_MAX_CONNECTION_TIMEOUT   30
#define EWS_REQUEST_MAX_SUBSCRIPTION_TIMEOUT 1440
#define EWS_REQUEST_MAX_SYNC_CHANGES         512

/**
 * EwsPushStatus:
 * @EWS_PUSH_STATUS_OK: keep the push subscription
 * @EWS_PUSH_STATUS_UNSUBSCRIBE: end it
 *
 * The SubscriptionStatus a push listener answers a SendNotification with.
 */
typedef enum
{
  EWS_PUSH_STATUS_OK,
  EWS_PUSH_STATUS_UNSUBSCRIBE,
} EwsPushStatus;

/* Every builder returns a complete UTF-8 SOAP 1.1 envelope (the POX Autodiscover
 * request excepted). @server_version may be NULL for %EWS_DEFAULT_SERVER_VERSION. */

GBytes *ews_request_get_folder (const char *server_version,
                                GPtrArray  *folder_refs);
GBytes *ews_request_subscribe_streaming (const char  *server_version,
                                         GPtrArray   *folder_refs,
                                         EwsEventMask mask);
GBytes *ews_request_subscribe_pull (const char  *server_version,
                                    GPtrArray   *folder_refs,
                                    EwsEventMask mask,
                                    const char  *watermark,
                                    guint        timeout_minutes);
GBytes *ews_request_subscribe_push (const char  *server_version,
                                    GPtrArray   *folder_refs,
                                    EwsEventMask mask,
                                    const char  *watermark,
                                    const char  *url,
                                    guint        status_frequency_minutes);
GBytes *ews_request_get_streaming_events (const char        *server_version,
                                          const char *const *subscription_ids,
                                          guint              connection_timeout_minutes);
GBytes *ews_request_get_events (const char *server_version,
                                const char *subscription_id,
                                const char *watermark);
GBytes *ews_request_unsubscribe (const char *server_version,
                                 const char *subscription_id);
GBytes *ews_request_sync_folder_items (const char         *server_version,
                                       const EwsFolderRef *folder,
                                       EwsFolderKind       kind,
                                       const char         *sync_state,
                                       guint               max_changes);
GBytes *ews_request_get_item (const char        *server_version,
                              const char *const *item_ids);
GBytes *ews_request_send_notification_result (EwsPushStatus status);
GBytes *ews_request_autodiscover (const char *email_address);

G_END_DECLS
