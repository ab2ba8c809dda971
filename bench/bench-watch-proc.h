/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

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
