/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A real `ews-notifier --watch --json` process for bench-watch, and what /proc says
 * about it. */

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
gboolean       bench_notifier_wait_streaming (BenchNotifier *self,
                                              guint          timeout_ms);
int            bench_notifier_get_pid (BenchNotifier *self);
gboolean       bench_notifier_stop (BenchNotifier *self,
                                    guint          timeout_ms,
                                    GError       **error);
void           bench_notifier_free (BenchNotifier *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchNotifier, bench_notifier_free)

/* Per-thread counters of a process, summed so that threads that come and go
 * between samples still count. */
typedef struct _BenchTaskStats BenchTaskStats;

BenchTaskStats                *bench_task_stats_new (int pid);
void                           bench_task_stats_sample (BenchTaskStats *self);
guint64                        bench_task_stats_get_switches (BenchTaskStats *self);
double                         bench_task_stats_get_run_seconds (BenchTaskStats *self);
void                           bench_task_stats_free (BenchTaskStats *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchTaskStats, bench_task_stats_free)

gint64 bench_proc_get_rss_anon_kb (int pid);
double bench_proc_get_cpu_seconds (int pid);
double bench_proc_get_run_seconds (int         pid,
                                   const char *comm);

G_END_DECLS
