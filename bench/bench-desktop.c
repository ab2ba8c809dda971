/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

/* The real desktop application against the simulator, in a private headless session
 * (Xvfb and a session bus of the bench's own) where the bench itself plays the
 * desktop: the notification server and the tray watcher (bench-desktop-shell.c).
 *
 *   startup  from spawning the application to its tray item's registration
 *   memory   RssAnon once it watches three mailboxes and its requests have stopped
 *   latency  meetings rescheduled one at a time, each from the simulator's commit to
 *            the Notify call that shows it
 *
 * The application groups changes that come close together into one summary
 * (ewn-notifier.c): a change is shown on its own only when fewer than 3 came within
 * coalesce-seconds before it and no more than max-notifications-per-minute within
 * the last minute, counting itself. With the defaults, 3 s and 10, that is one change
 * every 6 s: 1,000 would take 100 minutes. So `latency` gives the application a
 * vendor override of those two settings, the narrowest window (1 s) and the largest
 * allowance (120), which changes nothing on a change's way to the screen, and makes a
 * change every 550 ms: at most 110 in any minute and 2 in any second, each shown on
 * its own. 120 a minute is the most the application ever shows one by one, so 1,000
 * changes take 9 minutes; --changes runs a shorter series. */

#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "bench-desktop-app.h"
#include "bench-desktop-latency.h"
#include "bench-desktop-session.h"
#include "bench-desktop-shell.h"
#include "bench-machine.h"
#include "bench-watch-proc.h"
#include "ews-simulator.h"

#define REGISTER_TIMEOUT_MS (10 * 1000)
#define SETTLE_TIMEOUT_MS   (60 * 1000)
#define QUIET_US            (1 * G_USEC_PER_SEC)
#define STOP_TIMEOUT_MS     (10 * 1000)
#define SUBJECT_PREFIX      "Bench change "

typedef struct
{
  const char   *binary;
  BenchSession *session;
  BenchShell   *shell;
  char         *password; /* the same for every user; never printed */
  GMutex        lock;
  gint64        last_request_us; /* when the application last asked the simulator */
  gint64        first_stream_us; /* its first GetStreamingEvents since the reset */
  BenchLatency *latency;         /* (nullable) while changes are timed */
} Bench;

/* On the simulator's thread. */
static void
traffic_cb (const char *operation,
            gboolean    is_response,
            GBytes     *body,
            gpointer    user_data)
{
  Bench *bench = user_data;
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&bench->lock);
  if (bench->latency != NULL)
    bench_latency_traffic (bench->latency, operation, is_response, now);
  if (is_response)
    {
      g_mutex_unlock (&bench->lock);
      return;
    }
  bench->last_request_us = now;
  if (bench->first_stream_us == 0 && strcmp (operation, "GetStreamingEvents") == 0)
    bench->first_stream_us = now;
  g_mutex_unlock (&bench->lock);
}

static void
traffic_reset (Bench *bench)
{
  g_mutex_lock (&bench->lock);
  bench->last_request_us = bench->first_stream_us = 0;
  g_mutex_unlock (&bench->lock);
}

/* Until the application streams and has asked for nothing for QUIET_US; @stream_us
 * (optional) gets when it first asked for events. */
static gboolean
wait_settled (Bench  *bench,
              gint64 *stream_us)
{
  gint64 deadline = g_get_monotonic_time () + SETTLE_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;

  for (;;)
    {
      gint64   now = g_get_monotonic_time ();
      gboolean settled;

      g_mutex_lock (&bench->lock);
      settled = bench->first_stream_us != 0 && now - bench->last_request_us >= QUIET_US;
      if (stream_us != NULL)
        *stream_us = bench->first_stream_us;
      g_mutex_unlock (&bench->lock);
      if (settled)
        return TRUE;
      if (now >= deadline)
        {
          g_printerr ("ews-notifier did not settle into streaming within %d s\n", SETTLE_TIMEOUT_MS / 1000);
          return FALSE;
        }
      g_usleep (50 * G_TIME_SPAN_MILLISECOND);
    }
}

