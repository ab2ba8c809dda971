/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ewn-watch"

#include "config.h"

#include <glib/gi18n.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <stdio.h>
#include <string.h>

#include "ewn-watch.h"
#include "ewn-watcher.h"

gboolean
ewn_watch_requested (int          argc,
                     char *const *argv)
{
  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--watch"))
      return TRUE;
  return FALSE;
}

static char *
read_password (GError **error)
{
  g_autoptr (GString) line = g_string_new (NULL);
  int c;

  while ((c = fgetc (stdin)) != EOF && c != '\n')
    g_string_append_c (line, (char)c);

  if (line->len > 0 && line->str[line->len - 1] == '\r')
    g_string_truncate (line, line->len - 1);

  if (line->len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("No password on standard input"));
      return NULL;
    }

  return g_string_free (g_steal_pointer (&line), FALSE);
}

static void
on_change (EwnWatcher *watcher,
           EwnChange  *change,
           gpointer    user_data)
{
  const EwsItem *item = ewn_change_get_item (change);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *clock = g_date_time_format (now, "%H:%M:%S");
  g_autofree char *summary = ewn_change_dup_summary (change);

  if (change->after != NULL && item->last_modified_name != NULL)
    g_print ("%s  %-17s %s  (%s)\n", clock, ewn_change_kind_to_string (change->kind), summary,
             item->last_modified_name);
  else
    g_print ("%s  %-17s %s\n", clock, ewn_change_kind_to_string (change->kind), summary);
}

static void
on_status (EwnWatcher *watcher,
           GParamSpec *pspec,
           gpointer    user_data)
{
  g_printerr ("[%s]\n", ewn_watcher_get_status (watcher));
}

static gboolean
on_quit_signal (gpointer user_data)
{
  EwnWatcher *watcher = user_data;

  ewn_watcher_stop (watcher);
  return G_SOURCE_REMOVE;
}

static void
on_watcher_finished (EwnWatcher *watcher,
                     GParamSpec *pspec,
                     GMainLoop  *loop)
{
  if (!ewn_watcher_get_running (watcher))
    g_main_loop_quit (loop);
}

/**
 * ewn_watch_main:
 *
 * `ews-notifier --watch`: watch without any GUI and print each change on a line.
 *
 * Returns: the process exit status
 */
int
ewn_watch_main (int    argc,
                char **argv)
{
  gboolean         watch = FALSE;
  gboolean         password_stdin = FALSE;
  gboolean         debug = FALSE;
  gboolean         trace = FALSE;
  g_autofree char *server = NULL;
  g_autofree char *user = NULL;
  g_auto (GStrv) mailboxes = NULL;
  g_autofree char *password = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (EwnWatcher) watcher = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  GOptionEntry entries[] = {
    { "watch", 0, 0, G_OPTION_ARG_NONE, &watch, N_("Watch without a window and print each change"), NULL },
      { "server", 0, 0, G_OPTION_ARG_STRING, &server, N_("EWS URL, e.g. https://mail.example.com/EWS/Exchange.asmx"), N_("URL") },
        { "user", 0, 0, G_OPTION_ARG_STRING, &user, N_("User name to sign in with"), N_("NAME") },
          { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &password_stdin, N_("Read the password from the first line of standard input"), NULL },
            { "mailbox", 0, 0, G_OPTION_ARG_STRING_ARRAY, &mailboxes, N_("Also watch this shared mailbox (repeatable)"), N_("ADDRESS") },
              { "debug", 0, 0, G_OPTION_ARG_NONE, &debug, N_("Print debugging messages"), NULL },
                { "trace", 0, 0, G_OPTION_ARG_NONE, &trace, N_("Print the EWS messages exchanged, without credentials (implies --debug)"), NULL },
                  { NULL } };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("Watch Exchange calendars and task lists for changes."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  if (server == NULL || user == NULL || !password_stdin)
    {
      g_printerr ("%s\n", _("Give --server, --user and --password-stdin to watch an account."));
      return 2;
    }

  if (debug || trace)
    g_log_set_debug_enabled (TRUE);

  password = read_password (&error);
  if (password == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  loop = g_main_loop_new (NULL, FALSE);
  watcher = ewn_watcher_new (server, user, password, (const char *const *)mailboxes);
  memset (password, 0, strlen (password));
  ewn_watcher_set_trace (watcher, trace);

  g_signal_connect (watcher, "notify::running", G_CALLBACK (on_watcher_finished), loop);
  g_signal_connect (watcher, "notify::status", G_CALLBACK (on_status), NULL);
  g_signal_connect (watcher, "change", G_CALLBACK (on_change), NULL);
  g_unix_signal_add (SIGINT, on_quit_signal, watcher);
  g_unix_signal_add (SIGTERM, on_quit_signal, watcher);

  ewn_watcher_start (watcher);
  if (ewn_watcher_get_running (watcher))
    g_main_loop_run (loop);

  return ewn_watcher_get_exit_status (watcher);
}
