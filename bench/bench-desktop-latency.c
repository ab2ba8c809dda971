/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-desktop-latency.h"

/* A notification names its meeting by subject, in whichever words the locale puts
 * around it; the subject ends in the meeting's index, which leads to its ItemId. */

typedef struct
{
  gint64 commit_us;
  gint64 request_us;  /* the SyncFolderItems the change brought, received and parsed */
  gint64 response_us; /* its response handed to libsoup */
  gint64 notify_us;
  guint  n_notifies;
} Record;

struct _BenchLatency
{
  char       *prefix;
  GHashTable *indexes; /* item id → index + 1; read-only once made */
  guint       n_ids;
  GMutex      lock;
  GCond       cond;
  Record     *records;
  guint       current; /* index + 1 of the change committed last */
  guint       n_commits;
  guint       n_shown; /* committed changes with a notification */
  guint       n_notifies;
  guint       n_others; /* notifications of no one meeting: burst summaries */
};

/**
 * bench_latency_new:
 * @subject_prefix: what each meeting's subject starts with, before its index
 * @ids: the meetings' ItemIds, by index
 */
BenchLatency *
bench_latency_new (const char        *subject_prefix,
                   const char *const *ids)
{
  BenchLatency *self = g_new0 (BenchLatency, 1);

  self->prefix = g_strdup (subject_prefix);
  self->indexes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (; ids[self->n_ids] != NULL; self->n_ids++)
    g_hash_table_insert (self->indexes, g_strdup (ids[self->n_ids]), GUINT_TO_POINTER (self->n_ids + 1));
  self->records = g_new0 (Record, self->n_ids);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  return self;
}

void
bench_latency_free (BenchLatency *self)
{
  g_hash_table_unref (self->indexes);
  g_free (self->records);
  g_free (self->prefix);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self);
}

/* An EwsSimCommitFunc, on the simulator's thread. */
void
bench_latency_commit_cb (const char *item_id,
                         gint64      monotonic_us,
                         gpointer    user_data)
{
  BenchLatency *self = user_data;
  guint         index = GPOINTER_TO_UINT (g_hash_table_lookup (self->indexes, item_id));
  Record       *record;

  if (index == 0)
    return;
  g_mutex_lock (&self->lock);
  record = &self->records[index - 1];
  if (record->commit_us == 0)
    {
      self->n_commits++;
      if (record->n_notifies > 0)
        self->n_shown++;
    }
  record->commit_us = monotonic_us;
  self->current = index;
  g_mutex_unlock (&self->lock);
}

/**
 * bench_latency_traffic:
 *
 * From an EwsSimTrafficFunc: the sync that follows the change committed last.
 * Changes come one at a time, so the sync is that change's.
 */
void
bench_latency_traffic (BenchLatency *self,
                       const char   *operation,
                       gboolean      is_response,
                       gint64        monotonic_us)
{
  Record *record;

  if (strcmp (operation, "SyncFolderItems") != 0)
    return;
  g_mutex_lock (&self->lock);
  record = self->current > 0 ? &self->records[self->current - 1] : NULL;
  if (record != NULL && !is_response && record->request_us == 0)
    record->request_us = monotonic_us;
  else if (record != NULL && is_response && record->request_us != 0 && record->response_us == 0)
    record->response_us = monotonic_us;
  g_mutex_unlock (&self->lock);
}

/* The index in "… <prefix><index> …", or -1. */
static gint64
index_in (const char *text,
          const char *prefix)
{
  const char *p = strstr (text, prefix);
  char       *end;
  gint64      index;

  if (p == NULL)
    return -1;
  p += strlen (prefix);
  index = g_ascii_strtoll (p, &end, 10);
  return end != p ? index : -1;
}

/* A BenchNotifyFunc, on the shell's thread. */
void
bench_latency_notify_cb (const char *summary,
                         const char *body,
                         guint32     replaces_id,
                         gint64      arrival_us,
                         gpointer    user_data)
{
  BenchLatency *self = user_data;
  gint64        index = index_in (summary, self->prefix);

  g_mutex_lock (&self->lock);
  self->n_notifies++;
  if (index < 0 || index >= self->n_ids)
    self->n_others++;
  else
    {
      Record *record = &self->records[index];

      if (record->n_notifies++ == 0)
        {
          record->notify_us = arrival_us;
          if (record->commit_us != 0)
            self->n_shown++;
        }
    }
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

/* Until every committed change is shown, or nothing came for @quiet_ms; then a
 * little longer, so that duplicates show. */
void
bench_latency_wait (BenchLatency *self,
                    guint         quiet_ms)
{
  gint64 quiet = (gint64)quiet_ms * G_TIME_SPAN_MILLISECOND;
  gint64 deadline = g_get_monotonic_time () + quiet;
  guint  seen = 0;

  g_mutex_lock (&self->lock);
  while (self->n_shown < self->n_commits)
    {
      gint64 now = g_get_monotonic_time ();

      if (self->n_notifies != seen)
        {
          seen = self->n_notifies;
          deadline = now + quiet;
        }
      if (now >= deadline)
        break;
      g_cond_wait_until (&self->cond, &self->lock, deadline);
    }
  g_mutex_unlock (&self->lock);
  g_usleep (500 * G_TIME_SPAN_MILLISECOND);
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *)a;
  gint64 y = *(const gint64 *)b;

  return x < y ? -1 : x > y;
}

