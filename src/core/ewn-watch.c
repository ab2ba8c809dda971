/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ewn-watch"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <glib-unix.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ewn-account.h"
#include "ewn-account-list.h"
#include "ewn-command-line.h"
#include "ewn-change-json.h"
#include "ewn-watch.h"

/* `ews-notifier --watch`: the engine without any GUI, one line per change on stdout
 * (JSON with --json, a stable interface for scripts), state transitions on stderr. */

typedef struct _Watch Watch;

/* One watched account and what was last said of it. */
typedef struct
{
  Watch      *watch;
  EwnAccount *account;
  gboolean    live; /* has been streaming with nothing to catch up */
  guint       state_idle;
  char       *last_state;
} Watched;

struct _Watch
{
  GMainLoop      *loop;
  EwnAccountList *list;    /* the configured accounts, when no --server is given */
  GPtrArray      *watched; /* (element-type Watched) */
  gboolean        json;
  gboolean        debug;
  gboolean        name_accounts; /* state lines say which account: there may be several */
  int             exit_status;
  gboolean        stopping;
  guint           stops_pending;
  GString        *line;
  guint           flush_idle;
};

gboolean
ewn_watch_requested (int          argc,
                     char *const *argv)
{
  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--watch"))
      return TRUE;
  return FALSE;
}

/* The lines of one burst of changes reach stdout in one write, as soon as the
 * changes of this main loop iteration are all printed. */
static gboolean
flush_cb (gpointer user_data)
{
  Watch *watch = user_data;

  watch->flush_idle = 0;
  fflush (stdout);
  return G_SOURCE_REMOVE;
}