/* A simulator serving @users (user@example.com) and "organizer", who makes changes. */
static EwsSimulator *
start_simulator (Bench             *bench,
                 const char *const *users)
{
  g_autoptr (EwsSimulator) sim = ews_simulator_new_in_thread ();
  g_autoptr (GError) error = NULL;

  for (guint i = 0; users[i] != NULL; i++)
    ews_simulator_add_user (sim, users[i], bench->password);
  ews_simulator_add_user (sim, "organizer@example.com", bench->password);
  if (!ews_simulator_listen (sim, 0, FALSE, &error))
    {
      g_printerr ("Cannot listen: %s\n", error->message);
      return NULL;
    }
  ews_simulator_set_traffic_func (sim, traffic_cb, bench, NULL);
  return g_steal_pointer (&sim);
}

static BenchApp *
start_app (Bench             *bench,
           EwsSimulator      *sim,
           const char        *schema_dir,
           const char *const *mailboxes,
           gint64            *spawn_us)
{
  g_autoptr (GError) error = NULL;
  BenchApp *app;

  traffic_reset (bench);
  app = bench_app_start (bench->binary, bench->session, schema_dir, ews_simulator_get_url (sim), "alice@example.com",
                         bench->password, mailboxes, spawn_us, &error);
  if (app == NULL)
    g_printerr ("Cannot start %s: %s\n", bench->binary, error->message);
  return app;
}

static gboolean
stop_app (BenchApp *app)
{
  g_autoptr (GError) error = NULL;

  if (bench_app_stop (app, STOP_TIMEOUT_MS, &error))
    return TRUE;
  g_printerr ("%s\n", error->message);
  return FALSE;
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
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *)a;
  double y = *(const double *)b;

  return x < y ? -1 : x > y;
}

/* The lower median of @values, sorting them. */
static double
median (GArray *values)
{
  g_array_sort (values, compare_double);
  return g_array_index (values, double, (values->len - 1) / 2);
}

/* One start: until the tray item is registered and the account streams, then quit,
 * as from a session that was in use. */
static gboolean
start_once (Bench        *bench,
            EwsSimulator *sim,
            double       *to_tray_ms,
            double       *to_stream_ms,
            gboolean     *clean)
{
  g_autoptr (BenchApp) app = NULL;
  guint  registered = bench_shell_get_n_registrations (bench->shell);
  gint64 spawn_us, tray_us, stream_us;

  app = start_app (bench, sim, SCHEMA_DIR, NULL, &spawn_us);
  if (app == NULL)
    return FALSE;
  if (!bench_shell_wait_registration (bench->shell, registered + 1, REGISTER_TIMEOUT_MS, &tray_us))
    {
      g_printerr ("ews-notifier registered no tray item within %d s\n", REGISTER_TIMEOUT_MS / 1000);
      return FALSE;
    }
  if (!wait_settled (bench, &stream_us))
    return FALSE;
  *to_tray_ms = (tray_us - spawn_us) / 1000.0;
  *to_stream_ms = (stream_us - spawn_us) / 1000.0;
  *clean &= stop_app (app);
  return TRUE;
}

/* The first GTK application on an X server probes the GL visuals, loading Mesa (some
 * 10 MB of heap and 40 MB of mapped libraries), and leaves the result on the root
 * window for every later one (GDK_VISUALS). A desktop's X server has had its first
 * GTK application long before: this start is shown, but nothing else is like it. */
static int
warm_up (Bench *bench)
{
  const char *users[] = { "alice@example.com", NULL };
  g_autoptr (EwsSimulator) sim = start_simulator (bench, users);
  double   to_tray_ms, to_stream_ms;
  gboolean clean = TRUE;

  if (sim == NULL || !start_once (bench, sim, &to_tray_ms, &to_stream_ms, &clean))
    return 1;
  printf ("# the first start on the new X server probes GL for every later GTK application, and is not counted\n");
  printf ("first_on_display_to_tray_ms=%.1f\n", to_tray_ms);
  return clean ? 0 : 1;
}

