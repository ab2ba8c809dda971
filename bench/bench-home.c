/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <glib/gstdio.h>
#include <stdio.h>

#include "bench-home.h"

/* A throwaway home for each program a bench starts: its state, settings and caches
 * start empty, so every run measures a first start, and the user's own are never
 * touched. */

/**
 * bench_home_new:
 * @launcher: where HOME and the XDG folders are set to the new home
 *
 * Returns: (transfer full): the home, for bench_home_remove()
 */
char *
bench_home_new (GSubprocessLauncher *launcher,
                GError             **error)
{
  const char *dirs[][2] = { { "XDG_STATE_HOME", "state" }, { "XDG_CONFIG_HOME", "config" }, { "XDG_CACHE_HOME", "cache" }, { "XDG_DATA_HOME", "data" }, { "XDG_RUNTIME_DIR", "runtime" } };
  char       *home = g_dir_make_tmp ("bench-home-XXXXXX", error);

  if (home == NULL)
    return NULL;
  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *path = g_build_filename (home, dirs[i][1], NULL);

      g_mkdir (path, 0700);
      g_subprocess_launcher_setenv (launcher, dirs[i][0], path, TRUE);
    }
  return home;
}

static int
remove_entry (const char        *path,
              const struct stat *st,
              int                flag,
              struct FTW        *ftw)
{
  if (remove (path) != 0)
    g_warning ("Could not remove %s: %s", path, g_strerror (errno));
  return 0;
}

/* Removes the home with everything in it, and frees @home. */
void
bench_home_remove (char *home)
{
  if (home == NULL)
    return;
  nftw (home, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  g_free (home);
}