static void
on_change (EwnAccount *account,
           EwnChange  *change,
           Watch      *watch)
{
  if (watch->json)
    {
      g_string_truncate (watch->line, 0);
      ewn_change_append_json (change, watch->line);
      g_string_append_c (watch->line, '\n');
      fwrite (watch->line->str, 1, watch->line->len, stdout);
    }
  else
    {
      const EwsItem *item = ewn_change_get_item (change);
      g_autoptr (GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *clock = g_date_time_format (now, "%H:%M:%S");
      g_autofree char *summary = ewn_change_dup_summary (change);

      if (item->last_modified_name != NULL)
        printf ("%s  %-17s %s  (%s)\n", clock, ewn_change_kind_to_string (change->kind), summary,
                item->last_modified_name);
      else
        printf ("%s  %-17s %s\n", clock, ewn_change_kind_to_string (change->kind), summary);
    }
  if (watch->flush_idle == 0)
    watch->flush_idle = g_idle_add_full (G_PRIORITY_HIGH, flush_cb, watch, NULL);
}

static void
on_list_change (EwnAccountList *list,
                EwnAccount     *account,
                EwnChange      *change,
                Watch          *watch)
{
  on_change (account, change, watch);
}

static void
on_stopped (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Watch *watch = user_data;

  ewn_account_stop_finish (EWN_ACCOUNT (source), result, NULL);
  if (--watch->stops_pending == 0)
    g_main_loop_quit (watch->loop);
}

/* Unsubscribes and saves every account, then leaves. */
static void
stop (Watch *watch)
{
  if (watch->stopping)
    return;

  watch->stopping = TRUE;
  watch->stops_pending = 1; /* until every stop is asked for */
  for (guint i = 0; i < watch->watched->len; i++)
    {
      Watched *watched = g_ptr_array_index (watch->watched, i);

      if (!ewn_account_get_started (watched->account))
        continue;
      watch->stops_pending++;
      ewn_account_stop_async (watched->account, on_stopped, watch);
    }
  if (--watch->stops_pending == 0)
    g_main_loop_quit (watch->loop);
}

/* States are said from idle, so that a passing one (streaming for the instant before
 * the catch-up starts) is not. Once live, each change's brief sync is worth a line
 * only when debugging. */
static gboolean
all_need_passwords (Watch *watch)
{
  for (guint i = 0; i < watch->watched->len; i++)
    {
      Watched *watched = g_ptr_array_index (watch->watched, i);

      if (!ewn_account_is_waiting_for_password (watched->account))
        return FALSE;
    }
  return watch->watched->len > 0;
}

static gboolean
say_state (gpointer user_data)
{
  Watched         *watched = user_data;
  Watch           *watch = watched->watch;
  EwnAccount      *account = watched->account;
  const char      *reason = ewn_account_get_state_reason (account);
  EwnAccountState  state = ewn_account_get_state (account);
  g_autofree char *line = NULL;

  watched->state_idle = 0;
  if (state == EWN_ACCOUNT_STATE_SYNCING && watched->live && !watch->debug)
    state = EWN_ACCOUNT_STATE_STREAMING;
  if (state == EWN_ACCOUNT_STATE_STREAMING)
    watched->live = TRUE;
  line = g_strdup_printf ("[%s%s%s%s%s]", watch->name_accounts ? ewn_account_get_id (account) : "",
                          watch->name_accounts ? ": " : "", ewn_account_state_to_string (state),
                          reason != NULL ? ": " : "", reason != NULL ? reason : "");

  if (g_strcmp0 (line, watched->last_state) != 0)
    {
      g_printerr ("%s\n", line);
      g_free (watched->last_state);
      watched->last_state = g_steal_pointer (&line);
    }
  if (watch->list != NULL && all_need_passwords (watch))
    {
      /* Nobody can type one here, and the keyring had none that works. */
      g_printerr ("%s\n", _("No account can sign in: enter the passwords in EWS Notifier, then start again."));
      watch->exit_status = 1;
      stop (watch);
    }
  return G_SOURCE_REMOVE;
}

static void
on_state (EwnAccount *account,
          GParamSpec *pspec,
          Watched    *watched)
{
  if (watched->state_idle == 0)
    watched->state_idle = g_idle_add (say_state, watched);
}

static void
on_warning (EwnAccount *account,
            GParamSpec *pspec,
            Watched    *watched)
{
  const char *warning = ewn_account_get_warning (account);

  if (warning == NULL)
    return;
  if (watched->watch->name_accounts)
    g_printerr ("[%s: warning: %s]\n", ewn_account_get_id (account), warning);
  else
    g_printerr ("[warning: %s]\n", warning);
}

static void
on_credentials_needed (EwnAccount *account,
                       Watched    *watched)
{
  Watch *watch = watched->watch;

  g_clear_handle_id (&watched->state_idle, g_source_remove);
  say_state (watched);
  /* Nobody can be asked here. Alone, the account says so and leaves; among configured
   * accounts, the others go on (say_state() leaves once none can sign in). */
  if (watch->list == NULL)
    {
      watch->exit_status = 1;
      stop (watch);
    }
}

static void
watched_free (Watched *watched)
{
  g_clear_handle_id (&watched->state_idle, g_source_remove);
  g_signal_handlers_disconnect_by_data (watched->account, watched);
  g_object_unref (watched->account);
  g_free (watched->last_state);
  g_free (watched);
}

static void
follow (Watch      *watch,
        EwnAccount *account)
{
  Watched *watched = g_new0 (Watched, 1);

  watched->watch = watch;
  watched->account = g_object_ref (account);
  g_signal_connect (account, "notify::state-reason", G_CALLBACK (on_state), watched);
  g_signal_connect (account, "notify::state", G_CALLBACK (on_state), watched);
  g_signal_connect (account, "notify::warning", G_CALLBACK (on_warning), watched);
  g_signal_connect (account, "credentials-needed", G_CALLBACK (on_credentials_needed), watched);
  g_ptr_array_add (watch->watched, watched);
  on_state (account, NULL, watched);
}

/* The configured accounts come and go with the settings. */
static void
on_accounts_changed (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     Watch      *watch)
{
  guint n = g_list_model_get_n_items (model);

  for (guint i = watch->watched->len; i > 0; i--)
    {
      Watched *watched = g_ptr_array_index (watch->watched, i - 1);
      gboolean still = FALSE;

      for (guint j = 0; j < n && !still; j++)
        {
          g_autoptr (EwnAccount) account = g_list_model_get_item (model, j);

          still = account == watched->account;
        }
      if (!still)
        g_ptr_array_remove_index (watch->watched, i - 1);
    }
  for (guint j = position; j < position + added; j++)
    {
      g_autoptr (EwnAccount) account = g_list_model_get_item (model, j);

      follow (watch, account);
    }
}

static gboolean
on_quit_signal (gpointer user_data)
{
  stop (user_data);
  return G_SOURCE_CONTINUE;
}

/* Runs until Ctrl+C, SIGTERM or a refused password, then cleans up. */
static int
run (Watch *watch,
     guint  sigint,
     guint  sigterm)
{
  g_main_loop_run (watch->loop);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_clear_handle_id (&watch->flush_idle, g_source_remove);
  if (watch->list != NULL)
    {
      g_signal_handlers_disconnect_by_data (watch->list, watch);
      g_signal_handlers_disconnect_by_data (ewn_account_list_get_model (watch->list), watch);
    }
  for (guint i = 0; i < watch->watched->len; i++)
    g_signal_handlers_disconnect_by_data (((Watched *)g_ptr_array_index (watch->watched, i))->account, watch);
  g_ptr_array_unref (watch->watched);
  g_clear_object (&watch->list);
  fflush (stdout);
  g_string_free (watch->line, TRUE);
  return watch->exit_status;
}

/**
 * ewn_watch_main:
 *
 * Returns: the process exit status
 */
int
ewn_watch_main (int    argc,
                char **argv)
{
  gboolean         watch_flag = FALSE;
  gboolean         password_stdin = FALSE;
  gboolean         kerberos = FALSE;
  gboolean         debug = FALSE;
  gboolean         trace = FALSE;
  g_autofree char *server = NULL;
  g_autofree char *user = NULL;
  g_autofree char *ca_file = NULL;
  g_auto (GStrv) mailboxes = NULL;
  g_autofree char *password = NULL;
  g_autofree char *id = NULL;
  g_autofree char *state_dir = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (EwsClient) client = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autoptr (EwnAccount) account = NULL;
  g_autoptr (GSettings) settings = NULL;
  Watch        watch = { 0 };
  guint        sigint, sigterm;
  GOptionEntry entries[] = {
    { "watch", 0, 0, G_OPTION_ARG_NONE, &watch_flag, N_("Watch without a window and print each change"), NULL },
      { "json", 0, 0, G_OPTION_ARG_NONE, &watch.json, N_("Print each change as one JSON object per line"), NULL },
        { "server", 0, 0, G_OPTION_ARG_STRING, &server, N_("EWS URL, e.g. https://mail.example.com/EWS/Exchange.asmx"), N_("URL") },
          { "user", 0, 0, G_OPTION_ARG_STRING, &user, N_("User name to sign in with"), N_("NAME") },
            { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &password_stdin, N_("Read the password from the first line of standard input"), NULL },
              { "kerberos", 0, 0, G_OPTION_ARG_NONE, &kerberos, N_("Sign in with this session’s Kerberos ticket instead of a password"), NULL },
                { "mailbox", 0, 0, G_OPTION_ARG_STRING_ARRAY, &mailboxes, N_("Also watch this shared mailbox (repeatable)"), N_("ADDRESS") },
                  { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file, N_("Also trust the certificate authorities in this PEM file"), N_("FILE") },
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

  if (server != NULL || user != NULL || password_stdin || kerberos || mailboxes != NULL || ca_file != NULL)
    {
      if (server == NULL || user == NULL || password_stdin == kerberos)
        {
          g_printerr ("%s\n", _("Give --server, --user and --password-stdin (or --kerberos) together to watch an account that is not set up."));
          return 2;
        }
    }
  else
    {
      g_auto (GStrv) ids = NULL;

      settings = g_settings_new (APPLICATION_ID);
      ids = g_settings_get_strv (settings, "accounts");
      if (ids[0] == NULL)
        {
          g_printerr ("%s\n", _("No account is set up: add one in EWS Notifier’s Preferences, or give --server, --user and --password-stdin (or --kerberos)."));
          return 2;
        }
    }

  if (debug || trace)
    g_log_set_debug_enabled (TRUE);
  watch.debug = debug || trace;

  if (server != NULL)
    {
      password = kerberos ? NULL : ewn_command_line_read_password (&error);
      if (password == NULL && !kerberos)
        {
          g_printerr ("%s\n", error->message);
          return 2;
        }

      client = ewn_command_line_new_client (server, user, password);
      if (!ews_client_set_ca_file (client, ca_file, &error))
        {
          g_printerr ("%s\n", error->message);
          return 2;
        }
      ews_client_set_trace (client, trace);

      id = ewn_command_line_account_id (server, user);
      state_dir = g_build_filename (g_get_user_state_dir (), "ews-notifier", id, NULL);
      account = ewn_account_new (id, client, state_dir, (const char *const *)mailboxes);
      if (strchr (user, '@') != NULL)
        ewn_account_set_address (account, user);
    }

  watch.watched = g_ptr_array_new_with_free_func ((GDestroyNotify)watched_free);
  loop = g_main_loop_new (NULL, FALSE);
  watch.loop = loop;
  watch.line = g_string_sized_new (1024);
  /* Flushed after every batch of changes (flush_cb), not after every line. glibc
   * ignores the size unless it is given the buffer: a pipe's would be 4 KiB, a write
   * for every six lines of a burst. */
  if (!isatty (STDOUT_FILENO))
    {
      static char stdout_buffer[64 * 1024];

      setvbuf (stdout, stdout_buffer, _IOFBF, sizeof stdout_buffer);
    }
  sigint = g_unix_signal_add (SIGINT, on_quit_signal, &watch);
  sigterm = g_unix_signal_add (SIGTERM, on_quit_signal, &watch);

  if (account != NULL)
    {
      g_signal_connect (account, "change", G_CALLBACK (on_change), &watch);
      follow (&watch, account);
      ewn_account_start (account);
    }
  else
    {
      /* The accounts set up in Preferences, their passwords from the keyring; each
       * state line names its account. */
      watch.name_accounts = TRUE;
      watch.list = ewn_account_list_new (settings);
      g_signal_connect (watch.list, "change", G_CALLBACK (on_list_change), &watch);
      g_signal_connect (ewn_account_list_get_model (watch.list), "items-changed", G_CALLBACK (on_accounts_changed), &watch);
      ewn_account_list_load (watch.list);
    }
  return run (&watch, sigint, sigterm);
}
