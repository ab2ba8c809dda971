/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <gio/gunixinputstream.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench-home.h"
#include "bench-watch-notifier.h"

/* The notifier's stdout and stderr are read by threads of their own with blocking
 * reads, so a line's arrival time is taken the moment it can be read, whatever the
 * benchmark's other threads are doing. */

/* How long the notifier must stay in "[streaming]" before it counts as settled: its
 * first "[streaming]" is followed at once by "[syncing]" for the initial fill. */
#define SETTLE_US (500 * G_TIME_SPAN_MILLISECOND)

struct _BenchNotifier
{
  GSubprocess  *process;
  char         *home; /* a throwaway home with the XDG folders */
  BenchLineFunc func;
  gpointer      func_data;
  GThread      *stdout_thread;
  GThread      *stderr_thread;
  GMutex        lock;
  GCond         cond;
  char         *state; /* the last "[state…]" line on stderr */
  gint64        state_time;
  gboolean      settled;
  gboolean      stderr_done;
};

static int
fd_of (GInputStream *stream)
{
  int fd = g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (stream));

  g_unix_set_fd_nonblocking (fd, FALSE, NULL);
  return fd;
}

/* Reads @fd to its end, calling @func with each line and the time it was read. */
static void
read_lines (int           fd,
            BenchLineFunc func,
            gpointer      data)
{
  g_autoptr (GString) pending = g_string_sized_new (64 * 1024);
  char buffer[64 * 1024];

  for (;;)
    {
      gssize n = read (fd, buffer, sizeof buffer);
      gint64 now;
      gsize  start = 0;

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      now = g_get_monotonic_time ();
      g_string_append_len (pending, buffer, n);
      /* memchr(): in a burst this thread reads tens of megabytes on a shared core. */
      for (char *end = memchr (pending->str + pending->len - n, '\n', (gsize)n); end != NULL;
           end = memchr (end + 1, '\n', pending->len - (gsize)(end + 1 - pending->str)))
        {
          *end = '\0';
          func (pending->str + start, now, data);
          start = (gsize)(end + 1 - pending->str);
        }
      g_string_erase (pending, 0, start);
    }
}

static void
stdout_line (const char *line,
             gint64      arrival_us,
             gpointer    data)
{
  BenchNotifier *self = data;

  self->func (line, arrival_us, self->func_data);
}

static gpointer
stdout_main (gpointer data)
{
  BenchNotifier *self = data;

  read_lines (fd_of (g_subprocess_get_stdout_pipe (self->process)), stdout_line, self);
  return NULL;
}