static int
run_startup (Bench *bench,
             guint  runs)
{
  const char *users[] = { "alice@example.com", NULL };
  g_autoptr (EwsSimulator) sim = start_simulator (bench, users);
  g_autoptr (GArray) to_tray = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) to_stream = g_array_new (FALSE, FALSE, sizeof (double));
  gboolean clean = TRUE;

  if (sim == NULL)
    return 1;
  for (guint run = 0; run < runs; run++)
    {
      double tray_ms, stream_ms;

      if (!start_once (bench, sim, &tray_ms, &stream_ms, &clean))
        return 1;
      g_array_append_val (to_tray, tray_ms);
      g_array_append_val (to_stream, stream_ms);
    }
  g_array_sort (to_tray, compare_double);
  printf ("startup_runs=%u\n", runs);
  printf ("startup_to_tray_ms_p50=%.1f\nstartup_to_tray_ms_min=%.1f\nstartup_to_tray_ms_max=%.1f\n", median (to_tray),
          g_array_index (to_tray, double, 0), g_array_index (to_tray, double, to_tray->len - 1));
  /* For information: until the account's first GetStreamingEvents. */
  printf ("startup_to_streaming_ms_p50=%.1f\n", median (to_stream));
  printf ("startup_exit_clean=%s\n", clean ? "true" : "false");
  return clean ? 0 : 1;
}

static gint64
status_kb (int         pid,
           const char *field)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", pid);
  g_autofree char *status = NULL;
  const char      *line;

  if (!g_file_get_contents (path, &status, NULL, NULL) || (line = strstr (status, field)) == NULL)
    return -1;
  return g_ascii_strtoll (line + strlen (field), NULL, 10);
}

static int
run_memory (Bench *bench,
            guint  meetings)
{
  const char *users[] = { "alice@example.com", "bob@example.com", "carol@example.com", NULL };
  const char *mailboxes[] = { "bob@example.com", "carol@example.com", NULL };
  g_autoptr (EwsSimulator) sim = start_simulator (bench, users);
  g_autoptr (GDateTime) start = first_start ();
  g_autoptr (BenchApp) app = NULL;
  gint64   spawn_us;
  int      pid;
  gboolean clean;

  if (sim == NULL)
    return 1;
  for (guint i = 0; users[i] != NULL; i++)
    g_strfreev (ews_simulator_create_meetings (sim, users[i], "organizer@example.com", "Planning", start, meetings));
  app = start_app (bench, sim, SCHEMA_DIR, mailboxes, &spawn_us);
  if (app == NULL || !wait_settled (bench, NULL))
    return 1;
  pid = bench_app_get_pid (app);

  /* The application takes one account on its command line: three mailboxes of one
   * account stand in for three accounts. */
  printf ("# memory: one account watching 3 mailboxes (its own and 2 with --mailbox), standing in for 3 accounts\n");
  printf ("memory_mailboxes=3\nmemory_meetings_per_mailbox=%u\nmemory_settled_s=%.1f\n", meetings,
          (g_get_monotonic_time () - spawn_us) / 1e6);
  printf ("rss_anon_idle_kb=%" G_GINT64_FORMAT "\n", bench_proc_get_rss_anon_kb (pid));
  /* For information: shared libraries and fonts mapped, and shared memory (X images). */
  printf ("rss_file_kb=%" G_GINT64_FORMAT "\nrss_shmem_kb=%" G_GINT64_FORMAT "\n", status_kb (pid, "RssFile:"), status_kb (pid, "RssShmem:"));
  clean = stop_app (app);
  printf ("memory_exit_clean=%s\n", clean ? "true" : "false");
  return clean ? 0 : 1;
}

static const char override_text[] = "[" APPLICATION_ID "]\n"
                                    "coalesce-seconds=1\n"
                                    "max-notifications-per-minute=120\n";

/* A schema directory with the application's schema and the override in @dir. */
static gboolean
compile_override_schemas (const char *dir)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *schema = NULL;
  g_autofree char *schema_path = g_build_filename (dir, APPLICATION_ID ".gschema.xml", NULL);
  g_autofree char *override_path = g_build_filename (dir, "50_bench-desktop.gschema.override", NULL);
  g_autofree char *target = g_strdup_printf ("--targetdir=%s", dir);
  const char      *argv[] = { GLIB_COMPILE_SCHEMAS, "--strict", target, dir, NULL };
  int              status;
  gboolean         ok;

  ok = g_file_get_contents (SCHEMA_SOURCE, &schema, NULL, &error);
  ok = ok && g_file_set_contents (schema_path, schema, -1, &error);
  ok = ok && g_file_set_contents (override_path, override_text, -1, &error);
  ok = ok && g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error);
  ok = ok && g_spawn_check_wait_status (status, &error);
  if (!ok)
    g_printerr ("Cannot compile the schemas with the override: %s\n", error->message);
  return ok;
}

