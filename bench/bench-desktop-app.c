/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-desktop-app.h"
#include "bench-home.h"

/* Each start gets an empty home of its own (state, settings, caches), so every run
 * starts as the first one would, and the settings come from the schema's defaults
 * (or a vendor override in @schema_dir) through the memory backend. Accessibility
 * is off: it would start the AT-SPI bus in the private session, which a real desktop
 * has running long before any application starts. */

struct _BenchApp
{
  GSubprocess *process;
  char        *home;
};

/**
 * bench_app_start:
 * @schema_dir: where the compiled GSettings schemas are
 * @mailboxes: (nullable): other mailboxes to watch
 * @spawn_us: (out): g_get_monotonic_time() just before the process was spawned
 *
 * Starts the application on @session's display and bus with a temporary account,
 * giving it @password on its standard input.
 */
BenchApp *
bench_app_start (const char        *binary,
                 BenchSession      *session,
                 const char        *schema_dir,
                 const char        *url,
                 const char        *user,
                 const char        *password,
                 const char *const *mailboxes,
                 gint64            *spawn_us,
                 GError           **error)
{
  g_autoptr (BenchApp) self = g_new0 (BenchApp, 1);
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *secret = g_strdup_printf ("%s\n", password);
  const char      *unset[] = { "WAYLAND_DISPLAY", "SESSION_MANAGER", "G_MESSAGES_DEBUG", "DESKTOP_AUTOSTART_ID" };
  GOutputStream   *input;
  gboolean         written;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, bench_die_with_parent, NULL, NULL);
  self->home = bench_home_new (launcher, error);
  if (self->home == NULL)
    return NULL;
  g_subprocess_launcher_setenv (launcher, "DISPLAY", bench_session_get_display (session), TRUE);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", bench_session_get_bus_address (session), TRUE);
  g_subprocess_launcher_setenv (launcher, "GDK_BACKEND", "x11", TRUE);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_SCHEMA_DIR", schema_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "memory", TRUE);
  g_subprocess_launcher_setenv (launcher, "NO_AT_BRIDGE", "1", TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (unset); i++)
    g_subprocess_launcher_unsetenv (launcher, unset[i]);

  g_ptr_array_add (argv, g_strdup (binary));
  g_ptr_array_add (argv, g_strdup_printf ("--server=%s", url));
  g_ptr_array_add (argv, g_strdup_printf ("--user=%s", user));
  g_ptr_array_add (argv, g_strdup ("--password-stdin"));
  for (guint i = 0; mailboxes != NULL && mailboxes[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup_printf ("--mailbox=%s", mailboxes[i]));
  g_ptr_array_add (argv, NULL);

  *spawn_us = g_get_monotonic_time ();
  self->process = g_subprocess_launcher_spawnv (launcher, (const char *const *)argv->pdata, error);
  if (self->process == NULL)
    return NULL;

  input = g_subprocess_get_stdin_pipe (self->process);
  written = g_output_stream_write_all (input, secret, strlen (secret), NULL, NULL, error);
  memset (secret, 0, strlen (secret));
  if (!written || !g_output_stream_close (input, NULL, error))
    return NULL;
  return g_steal_pointer (&self);
}

int
bench_app_get_pid (BenchApp *self)
{
  const char *id = g_subprocess_get_identifier (self->process);

  return id != NULL ? atoi (id) : -1;
}

/**
 * bench_app_stop:
 *
 * Asks the application to leave as the session would (SIGTERM) and waits for it to
 * unsubscribe and exit; kills it after @timeout_ms.
 *
 * Returns: %TRUE when it exited with status 0 in time
 */
gboolean
bench_app_stop (BenchApp *self,
                guint     timeout_ms,
                GError  **error)
{
  if (!bench_process_stop (self->process, SIGTERM, timeout_ms))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "ews-notifier did not exit within %u ms of SIGTERM", timeout_ms);
      return FALSE;
    }
  return g_spawn_check_wait_status (g_subprocess_get_status (self->process), error);
}

void
bench_app_free (BenchApp *self)
{
  if (self->process != NULL && g_subprocess_get_identifier (self->process) != NULL)
    {
      g_subprocess_force_exit (self->process);
      g_subprocess_wait (self->process, NULL, NULL);
    }
  g_clear_object (&self->process);
  bench_home_remove (self->home);
  g_free (self);
}
