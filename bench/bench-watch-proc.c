/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench-watch-proc.h"

/* What /proc says about a process: memory, CPU time and context switches. */

static char *
read_proc (const char *path)
{
  g_autofree char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, NULL);
  return g_steal_pointer (&contents);
}

static guint64
status_field (const char *status,
              const char *name)
{
  const char *line = status != NULL ? strstr (status, name) : NULL;

  return line != NULL ? g_ascii_strtoull (line + strlen (name), NULL, 10) : 0;
}

/**
 * bench_proc_get_rss_anon_kb:
 *
 * Returns: the process's RssAnon, or -1 when it cannot be read
 */
gint64
bench_proc_get_rss_anon_kb (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", pid);
  g_autofree char *status = read_proc (path);

  if (status == NULL || strstr (status, "RssAnon:") == NULL)
    return -1;
  return (gint64)status_field (status, "RssAnon:");
}

/**
 * bench_proc_get_cpu_seconds:
 *
 * Returns: user plus system time of every thread the process ever had, in the
 *   kernel's clock ticks (1/100 s), or -1
 */
double
bench_proc_get_cpu_seconds (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *stat = read_proc (path);
  const char      *fields = stat != NULL ? strrchr (stat, ')') : NULL;
  g_auto (GStrv) parts = NULL;

  if (fields == NULL)
    return -1;
  /* After "pid (comm)": state is field 3, utime 14 and stime 15. */
  parts = g_strsplit (fields + 2, " ", 16);
  if (g_strv_length (parts) < 14)
    return -1;
  return (double)(g_ascii_strtoull (parts[11], NULL, 10) + g_ascii_strtoull (parts[12], NULL, 10)) / sysconf (_SC_CLK_TCK);
}

typedef struct
{
  guint64 switches_first;
  guint64 switches_last;
  guint64 run_ns_first;
  guint64 run_ns_last;
} TaskCounters;

struct _BenchTaskStats
{
  int         pid;
  GHashTable *tasks; /* tid → TaskCounters */
  gboolean    started;
};

BenchTaskStats *
bench_task_stats_new (int pid)
{
  BenchTaskStats *self = g_new0 (BenchTaskStats, 1);

  self->pid = pid;
  self->tasks = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  bench_task_stats_sample (self);
  return self;
}

/* Reads every thread's context switches and run time; a thread first seen after the
 * start counts from zero. */
void
bench_task_stats_sample (BenchTaskStats *self)
{
  g_autofree char *dir_path = g_strdup_printf ("/proc/%d/task", self->pid);
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *status_path = g_build_filename (dir_path, name, "status", NULL);
      g_autofree char *sched_path = g_build_filename (dir_path, name, "schedstat", NULL);
      g_autofree char *status = read_proc (status_path);
      g_autofree char *sched = read_proc (sched_path);
      gpointer         tid = GINT_TO_POINTER (atoi (name));
      TaskCounters    *task = g_hash_table_lookup (self->tasks, tid);
      guint64          switches;
      guint64          run_ns;

      if (status == NULL || sched == NULL)
        continue;
      switches = status_field (status, "\nvoluntary_ctxt_switches:") + status_field (status, "nonvoluntary_ctxt_switches:");
      run_ns = g_ascii_strtoull (sched, NULL, 10);
      if (task == NULL)
        {
          task = g_new0 (TaskCounters, 1);
          if (!self->started)
            {
              task->switches_first = switches;
              task->run_ns_first = run_ns;
            }
          g_hash_table_insert (self->tasks, tid, task);
        }
      task->switches_last = switches;
      task->run_ns_last = run_ns;
    }
  self->started = TRUE;
}

guint64
bench_task_stats_get_switches (BenchTaskStats *self)
{
  GHashTableIter iter;
  TaskCounters  *task;
  guint64        total = 0;

  g_hash_table_iter_init (&iter, self->tasks);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&task))
    total += task->switches_last - task->switches_first;
  return total;
}

double
bench_task_stats_get_run_seconds (BenchTaskStats *self)
{
  GHashTableIter iter;
  TaskCounters  *task;
  guint64        total = 0;

  g_hash_table_iter_init (&iter, self->tasks);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&task))
    total += task->run_ns_last - task->run_ns_first;
  return total / 1e9;
}

void
bench_task_stats_free (BenchTaskStats *self)
{
  g_hash_table_unref (self->tasks);
  g_free (self);
}

/**
 * bench_proc_get_run_seconds:
 * @comm: (nullable): only the threads of this name
 *
 * Returns: the time the live threads of @pid (named @comm) have spent running, from
 *   the scheduler's nanosecond counters
 */
double
bench_proc_get_run_seconds (int         pid,
                            const char *comm)
{
  g_autofree char *dir_path = g_strdup_printf ("/proc/%d/task", pid);
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  guint64     total = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *comm_path = g_build_filename (dir_path, name, "comm", NULL);
      g_autofree char *sched_path = g_build_filename (dir_path, name, "schedstat", NULL);
      g_autofree char *task_comm = read_proc (comm_path);
      g_autofree char *sched = read_proc (sched_path);

      if (task_comm == NULL || sched == NULL || (comm != NULL && strcmp (g_strchomp (task_comm), comm) != 0))
        continue;
      total += g_ascii_strtoull (sched, NULL, 10);
    }
  return total / 1e9;
}