static void
remove_override_schemas (const char *dir)
{
  const char *names[] = { APPLICATION_ID ".gschema.xml", "50_bench-desktop.gschema.override", "gschemas.compiled" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

/* Moves meeting i from @start + i hours by a quarter of an hour, one every @interval_ms. */
static gboolean
run_changes (Bench        *bench,
             EwsSimulator *sim,
             BenchApp     *app,
             const char  **ids,
             GDateTime    *start,
             guint         n_changes,
             guint         interval_ms)
{
  g_autoptr (BenchLatency) latency = bench_latency_new (SUBJECT_PREFIX, ids);
  g_autoptr (GError) error = NULL;
  int      pid = bench_app_get_pid (app);
  double   floor_ms = bench_shell_time_notify (bench->shell, 30, &error);
  double   app_cpu;
  gint64   begin, rss_before, rss_after;
  gboolean ok;

  if (floor_ms < 0)
    {
      g_printerr ("Cannot call Notify: %s\n", error->message);
      return FALSE;
    }
  app_cpu = bench_proc_get_run_seconds (pid, NULL);
  rss_before = bench_proc_get_rss_anon_kb (pid);
  begin = g_get_monotonic_time ();

  bench_shell_set_notify_func (bench->shell, bench_latency_notify_cb, latency);
  ews_simulator_set_commit_func (sim, bench_latency_commit_cb, latency, NULL);
  g_mutex_lock (&bench->lock);
  bench->latency = latency;
  g_mutex_unlock (&bench->lock);
  for (guint i = 0; i < n_changes; i++)
    {
      gint64 due = begin + (gint64)i * interval_ms * G_TIME_SPAN_MILLISECOND;
      gint64 now = g_get_monotonic_time ();
      g_autoptr (GDateTime) new_start = g_date_time_add_minutes (start, (int)i * 60 + 15);
      g_autoptr (GDateTime) new_end = g_date_time_add_minutes (new_start, 30);

      if (due > now)
        g_usleep (due - now);
      if (!ews_simulator_reschedule (sim, ids[i], "organizer@example.com", new_start, new_end))
        g_printerr ("No meeting %s\n", ids[i]);
    }
  bench_latency_wait (latency, 5000);
  app_cpu = bench_proc_get_run_seconds (pid, NULL) - app_cpu;
  ews_simulator_set_commit_func (sim, NULL, NULL, NULL);
  bench_shell_set_notify_func (bench->shell, NULL, NULL);
  g_mutex_lock (&bench->lock);
  bench->latency = NULL;
  g_mutex_unlock (&bench->lock);

  printf ("latency_changes=%u\nlatency_interval_ms=%u\n", n_changes, interval_ms);
  printf ("# latency: vendor override coalesce-seconds=1, max-notifications-per-minute=120, so each change is shown on its own\n");
  ok = bench_latency_report (latency);
  /* For information: what D-Bus alone takes on this machine, of split_to_notify_ms. */
  printf ("bus_notify_floor_ms=%.3f\n", floor_ms);
  /* CPU time per change: what showing one costs the application, apart from waiting. */
  printf ("app_cpu_ms_per_change=%.3f\n", app_cpu * 1000 / n_changes);
  /* What the run left in memory: the history is bounded (history-size), and so are the
   * notifications kept for their clicks, which the bench's server never closes. */
  rss_after = bench_proc_get_rss_anon_kb (pid);
  if (rss_before >= 0 && rss_after >= 0)
    printf ("rss_anon_growth_kb=%" G_GINT64_FORMAT "\n", rss_after - rss_before);
  return ok;
}

static int
run_latency (Bench *bench,
             guint  n_changes,
             guint  interval_ms)
{
  const char *users[] = { "alice@example.com", NULL };
  g_autoptr (EwsSimulator) sim = start_simulator (bench, users);
  g_autoptr (GDateTime) start = first_start ();
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (BenchApp) app = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *schema_dir = NULL;
  gint64           spawn_us;
  gboolean         ok;

  if (sim == NULL)
    return 1;
  /* One meeting per change, each with a subject of its own, there before the start. */
  for (guint i = 0; i < n_changes; i++)
    {
      g_autofree char *subject = g_strdup_printf (SUBJECT_PREFIX "%u", i);
      g_autoptr (GDateTime) meeting_start = g_date_time_add_hours (start, (int)i);
      g_auto (GStrv) created = ews_simulator_create_meetings (sim, "alice@example.com", "organizer@example.com", subject, meeting_start, 1);

      g_ptr_array_add (ids, g_strdup (created[0]));
    }
  g_ptr_array_add (ids, NULL);

  schema_dir = g_dir_make_tmp ("bench-desktop-schemas-XXXXXX", &error);
  if (schema_dir == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  ok = compile_override_schemas (schema_dir);
  if (ok)
    app = start_app (bench, sim, schema_dir, NULL, &spawn_us);
  ok = ok && app != NULL && wait_settled (bench, NULL);
  if (ok)
    ok = run_changes (bench, sim, app, (const char **)ids->pdata, start, n_changes, interval_ms);
  if (app != NULL)
    ok &= stop_app (app);
  remove_override_schemas (schema_dir);
  return ok ? 0 : 1;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GOptionContext) context = g_option_context_new ("[startup|memory|latency…]");
  g_autoptr (GError) error = NULL;
  g_autoptr (BenchSession) session = NULL;
  g_autoptr (BenchShell) shell = NULL;
  g_autofree char   *notifier = NULL;
  Bench              bench = { 0 };
  int                runs = 5;
  int                meetings = 100;
  int                changes = 1000;
  int                interval_ms = 550;
  int                status = 0;
  const char        *all[] = { "startup", "memory", "latency", NULL };
  const char        *tools[] = { "Xvfb", "dbus-daemon" };
  const char *const *modes;
  GOptionEntry       entries[] = {
          { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "startup: how many starts (5)", "N" },
          { "meetings", 0, 0, G_OPTION_ARG_INT, &meetings, "memory: meetings in each mailbox (100)", "N" },
          { "changes", 0, 0, G_OPTION_ARG_INT, &changes, "latency: meetings rescheduled (1000)", "N" },
          { "interval", 0, 0, G_OPTION_ARG_INT, &interval_ms, "latency: milliseconds between changes (550)", "MS" },
          { "notifier", 0, 0, G_OPTION_ARG_FILENAME, &notifier, "The ews-notifier executable", "PATH" },
          { NULL }
  };

  setlocale (LC_ALL, "");
  setlocale (LC_NUMERIC, "C");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context, "Measures the real desktop ews-notifier against the EWS simulator, in a headless "
                                         "session of its own. Without a mode, runs all three.");
  if (!g_option_context_parse (context, &argc, &argv, &error) || runs <= 0 || meetings < 0 || changes <= 0 || interval_ms <= 0)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "Usage: bench-desktop [OPTION…] [startup|memory|latency…]");
      return 2;
    }
  modes = argc > 1 ? (const char *const *)argv + 1 : all;
  for (guint i = 0; modes[i] != NULL; i++)
    if (!g_strv_contains (all, modes[i]))
      {
        g_printerr ("Unknown mode %s: startup, memory or latency\n", modes[i]);
        return 2;
      }
  for (guint i = 0; i < G_N_ELEMENTS (tools); i++)
    {
      g_autofree char *path = g_find_program_in_path (tools[i]);

      if (path == NULL)
        {
          g_printerr ("Skipped: the headless session needs %s\n", tools[i]);
          return 77;
        }
    }

  session = bench_session_start (&error);
  if (session != NULL)
    shell = bench_shell_new (bench_session_get_bus_address (session), &error);
  if (shell == NULL)
    {
      g_printerr ("Cannot set up the headless session: %s\n", error->message);
      return 1;
    }
  g_mutex_init (&bench.lock);
  bench.binary = notifier != NULL ? notifier : EWS_NOTIFIER_PATH;
  bench.session = session;
  bench.shell = shell;
  bench.password = g_uuid_string_random ();

  g_printerr ("== warm-up\n");
  status = warm_up (&bench);
  for (guint i = 0; modes[i] != NULL && status == 0; i++)
    {
      fflush (stdout);
      g_printerr ("== %s\n", modes[i]);
      bench_machine_print ();
      if (strcmp (modes[i], "startup") == 0)
        status = run_startup (&bench, (guint)runs);
      else if (strcmp (modes[i], "memory") == 0)
        status = run_memory (&bench, (guint)meetings);
      else
        status = run_latency (&bench, (guint)changes, (guint)interval_ms);
      fflush (stdout);
    }

  g_free (bench.password);
  g_mutex_clear (&bench.lock);
  return status;
}
