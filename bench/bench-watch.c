/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

/* The real `ews-notifier --watch --json` process against the simulator serving from
 * a thread of its own:
 *
 *   latency  meetings rescheduled one at a time at a steady rate: the time from the
 *            simulator's commit of a change to its JSON line on the notifier's stdout
 *   burst    meetings created as fast as the simulator can, spread over many watched
 *            mailboxes: changes per second end to end, and memory growth
 *   idle     nothing but keep-alives: CPU time and wakeups
 *
 * Changes are made in-process (ews_simulator_reschedule, _create_meetings), not by an
 * EwsSimColleague over HTTP: the simulator's thread then serves the notifier alone,
 * and a change's commit time is exact. The notifier's stdout is read by a thread of
 * its own, so each line is timed the moment it can be read. */

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench-machine.h"
#include "bench-watch-notifier.h"
#include "bench-watch-proc.h"
#include "bench-watch-tally.h"
#include "ews-simulator.h"

#define STREAMING_TIMEOUT_MS (300 * 1000)
#define STOP_TIMEOUT_MS      (5 * 1000)

/* A simulator in its own thread with @n_users users user1, user2, …, all with the
 * same password (never printed), plus "organizer", who makes the changes. */
static EwsSimulator *
start_simulator (guint  n_users,
                 char **password)
{
  g_autoptr (EwsSimulator) sim = ews_simulator_new_in_thread ();
  g_autoptr (GError) error = NULL;

  *password = g_uuid_string_random ();
  for (guint i = 1; i <= n_users; i++)
    {
      g_autofree char *name = g_strdup_printf ("user%u", i);

      ews_simulator_add_user (sim, name, *password);
    }
  ews_simulator_add_user (sim, "organizer", *password);
  if (!ews_simulator_listen (sim, 0, FALSE, &error))
    g_error ("Cannot listen: %s", error->message);
  return g_steal_pointer (&sim);
}

static BenchNotifier *
start_notifier (const char        *binary,
                EwsSimulator      *sim,
                const char        *password,
                const char *const *mailboxes,
                BenchTally        *tally)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BenchNotifier) notifier = NULL;
  gint64 begin = g_get_monotonic_time ();

  notifier = bench_notifier_start (binary, ews_simulator_get_url (sim), "user1", password, mailboxes, bench_tally_line_cb, tally, &error);
  if (notifier == NULL)
    {
      g_printerr ("Cannot start %s: %s\n", binary, error->message);
      return NULL;
    }
  if (!bench_notifier_wait_streaming (notifier, STREAMING_TIMEOUT_MS))
    {
      g_printerr ("ews-notifier did not reach the streaming state\n");
      return NULL;
    }
  g_printerr ("streaming after %.1f s\n", (g_get_monotonic_time () - begin) / 1e6);
  return g_steal_pointer (&notifier);
}

static gboolean
stop_notifier (BenchNotifier *notifier)
{
  g_autoptr (GError) error = NULL;
  gint64   begin = g_get_monotonic_time ();
  gboolean clean = bench_notifier_stop (notifier, STOP_TIMEOUT_MS, &error);

  printf ("stop_ms=%.0f\nexit_clean=%s\n", (g_get_monotonic_time () - begin) / 1000.0, clean ? "true" : "false");
  if (!clean)
    g_printerr ("%s\n", error->message);
  return clean;
}

/* Tomorrow 08:00 UTC, so every meeting lies in the future. */
static GDateTime *
first_start (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) tomorrow = g_date_time_add_days (now, 1);

  return g_date_time_new_utc (g_date_time_get_year (tomorrow), g_date_time_get_month (tomorrow),
                              g_date_time_get_day_of_month (tomorrow), 8, 0, 0);
}