/* Nearest rank, of sorted microseconds, in milliseconds. */
static double
percentile_ms (GArray *sorted,
               double  p)
{
  guint rank;

  if (sorted->len == 0)
    return 0;
  rank = (guint)(p * sorted->len + 0.999999);
  rank = CLAMP (rank, 1, sorted->len);
  return g_array_index (sorted, gint64, rank - 1) / 1000.0;
}

static double
median_ms (GArray *values)
{
  g_array_sort (values, compare_gint64);
  return percentile_ms (values, 0.5);
}

/* Medians: commit → the SyncFolderItems it brought, as parsed by the simulator (the
 * event streamed and read, the request sent) → its response queued → the Notify. */
static void
print_splits (BenchLatency *self)
{
  g_autoptr (GArray) to_request = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GArray) sync = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GArray) to_notify = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < self->n_ids; i++)
    {
      Record *record = &self->records[i];
      gint64  value;

      if (record->commit_us == 0 || record->response_us == 0 || record->n_notifies == 0)
        continue;
      value = record->request_us - record->commit_us;
      g_array_append_val (to_request, value);
      value = record->response_us - record->request_us;
      g_array_append_val (sync, value);
      value = record->notify_us - record->response_us;
      g_array_append_val (to_notify, value);
    }
  printf ("split_to_sync_ms=%.3f\nsplit_sync_ms=%.3f\nsplit_to_notify_ms=%.3f\nsplit_n=%u\n", median_ms (to_request), median_ms (sync),
          median_ms (to_notify), to_request->len);
}

typedef enum
{
  PART_WHOLE,     /* commit → Notify */
  PART_TO_SYNC,   /* commit → the SyncFolderItems request */
  PART_TO_NOTIFY, /* its response → Notify */
} Part;

/* The median of @part in each tenth of the run in order: whether latency drifts as
 * the application runs on, and in which part. */
static void
print_drift (BenchLatency *self,
             const char   *name,
             Part          part)
{
  g_autoptr (GString) line = g_string_new (name);
  guint tenth = MAX (self->n_ids / 10, 1);

  g_string_append_c (line, '=');
  for (guint start = 0; start + tenth <= self->n_ids; start += tenth)
    {
      g_autoptr (GArray) values = g_array_new (FALSE, FALSE, sizeof (gint64));

      for (guint i = start; i < start + tenth; i++)
        {
          Record *record = &self->records[i];
          gint64  value;

          if (record->commit_us == 0 || record->n_notifies == 0 || (part != PART_WHOLE && record->response_us == 0))
            continue;
          if (part == PART_TO_SYNC)
            value = record->request_us - record->commit_us;
          else if (part == PART_TO_NOTIFY)
            value = record->notify_us - record->response_us;
          else
            value = record->notify_us - record->commit_us;
          g_array_append_val (values, value);
        }
      g_string_append_printf (line, "%s%.3f", start > 0 ? "," : "", values->len > 0 ? median_ms (values) : 0.0);
    }
  printf ("%s\n", line->str);
}

/**
 * bench_latency_report:
 *
 * Prints notify_latency_p50_ms= p90= p99= max= n=, the medians of each tenth of the
 * run and of its parts, then lost= duplicated= grouped=.
 *
 * Returns: whether every change was shown once, on its own
 */
gboolean
bench_latency_report (BenchLatency *self)
{
  g_autoptr (GArray) latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint duplicated = 0;
  guint lost, others;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->n_ids; i++)
    {
      Record *record = &self->records[i];
      gint64  latency = record->notify_us - record->commit_us;

      if (record->commit_us == 0 || record->n_notifies == 0)
        continue;
      g_array_append_val (latencies, latency);
      duplicated += record->n_notifies - 1;
    }
  lost = self->n_commits - self->n_shown;
  others = self->n_others;

  g_array_sort (latencies, compare_gint64);
  printf ("notify_latency_p50_ms=%.3f\nnotify_latency_p90_ms=%.3f\nnotify_latency_p99_ms=%.3f\nnotify_latency_max_ms=%.3f\nnotify_latency_n=%u\n",
          percentile_ms (latencies, 0.50), percentile_ms (latencies, 0.90), percentile_ms (latencies, 0.99),
          percentile_ms (latencies, 1.0), latencies->len);
  print_drift (self, "notify_latency_p50_by_tenth_ms", PART_WHOLE);
  print_drift (self, "split_to_sync_by_tenth_ms", PART_TO_SYNC);
  print_drift (self, "split_to_notify_by_tenth_ms", PART_TO_NOTIFY);
  print_splits (self);
  g_mutex_unlock (&self->lock);
  /* grouped: summaries instead of single notifications, which the pacing should avoid. */
  printf ("lost=%u\nduplicated=%u\ngrouped=%u\n", lost, duplicated, others);
  return lost == 0 && duplicated == 0 && others == 0;
}
