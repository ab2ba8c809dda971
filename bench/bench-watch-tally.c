/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "bench-watch-tally.h"
#include "ews-string-private.h"

/* Each change, from its commit to its lines. */
typedef struct
{
  gint64 commit_us;
  gint64 arrival_us;
  guint  n_arrivals;
} Record;

/* With --split in latency mode: where the time of each change goes, as seen from
 * the simulator's side of the two HTTP connections. */
typedef struct
{
  gint64 commit_us;
  gint64 stream_us;   /* the envelope with its event handed to libsoup */
  gint64 request_us;  /* the SyncFolderItems request that follows, received and parsed */
  gint64 response_us; /* its response handed to libsoup */
} Split;

void
bench_tally_init (BenchTally *tally)
{
  g_mutex_init (&tally->lock);
  g_cond_init (&tally->cond);
  tally->records = g_hash_table_new_full (ews_id_hash, g_str_equal, g_free, g_free);
}

/* From now on, also time the steps of each change (see bench_tally_split_traffic_cb). */
void
bench_tally_time_steps (BenchTally *tally)
{
  g_mutex_lock (&tally->lock);
  if (tally->splits == NULL)
    tally->splits = g_array_new (FALSE, FALSE, sizeof (Split));
  g_mutex_unlock (&tally->lock);
}

void
bench_tally_clear (BenchTally *tally)
{
  g_hash_table_unref (tally->records);
  g_clear_pointer (&tally->splits, g_array_unref);
  g_mutex_clear (&tally->lock);
  g_cond_clear (&tally->cond);
}

static Record *
tally_record (BenchTally *tally,
              const char *item_id)
{
  Record *record = g_hash_table_lookup (tally->records, item_id);

  if (record == NULL)
    {
      record = g_new0 (Record, 1);
      g_hash_table_insert (tally->records, g_strdup (item_id), record);
    }
  return record;
}

/* On the simulator's thread. */
void
bench_tally_commit_cb (const char *item_id,
                       gint64      monotonic_us,
                       gpointer    user_data)
{
  BenchTally *tally = user_data;
  Record     *record;

  g_mutex_lock (&tally->lock);
  record = tally_record (tally, item_id);
  if (record->commit_us == 0)
    {
      tally->n_commits++;
      if (record->n_arrivals > 0)
        tally->n_arrived++;
    }
  record->commit_us = monotonic_us;
  if (tally->first_commit_us == 0)
    tally->first_commit_us = monotonic_us;
  if (tally->splits != NULL)
    {
      Split split = { .commit_us = monotonic_us };

      g_array_append_val (tally->splits, split);
    }
  g_mutex_unlock (&tally->lock);
}

/* The item_id member of a change line; ids are base64, so only \/ may be escaped. */
static char *
json_item_id (const char *line)
{
  const char *p = strstr (line, "\"item_id\"");
  GString    *id;

  if (p == NULL)
    return NULL;
  p += strlen ("\"item_id\"");
  while (*p == ' ' || *p == ':')
    p++;
  if (*p != '"')
    return NULL;
  p++;
  {
    /* the common case: nothing escaped */
    const char *end = strchr (p, '"');

    if (end != NULL && memchr (p, '\\', end - p) == NULL)
      return g_strndup (p, end - p);
  }
  id = g_string_new (NULL);
  for (; *p != '\0' && *p != '"'; p++)
    {
      if (*p == '\\' && p[1] != '\0')
        p++;
      g_string_append_c (id, *p);
    }
  return g_string_free (id, FALSE);
}

/* On the notifier's stdout reader thread. */
void
bench_tally_line_cb (const char *line,
                     gint64      arrival_us,
                     gpointer    user_data)
{
  BenchTally      *tally = user_data;
  g_autofree char *item_id = json_item_id (line);

  g_mutex_lock (&tally->lock);
  tally->n_lines++;
  tally->last_arrival_us = arrival_us;
  if (item_id == NULL)
    {
      tally->n_foreign++;
    }
  else
    {
      Record *record = tally_record (tally, item_id);

      if (record->n_arrivals++ == 0)
        {
          record->arrival_us = arrival_us;
          if (record->commit_us != 0)
            tally->n_arrived++;
        }
    }
  /* Only the last line wakes the waiter: waking it for each would take a core away
   * from the notifier in a burst. */
  if (tally->n_arrived == tally->n_commits)
    g_cond_broadcast (&tally->cond);
  g_mutex_unlock (&tally->lock);
}

/* Until every committed change has a line, or nothing arrived for @quiet_ms; then a
 * little longer, so that duplicates show. */
void
bench_tally_wait (BenchTally *tally,
                  guint       quiet_ms)
{
  gint64 quiet = (gint64)quiet_ms * G_TIME_SPAN_MILLISECOND;
  gint64 deadline = g_get_monotonic_time () + quiet;
  guint  lines = 0;

  g_mutex_lock (&tally->lock);
  while (tally->n_arrived < tally->n_commits)
    {
      gint64 now = g_get_monotonic_time ();

      if (tally->n_lines != lines)
        {
          lines = tally->n_lines;
          deadline = now + quiet;
        }
      if (now >= deadline)
        break;
      g_cond_wait_until (&tally->cond, &tally->lock, MIN (deadline, now + 100 * G_TIME_SPAN_MILLISECOND));
    }
  g_mutex_unlock (&tally->lock);
  g_usleep (300 * G_TIME_SPAN_MILLISECOND);
}