static int
run_latency (const char *binary,
             guint       n_changes,
             guint       rate,
             gboolean    split)
{
  g_autofree char *password = NULL;
  g_autoptr (EwsSimulator) sim = start_simulator (2, &password);
  g_autoptr (GDateTime) start = first_start ();
  g_autoptr (BenchNotifier) notifier = NULL;
  g_auto (GStrv) ids = NULL;
  BenchTally tally = { 0 };
  gint64     begin;
  double     notifier_cpu, simulator_cpu;
  int        pid;
  gboolean   ok;

  bench_tally_init (&tally);
  /* The meetings exist before the notifier starts; its first sync only fills its store. */
  ids = ews_simulator_create_meetings (sim, "user1@example.com", "organizer", "Review", start, n_changes);
  notifier = start_notifier (binary, sim, password, NULL, &tally);
  if (notifier == NULL)
    {
      bench_tally_clear (&tally);
      return 1;
    }
  if (split)
    {
      bench_tally_time_steps (&tally);
      ews_simulator_set_traffic_func (sim, bench_tally_split_traffic_cb, &tally, NULL);
    }
  ews_simulator_set_commit_func (sim, bench_tally_commit_cb, &tally, NULL);
  pid = bench_notifier_get_pid (notifier);
  notifier_cpu = bench_proc_get_run_seconds (pid, NULL);
  simulator_cpu = bench_proc_get_run_seconds (getpid (), "ews-simulator");

  begin = g_get_monotonic_time ();
  for (guint i = 0; i < n_changes; i++)
    {
      gint64 due = begin + (gint64)i * G_USEC_PER_SEC / rate;
      gint64 now = g_get_monotonic_time ();
      g_autoptr (GDateTime) new_start = g_date_time_add_minutes (start, (int)i * 60 + 15);
      g_autoptr (GDateTime) new_end = g_date_time_add_minutes (new_start, 30);

      if (due > now)
        g_usleep (due - now);
      if (!ews_simulator_reschedule (sim, ids[i], "organizer", new_start, new_end))
        g_error ("No meeting %s", ids[i]);
    }
  bench_tally_wait (&tally, 5000);
  notifier_cpu = bench_proc_get_run_seconds (pid, NULL) - notifier_cpu;
  simulator_cpu = bench_proc_get_run_seconds (getpid (), "ews-simulator") - simulator_cpu;
  ews_simulator_set_commit_func (sim, NULL, NULL, NULL);
  ews_simulator_set_traffic_func (sim, NULL, NULL, NULL);

  printf ("changes=%u\nrate=%u\n", n_changes, rate);
  bench_tally_print_latencies (&tally);
  /* CPU time per change: what a change costs, apart from waiting. */
  printf ("notifier_cpu_ms_per_change=%.3f\nsimulator_cpu_ms_per_change=%.3f\n", notifier_cpu * 1000 / n_changes,
          simulator_cpu * 1000 / n_changes);
  if (split)
    bench_tally_print_splits (&tally, (const char *const *)ids);
  ok = bench_tally_report (&tally);
  ok &= stop_notifier (notifier);
  bench_tally_clear (&tally);
  return ok ? 0 : 1;
}

typedef struct
{
  gint  n_syncs;
  gsize sync_bytes;
  gint  n_envelopes;
  gsize stream_bytes;
} Traffic;

/* On the simulator's thread. */
static void
burst_traffic_cb (const char *operation,
                  gboolean    is_response,
                  GBytes     *body,
                  gpointer    user_data)
{
  Traffic *traffic = user_data;

  if (!is_response)
    return;
  if (strcmp (operation, "SyncFolderItems") == 0)
    {
      traffic->n_syncs++;
      traffic->sync_bytes += g_bytes_get_size (body);
    }
  else if (strcmp (operation, "GetStreamingEvents") == 0)
    {
      traffic->n_envelopes++;
      traffic->stream_bytes += g_bytes_get_size (body);
    }
}

