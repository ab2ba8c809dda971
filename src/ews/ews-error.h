/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define EWS_ERROR (ews_error_quark ())

/**
 * EwsError:
 * @EWS_ERROR_FAILED: anything else; retry later with back-off
 * @EWS_ERROR_AUTH: the server refused the credentials; ask the user
 * @EWS_ERROR_SUBSCRIPTION_DEAD: the subscription is gone; resubscribe and catch up
 * @EWS_ERROR_MISSED_EVENTS: events were lost; resubscribe and catch up with a sync
 * @EWS_ERROR_SERVER_BUSY: throttled; wait ews_error_get_back_off_ms() (or back off)
 * @EWS_ERROR_INVALID_SYNC_STATE: the sync state is unusable; sync the folder from scratch
 * @EWS_ERROR_THROTTLED: a connection or subscription budget is exhausted; back off
 * @EWS_ERROR_PROTOCOL: the answer could not be understood (malformed, oversized, unexpected)
 * @EWS_ERROR_ITEM_NOT_FOUND: the item no longer exists (ignore it)
 * @EWS_ERROR_TLS: the server's certificate was not accepted
 * @EWS_ERROR_NOT_SUPPORTED: the server does not offer the operation (e.g. streaming)
 * @EWS_ERROR_REDISCOVER: the mailbox moved; run autodiscover again
 * @EWS_ERROR_UNREACHABLE: no connection to the server (name not found, refused, timed out);
 *   check the address, the network or the proxy
 *
 * What the caller must do. The raw ResponseCode and MessageText stay in the message.
 */
typedef enum
{
  EWS_ERROR_FAILED,
  EWS_ERROR_AUTH,
  EWS_ERROR_SUBSCRIPTION_DEAD,
  EWS_ERROR_MISSED_EVENTS,
  EWS_ERROR_SERVER_BUSY,
  EWS_ERROR_INVALID_SYNC_STATE,
  EWS_ERROR_THROTTLED,
  EWS_ERROR_PROTOCOL,
  EWS_ERROR_ITEM_NOT_FOUND,
  EWS_ERROR_TLS,
  EWS_ERROR_NOT_SUPPORTED,
  EWS_ERROR_REDISCOVER,
  EWS_ERROR_UNREACHABLE,
} EwsError;

GQuark           ews_error_quark (void);
EwsError         ews_error_code_from_response_code (const char *response_code);
GError          *ews_error_new_from_response (const char *response_code,
                                              const char *message_text,
                                              guint       back_off_ms);
guint            ews_error_get_back_off_ms (const GError *error);
char            *ews_error_dup_response_code (const GError *error);

GTlsCertificate *ews_error_get_peer_certificate (const GError         *error,
                                                 GTlsCertificateFlags *errors);
void             ews_error_set_peer_certificate (GError              *error,
                                                 GTlsCertificate     *certificate,
                                                 GTlsCertificateFlags errors);

G_END_DECLS
