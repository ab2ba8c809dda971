/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What bench-desktop's latency mode counts: each meeting's commit in the simulator
 * against the Notify call that shows it, recognised by the meeting's subject,
 * "<prefix><index>". Filled from the simulator's and the shell's threads. */

typedef struct _BenchLatency BenchLatency;

BenchLatency                *bench_latency_new (const char        *subject_prefix,
                                                const char *const *ids);
void                         bench_latency_commit_cb (const char *item_id,
                                                      gint64      monotonic_us,
                                                      gpointer    user_data);
void                         bench_latency_traffic (BenchLatency *self,
                                                    const char   *operation,
                                                    gboolean      is_response,
                                                    gint64        monotonic_us);
void                         bench_latency_notify_cb (const char *summary,
                                                      const char *body,
                                                      guint32     replaces_id,
                                                      gint64      arrival_us,
                                                      gpointer    user_data);
void                         bench_latency_wait (BenchLatency *self,
                                                 guint         quiet_ms);
gboolean                     bench_latency_report (BenchLatency *self);
void                         bench_latency_free (BenchLatency *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchLatency, bench_latency_free)

G_END_DECLS