static int
run_burst (const char *binary,
           guint       n_changes,
           guint       n_mailboxes,
           guint       batch)
{
  g_autofree char *password = NULL;
  g_autoptr (EwsSimulator) sim = start_simulator (n_mailboxes, &password);
  g_autoptr (GDateTime) start = first_start ();
  g_autoptr (GPtrArray) mailboxes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (BenchNotifier) notifier = NULL;
  BenchTally tally = { 0 };
  Traffic    traffic = { 0 };
  guint      created = 0;
  guint      round = 0;
  gint64     rss_before, rss_after, begin, committed;
  double     seconds, notifier_cpu, simulator_cpu, reader_cpu;
  int        pid;
  gboolean   ok;

  bench_tally_init (&tally);
  for (guint i = 2; i <= n_mailboxes; i++)
    g_ptr_array_add (mailboxes, g_strdup_printf ("user%u@example.com", i));
  g_ptr_array_add (mailboxes, NULL);
  notifier = start_notifier (binary, sim, password, (const char *const *)mailboxes->pdata, &tally);
  if (notifier == NULL)
    {
      bench_tally_clear (&tally);
      return 1;
    }
  pid = bench_notifier_get_pid (notifier);
  rss_before = bench_proc_get_rss_anon_kb (pid);
  notifier_cpu = bench_proc_get_run_seconds (pid, NULL);
  simulator_cpu = bench_proc_get_run_seconds (getpid (), "ews-simulator");
  reader_cpu = bench_proc_get_run_seconds (getpid (), "bench-stdout");
  ews_simulator_set_traffic_func (sim, burst_traffic_cb, &traffic, NULL);
  ews_simulator_set_commit_func (sim, bench_tally_commit_cb, &tally, NULL);

  /* Round after round, a batch into every calendar, until all are made. */
  begin = g_get_monotonic_time ();
  while (created < n_changes)
    {
      for (guint m = 1; m <= n_mailboxes && created < n_changes; m++)
        {
          g_autofree char *mailbox = g_strdup_printf ("user%u@example.com", m);
          guint            n = MIN (batch, n_changes - created);

          g_autoptr (GDateTime) round_start = g_date_time_add_hours (start, (gint)(round * batch));

          g_strfreev (ews_simulator_create_meetings (sim, mailbox, "organizer", "Planning", round_start, n));
          created += n;
        }
      round++;
    }
  committed = g_get_monotonic_time ();
  bench_tally_wait (&tally, 120000);
  rss_after = bench_proc_get_rss_anon_kb (pid);
  notifier_cpu = bench_proc_get_run_seconds (pid, NULL) - notifier_cpu;
  simulator_cpu = bench_proc_get_run_seconds (getpid (), "ews-simulator") - simulator_cpu;
  reader_cpu = bench_proc_get_run_seconds (getpid (), "bench-stdout") - reader_cpu;
  ews_simulator_set_commit_func (sim, NULL, NULL, NULL);
  ews_simulator_set_traffic_func (sim, NULL, NULL, NULL);

  seconds = (tally.last_arrival_us - tally.first_commit_us) / 1e6;
  printf ("changes=%u\nmailboxes=%u\nbatch=%u\n", n_changes, n_mailboxes, batch);
  printf ("changes_per_s=%.0f\nseconds=%.3f\ncommit_seconds=%.3f\n", seconds > 0 ? tally.n_arrived / seconds : 0.0, seconds,
          (committed - begin) / 1e6);
  /* Which side limits: each one's CPU time, the simulator's including the syncs it serves,
   * and the bench's own reader of the lines, which shares the two cores with them. */
  printf ("notifier_cpu_s=%.3f\nsimulator_cpu_s=%.3f\nreader_cpu_s=%.3f\n", notifier_cpu, simulator_cpu, reader_cpu);
  printf ("envelopes=%d\nstream_mb=%.1f\nsyncs=%d\nsync_mb=%.1f\n", traffic.n_envelopes, traffic.stream_bytes / 1048576.0,
          traffic.n_syncs, traffic.sync_bytes / 1048576.0);
  ok = bench_tally_report (&tally);
  printf ("rss_anon_before_kb=%" G_GINT64_FORMAT "\nrss_anon_after_kb=%" G_GINT64_FORMAT "\nrss_anon_growth_mb=%.1f\n",
          rss_before, rss_after, (rss_after - rss_before) / 1024.0);
  ok &= stop_notifier (notifier);
  bench_tally_clear (&tally);
  return ok ? 0 : 1;
}

static void
traffic_cb (const char *operation,
            gboolean    is_response,
            GBytes     *body,
            gpointer    user_data)
{
  guint      *keepalives = user_data;
  gsize       length;
  const char *data = g_bytes_get_data (body, &length);

  if (is_response && strcmp (operation, "GetStreamingEvents") == 0 && g_strstr_len (data, length, "<m:ConnectionStatus>OK</m:ConnectionStatus>") != NULL)
    g_atomic_int_inc (keepalives);
}

static int
run_idle (const char *binary,
          guint       seconds)
{
  g_autofree char *password = NULL;
  g_autoptr (EwsSimulator) sim = NULL;
  g_autoptr (BenchNotifier) notifier = NULL;
  g_autoptr (BenchTaskStats) stats = NULL;
  BenchTally tally = { 0 };
  guint      keepalives = 0;
  double     cpu_before, cpu_after, elapsed;
  gint64     begin, end;
  int        pid;
  gboolean   ok;

  bench_tally_init (&tally);
  /* The simulator's keep-alive interval stays at its default, as a real server's. */
  sim = start_simulator (1, &password);
  ews_simulator_set_traffic_func (sim, traffic_cb, &keepalives, NULL);
  notifier = start_notifier (binary, sim, password, NULL, &tally);
  if (notifier == NULL)
    {
      bench_tally_clear (&tally);
      return 1;
    }
  pid = bench_notifier_get_pid (notifier);

  g_atomic_int_set (&keepalives, 0);
  stats = bench_task_stats_new (pid);
  cpu_before = bench_proc_get_cpu_seconds (pid);
  begin = g_get_monotonic_time ();
  end = begin + (gint64)seconds * G_USEC_PER_SEC;
  /* Threads are sampled now and then, so one that ends in between still counts. */
  for (gint64 now = begin; now < end; now = g_get_monotonic_time ())
    {
      g_usleep (MIN (end - now, 5 * G_USEC_PER_SEC));
      bench_task_stats_sample (stats);
    }
  cpu_after = bench_proc_get_cpu_seconds (pid);
  elapsed = (g_get_monotonic_time () - begin) / 1e6;

  printf ("cpu_s=%.2f\ncpu_run_s=%.4f\nwakeups=%" G_GUINT64_FORMAT "\nwakeups_per_min=%.1f\nkeepalives=%u\nseconds=%.0f\n",
          cpu_after - cpu_before, bench_task_stats_get_run_seconds (stats), bench_task_stats_get_switches (stats),
          bench_task_stats_get_switches (stats) * 60 / elapsed, g_atomic_int_get (&keepalives), elapsed);
  ok = tally.n_lines == 0;
  if (!ok)
    g_printerr ("%u unexpected lines while idle\n", tally.n_lines);
  ok &= stop_notifier (notifier);
  ews_simulator_set_traffic_func (sim, NULL, NULL, NULL);
  bench_tally_clear (&tally);
  return ok ? 0 : 1;
}

