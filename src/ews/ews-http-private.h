/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <libsoup/soup.h>

#include "ews-client-private.h"

G_BEGIN_DECLS

/* One HTTP exchange whose every outcome the caller tells apart itself: the sign-in
 * check and Autodiscover (ews-http.c). Unlike the operations of ews-client-io.c,
 * any HTTP status is an answer, not an error. */

/**
 * EwsHttpAuthFunc:
 * @msg: the message
 * @auth: the challenge
 * @retrying: %TRUE when earlier credentials were refused
 *
 * Returns: %TRUE when @auth was (or will be) answered
 */
typedef gboolean (*EwsHttpAuthFunc) (SoupMessage *msg,
                                     SoupAuth    *auth,
                                     gboolean     retrying,
                                     gpointer     user_data);

void     ews_http_send_async (SoupSession        *session,
                              SoupMessage        *msg,
                              GBytes             *body,
                              EwsClientTrust     *trust,
                              EwsHttpAuthFunc     auth_func,
                              gpointer            auth_data,
                              gsize               max_size,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data);
GBytes  *ews_http_send_finish (GAsyncResult *result,
                               GError      **error);

gboolean ews_http_error_is_unreachable (const GError *error);

G_END_DECLS
