/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "bench-desktop-session.h"

/* Xvfb on a display it picks itself and a dbus-daemon with the session configuration.
 * Each tells on a pipe when it is ready (-displayfd, --print-address), so nothing is
 * polled or guessed. Both die with the bench even when it crashes (PR_SET_PDEATHSIG),
 * and their chatter goes to a log that is shown only when one fails to start. */

#define READY_TIMEOUT_MS (20 * 1000)
#define STOP_TIMEOUT_MS  (5 * 1000)
#define READY_FD         3

struct _BenchSession
{
  char        *dir;
  GSubprocess *xvfb;
  GSubprocess *bus;
  char        *display;
  char        *bus_address;
};

/**
 * bench_die_with_parent:
 *
 * A #GSpawnChildSetupFunc: the child gets SIGTERM when the thread that spawned it
 * ends, so that nothing outlives a bench that crashed or was killed.
 */
void
bench_die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
print_log (const char *path)
{
  g_autofree char *contents = NULL;

  if (g_file_get_contents (path, &contents, NULL, NULL) && *contents != '\0')
    g_printerr ("%s", contents);
}

/* The first line @fd receives within READY_TIMEOUT_MS, or NULL at its end. */
static char *
read_ready_line (int      fd,
                 GError **error)
{
  g_autoptr (GString) line = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + READY_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;

  while (strchr (line->str, '\n') == NULL)
    {
      struct pollfd poll_fd = { .fd = fd, .events = POLLIN };
      gint64        left = deadline - g_get_monotonic_time ();
      char          buffer[256];
      gssize        n;

      if (left <= 0 || poll (&poll_fd, 1, (int)(left / 1000) + 1) == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "not ready within %d s", READY_TIMEOUT_MS / 1000);
          return NULL;
        }
      n = read (fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "exited before it was ready");
          return NULL;
        }
      g_string_append_len (line, buffer, n);
    }
  *strchr (line->str, '\n') = '\0';
  return g_strdup (line->str);
}

/* Starts @argv, which writes one line to READY_FD once it serves; returns that line. */
static GSubprocess *
spawn_ready (const char *const *argv,
             const char        *log_path,
             char             **ready_line,
             GError           **error)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) local_error = NULL;
  int fds[2];
  int read_fd;

  if (!g_unix_open_pipe (fds, FD_CLOEXEC, error))
    return NULL;
  read_fd = fds[0];
  g_subprocess_launcher_take_fd (launcher, fds[1], READY_FD);
  g_subprocess_launcher_set_stdout_file_path (launcher, log_path);
  g_subprocess_launcher_set_child_setup (launcher, bench_die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, argv, error);
  /* The launcher holds our copy of the write end: without it, the read sees the end
   * of the pipe when the child dies. */
  g_clear_object (&launcher);
  if (process != NULL)
    *ready_line = read_ready_line (read_fd, &local_error);
  close (read_fd);
  if (process == NULL)
    return NULL;
  if (*ready_line == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s %s", argv[0], local_error->message);
      print_log (log_path);
      g_subprocess_force_exit (process);
      g_subprocess_wait (process, NULL, NULL);
      return NULL;
    }
  return g_steal_pointer (&process);
}

/**
 * bench_session_start:
 *
 * Starts a headless X server and a session bus. Give bench_session_get_display() and
 * bench_session_get_bus_address() to whatever should live in the session.
 */
BenchSession *
bench_session_start (GError **error)
{
  g_autoptr (BenchSession) self = g_new0 (BenchSession, 1);
  g_autofree char *xvfb_log = NULL;
  g_autofree char *bus_log = NULL;
  g_autofree char *display_number = NULL;
  g_autofree char *ready_fd = g_strdup_printf ("%d", READY_FD);
  g_autofree char *print_address = g_strdup_printf ("--print-address=%d", READY_FD);
  const char      *xvfb_argv[] = { "Xvfb", "-displayfd", ready_fd, "-screen", "0", "1280x800x24", "-nolisten", "tcp", "-noreset", NULL };
  const char      *bus_argv[] = { "dbus-daemon", "--session", "--nofork", "--nosyslog", print_address, NULL };

  self->dir = g_dir_make_tmp ("bench-desktop-session-XXXXXX", error);
  if (self->dir == NULL)
    return NULL;
  xvfb_log = g_build_filename (self->dir, "xvfb.log", NULL);
  bus_log = g_build_filename (self->dir, "bus.log", NULL);

  self->xvfb = spawn_ready (xvfb_argv, xvfb_log, &display_number, error);
  if (self->xvfb == NULL)
    return NULL;
  self->display = g_strdup_printf (":%s", display_number);
  self->bus = spawn_ready (bus_argv, bus_log, &self->bus_address, error);
  if (self->bus == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

const char *
bench_session_get_display (BenchSession *self)
{
  return self->display;
}

const char *
bench_session_get_bus_address (BenchSession *self)
{
  return self->bus_address;
}

static gboolean
stop_timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static void
stop_wait_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  gboolean *done = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *done = TRUE;
}

/**
 * bench_process_stop:
 * @signum: the signal that asks @process to leave
 *
 * Sends @signum and waits for @process to exit; kills it after @timeout_ms.
 *
 * Returns: whether it exited in time
 */
gboolean
bench_process_stop (GSubprocess *process,
                    int          signum,
                    guint        timeout_ms)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (GSource) timeout = g_timeout_source_new (timeout_ms);
  gboolean done = FALSE;
  gboolean timed_out = FALSE;

  g_main_context_push_thread_default (context);
  g_subprocess_send_signal (process, signum);
  g_subprocess_wait_async (process, NULL, stop_wait_cb, &done);
  g_source_set_callback (timeout, stop_timeout_cb, &timed_out, NULL);
  g_source_attach (timeout, context);
  while (!done && !timed_out)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timeout);
  if (!done)
    g_subprocess_force_exit (process);
  while (!done)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  return !timed_out;
}

/* The bus first: its clients then see it go while their display is still there. */
void
bench_session_free (BenchSession *self)
{
  g_autofree char *xvfb_log = NULL;
  g_autofree char *bus_log = NULL;

  if (self->bus != NULL)
    bench_process_stop (self->bus, SIGTERM, STOP_TIMEOUT_MS);
  if (self->xvfb != NULL)
    bench_process_stop (self->xvfb, SIGTERM, STOP_TIMEOUT_MS);
  g_clear_object (&self->bus);
  g_clear_object (&self->xvfb);
  if (self->dir != NULL)
    {
      xvfb_log = g_build_filename (self->dir, "xvfb.log", NULL);
      bus_log = g_build_filename (self->dir, "bus.log", NULL);
      g_unlink (xvfb_log);
      g_unlink (bus_log);
      g_rmdir (self->dir);
    }
  g_free (self->dir);
  g_free (self->display);
  g_free (self->bus_address);
  g_free (self);
}