static void
stderr_line (const char *line,
             gint64      arrival_us,
             gpointer    data)
{
  BenchNotifier *self = data;

  if (line[0] != '[')
    {
      g_printerr ("ews-notifier: %s\n", line);
      return;
    }
  g_mutex_lock (&self->lock);
  /* Each change brings a [syncing] and a [streaming]; only the first ones are news. */
  if (!self->settled || !(g_str_has_prefix (line, "[syncing") || g_str_has_prefix (line, "[streaming")))
    g_printerr ("ews-notifier: %s\n", line);
  g_free (self->state);
  self->state = g_strdup (line);
  self->state_time = arrival_us;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

static gpointer
stderr_main (gpointer data)
{
  BenchNotifier *self = data;

  read_lines (fd_of (g_subprocess_get_stderr_pipe (self->process)), stderr_line, self);
  g_mutex_lock (&self->lock);
  self->stderr_done = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  return NULL;
}

static int notifier_cpu = -1;

void
bench_notifier_set_cpu (int cpu)
{
  notifier_cpu = cpu;
}

/* In the child, before exec: a system call, nothing that could take a lock. */
static void
pin_child (gpointer data)
{
  cpu_set_t set;

  CPU_ZERO (&set);
  CPU_SET (GPOINTER_TO_INT (data), &set);
  sched_setaffinity (0, sizeof set, &set);
}

/**
 * bench_notifier_start:
 * @binary: the ews-notifier executable
 * @mailboxes: (nullable): extra mailboxes to watch
 * @func: called on a thread of its own with every stdout line
 *
 * Starts `ews-notifier --watch --json` with a fresh, empty state, configuration and
 * cache directory, giving it @password on its standard input.
 */
BenchNotifier *
bench_notifier_start (const char        *binary,
                      const char        *url,
                      const char        *user,
                      const char        *password,
                      const char *const *mailboxes,
                      BenchLineFunc      func,
                      gpointer           user_data,
                      GError           **error)
{
  g_autoptr (BenchNotifier) self = g_new0 (BenchNotifier, 1);
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *secret = g_strdup_printf ("%s\n", password);
  GOutputStream   *input;
  gboolean         written;

  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->func = func;
  self->func_data = user_data;
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  self->home = bench_home_new (launcher, error);
  if (self->home == NULL)
    return NULL;
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "memory", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  if (notifier_cpu >= 0)
    g_subprocess_launcher_set_child_setup (launcher, pin_child, GINT_TO_POINTER (notifier_cpu), NULL);

  g_ptr_array_add (argv, g_strdup (binary));
  g_ptr_array_add (argv, g_strdup ("--watch"));
  g_ptr_array_add (argv, g_strdup ("--json"));
  g_ptr_array_add (argv, g_strdup_printf ("--server=%s", url));
  g_ptr_array_add (argv, g_strdup_printf ("--user=%s", user));
  g_ptr_array_add (argv, g_strdup ("--password-stdin"));
  for (guint i = 0; mailboxes != NULL && mailboxes[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup_printf ("--mailbox=%s", mailboxes[i]));
  g_ptr_array_add (argv, NULL);

  self->process = g_subprocess_launcher_spawnv (launcher, (const char *const *)argv->pdata, error);
  if (self->process == NULL)
    return NULL;

  input = g_subprocess_get_stdin_pipe (self->process);
  written = g_output_stream_write_all (input, secret, strlen (secret), NULL, NULL, error);
  memset (secret, 0, strlen (secret));
  if (!written || !g_output_stream_close (input, NULL, error))
    return NULL;

  self->stdout_thread = g_thread_new ("bench-stdout", stdout_main, self);
  self->stderr_thread = g_thread_new ("bench-stderr", stderr_main, self);
  return g_steal_pointer (&self);
}

/**
 * bench_notifier_wait_streaming:
 *
 * Waits until the notifier has been streaming for a moment, its first sync done.
 *
 * Returns: %FALSE when it did not get there within @timeout_ms or exited
 */
gboolean
bench_notifier_wait_streaming (BenchNotifier *self,
                               guint          timeout_ms)
{
  gint64   deadline = g_get_monotonic_time () + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
  gboolean settled = FALSE;

  g_mutex_lock (&self->lock);
  while (!self->stderr_done)
    {
      gint64   now = g_get_monotonic_time ();
      gboolean streaming = self->state != NULL && g_str_has_prefix (self->state, "[streaming");

      if (streaming && now - self->state_time >= SETTLE_US)
        {
          settled = TRUE;
          self->settled = TRUE;
          break;
        }
      if (now >= deadline)
        break;
      g_cond_wait_until (&self->cond, &self->lock, streaming ? MIN (deadline, self->state_time + SETTLE_US) : deadline);
    }
  g_mutex_unlock (&self->lock);
  return settled;
}

int
bench_notifier_get_pid (BenchNotifier *self)
{
  const char *id = g_subprocess_get_identifier (self->process);

  return id != NULL ? atoi (id) : -1;
}

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  gboolean *done = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *done = TRUE;
}

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static void
join_readers (BenchNotifier *self)
{
  g_clear_pointer (&self->stdout_thread, g_thread_join);
  g_clear_pointer (&self->stderr_thread, g_thread_join);
}

/**
 * bench_notifier_stop:
 *
 * Interrupts the notifier as Ctrl+C would and waits for it to unsubscribe, save its
 * state and exit; kills it after @timeout_ms.
 *
 * Returns: %TRUE when it exited with status 0 in time
 */
gboolean
bench_notifier_stop (BenchNotifier *self,
                     guint          timeout_ms,
                     GError       **error)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (GSource) timeout = g_timeout_source_new (timeout_ms);
  gboolean done = FALSE;
  gboolean timed_out = FALSE;

  g_main_context_push_thread_default (context);
  g_subprocess_send_signal (self->process, SIGINT);
  g_subprocess_wait_async (self->process, NULL, wait_cb, &done);
  g_source_set_callback (timeout, timeout_cb, &timed_out, NULL);
  g_source_attach (timeout, context);
  while (!done && !timed_out)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timeout);
  if (!done)
    {
      g_subprocess_force_exit (self->process);
      while (!done)
        g_main_context_iteration (context, TRUE);
    }
  g_main_context_pop_thread_default (context);
  join_readers (self);

  if (timed_out)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "ews-notifier did not exit within %u ms of SIGINT", timeout_ms);
      return FALSE;
    }
  return g_spawn_check_wait_status (g_subprocess_get_status (self->process), error);
}

void
bench_notifier_free (BenchNotifier *self)
{
  if (self->process != NULL && g_subprocess_get_identifier (self->process) != NULL)
    {
      g_subprocess_force_exit (self->process);
      g_subprocess_wait (self->process, NULL, NULL);
    }
  join_readers (self);
  g_clear_object (&self->process);
  bench_home_remove (self->home);
  g_free (self->state);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self);
}
