/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <glib.h>

#include "ews-records.h"
#include "ews-request.h"

G_BEGIN_DECLS

/* Parsers for complete response documents. Elements are matched by namespace URI.
 * A SOAP fault or a failed ResponseMessage becomes an %EWS_ERROR (with the raw
 * ResponseCode and BackOffMilliseconds kept); an unreadable document gives
 * %EWS_ERROR_PROTOCOL. */

GPtrArray             *ews_response_parse_get_folder (const char *data,
                                                      gsize       length,
                                                      GError    **error);
EwsSubscription       *ews_response_parse_subscribe (const char *data,
                                                     gsize       length,
                                                     GError    **error);
EwsNotification       *ews_response_parse_get_events (const char *data,
                                                      gsize       length,
                                                      GError    **error);
gboolean               ews_response_parse_unsubscribe (const char *data,
                                                       gsize       length,
                                                       GError    **error);
EwsSyncResult         *ews_response_parse_sync_folder_items (const char *data,
                                                             gsize       length,
                                                             GError    **error);
EwsSyncResult         *ews_response_parse_sync_folder_items_tree (const char *data,
                                                                  gsize       length,
                                                                  GError    **error);
GPtrArray             *ews_response_parse_get_item (const char *data,
                                                    gsize       length,
                                                    GError    **error);
GPtrArray             *ews_response_parse_send_notification (const char *data,
                                                             gsize       length,
                                                             GError    **error);
gboolean               ews_response_parse_send_notification_result (const char    *data,
                                                                    gsize          length,
                                                                    EwsPushStatus *status,
                                                                    GError       **error);
EwsAutodiscoverResult *ews_response_parse_autodiscover (const char *data,
                                                        gsize       length,
                                                        GError    **error);
GError                *ews_response_parse_error (const char *data,
                                                 gsize       length);

G_END_DECLS
