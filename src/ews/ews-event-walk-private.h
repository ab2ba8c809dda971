/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include "ews-notification-private.h"

G_BEGIN_DECLS

/* What an envelope of the event stream said: a notification, or a connection
 * status (-1: one this client does not know). */
typedef struct
{
  EwsNotification *notification;
  int              status;
} EwsEventSaid;

GArray *ews_event_walk (const char *data,
                        gsize       length);

G_END_DECLS