/* Prints lost= duplicated= unexpected=; returns whether every change arrived once. */
gboolean
bench_tally_report (BenchTally *tally)
{
  GHashTableIter iter;
  Record        *record;
  guint          duplicated = 0;
  guint          unexpected = tally->n_foreign;

  g_mutex_lock (&tally->lock);
  g_hash_table_iter_init (&iter, tally->records);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&record))
    {
      if (record->commit_us == 0)
        unexpected += record->n_arrivals;
      else if (record->n_arrivals > 1)
        duplicated += record->n_arrivals - 1;
    }
  printf ("lost=%u\nduplicated=%u\nunexpected=%u\n", tally->n_commits - tally->n_arrived, duplicated, unexpected);
  g_mutex_unlock (&tally->lock);
  return tally->n_commits == tally->n_arrived && duplicated == 0 && unexpected == 0;
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *)a;
  gint64 y = *(const gint64 *)b;

  return x < y ? -1 : x > y;
}

/* Nearest rank. */
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

/* On the simulator's thread: the envelope and the sync that follow the last commit. */
void
bench_tally_split_traffic_cb (const char *operation,
                              gboolean    is_response,
                              GBytes     *body,
                              gpointer    user_data)
{
  BenchTally *tally = user_data;
  gint64      now = g_get_monotonic_time ();
  gsize       length;
  const char *data = g_bytes_get_data (body, &length);
  Split      *split;

  g_mutex_lock (&tally->lock);
  if (tally->splits == NULL || tally->splits->len == 0)
    {
      g_mutex_unlock (&tally->lock);
      return;
    }
  split = &g_array_index (tally->splits, Split, tally->splits->len - 1);
  if (strcmp (operation, "GetStreamingEvents") == 0)
    {
      if (split->stream_us == 0 && is_response && g_strstr_len (data, length, "Notification>") != NULL)
        split->stream_us = now;
    }
  else if (strcmp (operation, "SyncFolderItems") == 0 && split->stream_us != 0)
    {
      if (!is_response && split->request_us == 0)
        split->request_us = now;
      else if (is_response && split->response_us == 0)
        split->response_us = now;
    }
  g_mutex_unlock (&tally->lock);
}

static double
median_ms (GArray *values)
{
  g_array_sort (values, compare_gint64);
  return percentile_ms (values, 0.5);
}

void
bench_tally_print_splits (BenchTally        *tally,
                          const char *const *ids)
{
  g_autoptr (GArray) flush = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GArray) to_request = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GArray) sync = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GArray) to_line = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GArray) in_order = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GString) drift = g_string_new ("p50_by_tenth_ms=");

  g_mutex_lock (&tally->lock);
  for (guint i = 0; i < tally->splits->len && ids[i] != NULL; i++)
    {
      Split  *split = &g_array_index (tally->splits, Split, i);
      Record *record = g_hash_table_lookup (tally->records, ids[i]);
      gint64  value;

      if (record == NULL || record->n_arrivals == 0 || split->response_us == 0)
        continue;
      value = record->arrival_us - record->commit_us;
      g_array_append_val (in_order, value);
      value = split->stream_us - split->commit_us;
      g_array_append_val (flush, value);
      value = split->request_us - split->stream_us;
      g_array_append_val (to_request, value);
      value = split->response_us - split->request_us;
      g_array_append_val (sync, value);
      value = record->arrival_us - split->response_us;
      g_array_append_val (to_line, value);
    }
  g_mutex_unlock (&tally->lock);

  /* Medians: commit → envelope queued in the simulator → SyncFolderItems parsed by the
   * simulator → its response queued → the line read from the notifier. */
  printf ("split_flush_ms=%.3f\nsplit_to_request_ms=%.3f\nsplit_sync_ms=%.3f\nsplit_to_line_ms=%.3f\nsplit_n=%u\n",
          median_ms (flush), median_ms (to_request), median_ms (sync), median_ms (to_line), flush->len);

  /* The median of each tenth of the run in order: whether latency drifts as the
   * notifier runs on. */
  for (guint tenth = MAX (in_order->len / 10, 1), start = 0; start + tenth <= in_order->len; start += tenth)
    {
      g_autoptr (GArray) part = g_array_new (FALSE, FALSE, sizeof (gint64));

      g_array_append_vals (part, &g_array_index (in_order, gint64, start), tenth);
      g_string_append_printf (drift, "%s%.3f", start > 0 ? "," : "", median_ms (part));
    }
  printf ("%s\n", drift->str);
}

void
bench_tally_print_latencies (BenchTally *tally)
{
  g_autoptr (GArray) latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  GHashTableIter iter;
  Record        *record;
  gint64         total = 0;

  g_mutex_lock (&tally->lock);
  g_hash_table_iter_init (&iter, tally->records);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&record))
    {
      gint64 latency = record->arrival_us - record->commit_us;

      if (record->commit_us == 0 || record->n_arrivals == 0)
        continue;
      g_array_append_val (latencies, latency);
      total += latency;
    }
  g_mutex_unlock (&tally->lock);

  g_array_sort (latencies, compare_gint64);
  printf ("p50_ms=%.3f\np90_ms=%.3f\np99_ms=%.3f\nmax_ms=%.3f\nmean_ms=%.3f\nn=%u\n",
          percentile_ms (latencies, 0.50), percentile_ms (latencies, 0.90), percentile_ms (latencies, 0.99),
          percentile_ms (latencies, 1.0), latencies->len > 0 ? total / 1000.0 / latencies->len : 0.0, latencies->len);
}
