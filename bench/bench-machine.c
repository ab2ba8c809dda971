/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "bench-machine.h"

/* What on the machine, besides the code measured, shows in the figures. */

#define DAMON_ADMIN "/sys/kernel/mm/damon/admin/kdamonds"

static char *
read_line (const char *path)
{
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  text[strcspn (text, "\n")] = '\0';
  return text;
}

/* The shortest sampling interval of the DAMON monitors that run, in µs; 0 when none
 * runs. DAMON finds out which memory is in use by clearing the accessed bit of the
 * pages it samples. On a virtual machine this has been seen to slow every step of a
 * change taken at a slow pace, more and more over a run, in every process alike:
 * the figures are then not the application's alone. */
static guint64
damon_sample_us (void)
{
  g_autoptr (GDir) dir = g_dir_open (DAMON_ADMIN, 0, NULL);
  const char *name;
  guint64     shortest = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *state_path = g_build_filename (DAMON_ADMIN, name, "state", NULL);
      g_autofree char *state = read_line (state_path);
      g_autofree char *contexts = g_build_filename (DAMON_ADMIN, name, "contexts", NULL);
      g_autoptr (GDir) context_dir = NULL;
      const char *context;

      if (g_strcmp0 (state, "on") != 0)
        continue;
      context_dir = g_dir_open (contexts, 0, NULL);
      while (context_dir != NULL && (context = g_dir_read_name (context_dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (contexts, context, "monitoring_attrs", "intervals", "sample_us", NULL);
          g_autofree char *text = read_line (path);
          guint64          value = text != NULL ? g_ascii_strtoull (text, NULL, 10) : 0;

          if (value > 0 && (shortest == 0 || value < shortest))
            shortest = value;
        }
    }
  return shortest;
}

/**
 * bench_machine_print:
 *
 * Prints the load of the machine and whether the kernel samples memory with DAMON
 * (`damon_sample_ms=` the interval, 0 when it does not).
 */
void
bench_machine_print (void)
{
  g_autofree char *loadavg = NULL;
  guint64          sample_us = damon_sample_us ();

  if (g_file_get_contents ("/proc/loadavg", &loadavg, NULL, NULL))
    printf ("loadavg_1min=%.*s\n", (int)strcspn (loadavg, " "), loadavg);
  printf ("damon_sample_ms=%.0f\n", sample_us / 1000.0);
  if (sample_us > 0)
    printf ("# the kernel's DAMON monitor samples memory every %.0f ms; figures taken at a slow pace\n"
            "# may rise over a run with it: as root, state \"off\" under " DAMON_ADMIN "/N pauses it\n",
            sample_us / 1000.0);
}
