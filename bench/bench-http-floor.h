/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

#define REQUEST_SIZE  1290 /* a SyncFolderItems request */
#define RESPONSE_SIZE 1900 /* its answer, one meeting changed */
#define WARM_UP       50   /* round trips left out of the figures */
#define EVENT_SIZE    1278 /* a GetStreamingEvents envelope with one ModifiedEvent */
#define STAMP_DIGITS  20   /* the push time, in µs, leads each event */

void bench_floor_print_times (const char *name,
                              gint64     *times,
                              guint       n);

void bench_floor_events_handler (SoupServer        *server,
                                 SoupServerMessage *msg,
                                 const char        *path,
                                 GHashTable        *query,
                                 gpointer           user_data);
int  bench_floor_event_client (const char *url,
                               guint       n,
                               guint       rate);

G_END_DECLS