/* The notifier on CPU 0, everything of the bench (simulator, readers) on CPU 1: the
 * figures then say what each side costs, not how the scheduler placed them. Before any
 * thread starts, so that all of them inherit it. */
static gboolean
pin_to_cpus (void)
{
  cpu_set_t set;

  if (g_get_num_processors () < 2)
    {
      g_printerr ("--pin needs two CPUs\n");
      return FALSE;
    }
  CPU_ZERO (&set);
  CPU_SET (1, &set);
  if (sched_setaffinity (0, sizeof set, &set) != 0)
    {
      g_printerr ("Cannot pin to CPU 1: %s\n", g_strerror (errno));
      return FALSE;
    }
  bench_notifier_set_cpu (0);
  printf ("pinned=notifier:0,simulator:1\n");
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *notifier = NULL;
  g_autoptr (GOptionContext) context = g_option_context_new ("latency|burst|idle");
  g_autoptr (GError) error = NULL;
  int          changes = 0;
  int          rate = 50;
  int          mailboxes = 80;
  int          batch = 250;
  int          seconds = 600;
  gboolean     split = FALSE;
  gboolean     pin = FALSE;
  GOptionEntry entries[] = {
    { "changes", 0, 0, G_OPTION_ARG_INT, &changes, "Changes to make (latency 1000, burst 100000)", "N" },
    { "rate", 0, 0, G_OPTION_ARG_INT, &rate, "latency: changes per second (50)", "N" },
    { "mailboxes", 0, 0, G_OPTION_ARG_INT, &mailboxes, "burst: watched mailboxes (80)", "N" },
    { "batch", 0, 0, G_OPTION_ARG_INT, &batch, "burst: meetings created in one go in one calendar (250)", "N" },
    { "split", 0, 0, G_OPTION_ARG_NONE, &split, "latency: also show where the time goes, from the simulator's side", NULL },
    { "seconds", 0, 0, G_OPTION_ARG_INT, &seconds, "idle: how long to measure (600)", "N" },
    { "pin", 0, 0, G_OPTION_ARG_NONE, &pin, "Run the notifier on CPU 0 and the simulator and this bench on CPU 1", NULL },
    { "notifier", 0, 0, G_OPTION_ARG_FILENAME, &notifier, "The ews-notifier executable", "PATH" },
    { NULL }
  };

  /* Messages in the user's language, figures always with a decimal point. */
  setlocale (LC_ALL, "");
  setlocale (LC_NUMERIC, "C");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context, "Measures a real `ews-notifier --watch --json` against the EWS simulator.");
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2 || changes < 0 || rate <= 0 || mailboxes <= 0 || batch <= 0 || seconds <= 0)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "Usage: bench-watch [OPTION…] latency|burst|idle");
      return 2;
    }
  if (notifier == NULL)
    notifier = g_strdup (EWS_NOTIFIER_PATH);
  setvbuf (stdout, NULL, _IOLBF, 0);
  bench_machine_print ();
  if (pin && !pin_to_cpus ())
    return 1;

  if (strcmp (argv[1], "latency") == 0)
    return run_latency (notifier, changes > 0 ? (guint)changes : 1000, (guint)rate, split);
  if (strcmp (argv[1], "burst") == 0)
    return run_burst (notifier, changes > 0 ? (guint)changes : 100000, (guint)mailboxes, (guint)batch);
  if (strcmp (argv[1], "idle") == 0)
    return run_idle (notifier, (guint)seconds);
  g_printerr ("Unknown mode %s: latency, burst or idle\n", argv[1]);
  return 2;
}
