/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What bench-watch counts: each change's commit in the simulator against the
 * notifier's lines about it. Filled from the simulator's thread and the notifier's
 * stdout reader; read under @lock. */
typedef struct
{
  GMutex      lock;
  GCond       cond;
  GHashTable *records; /* item id → when it was committed and read */
  guint       n_commits;
  guint       n_arrived; /* committed changes with at least one line */
  guint       n_lines;
  guint       n_foreign; /* lines without an item_id */
  gint64      first_commit_us;
  gint64      last_arrival_us;
  GArray     *splits; /* (nullable) the steps of each commit */
} BenchTally;

void     bench_tally_init (BenchTally *tally);
void     bench_tally_clear (BenchTally *tally);
void     bench_tally_time_steps (BenchTally *tally);
void     bench_tally_commit_cb (const char *item_id,
                                gint64      monotonic_us,
                                gpointer    user_data);
void     bench_tally_line_cb (const char *line,
                              gint64      arrival_us,
                              gpointer    user_data);
void     bench_tally_split_traffic_cb (const char *operation,
                                       gboolean    is_response,
                                       GBytes     *body,
                                       gpointer    user_data);
void     bench_tally_wait (BenchTally *tally,
                           guint       quiet_ms);
gboolean bench_tally_report (BenchTally *tally);
void     bench_tally_print_latencies (BenchTally *tally);
void     bench_tally_print_splits (BenchTally        *tally,
                                   const char *const *ids);

G_END_DECLS
