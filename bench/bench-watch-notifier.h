/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A real `ews-notifier --watch --json` process for bench-watch. */

typedef struct _BenchNotifier BenchNotifier;

/**
 * BenchLineFunc:
 * @line: one line of the notifier's stdout, without its newline
 * @arrival_us: g_get_monotonic_time() when the read that completed @line returned
 *
 * Called on the stdout reader thread.
 */
typedef void (*BenchLineFunc) (const char *line,
                               gint64      arrival_us,
                               gpointer    user_data);

BenchNotifier *bench_notifier_start (const char        *binary,
                                     const char        *url,
                                     const char        *user,
                                     const char        *password,
                                     const char *const *mailboxes,
                                     BenchLineFunc      func,
                                     gpointer           user_data,
                                     GError           **error);
/* The CPU the next notifiers started run on alone (-1: any, as the kernel likes). */
void           bench_notifier_set_cpu (int cpu);
gboolean       bench_notifier_wait_streaming (BenchNotifier *self,
                                              guint          timeout_ms);
int            bench_notifier_get_pid (BenchNotifier *self);
gboolean       bench_notifier_stop (BenchNotifier *self,
                                    guint          timeout_ms,
                                    GError       **error);
void           bench_notifier_free (BenchNotifier *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchNotifier, bench_notifier_free)

G_END_DECLS
