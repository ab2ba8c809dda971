/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ewn-application"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <string.h>

#include "ewn-account.h"
#include "ewn-account-list.h"
#include "ewn-autostart.h"
#include "ewn-command-line.h"
#include "ewn-application.h"
#include "ewn-application-private.h"
#include "ewn-history.h"
#include "ewn-notifier.h"
#include "ewn-preferences-window.h"
#include "ewn-resources.h"
#include "ewn-tray.h"

/* The desktop application: one instance, held while it sits in the tray. Every change
 * of every account goes into the history, then to the notifier; windows, menu entries
 * and notification clicks all go through the app.* actions, in
 * ewn-application-actions.c. */

G_DEFINE_FINAL_TYPE (EwnApplication, ewn_application, GTK_TYPE_APPLICATION)

static guint
n_accounts (EwnApplication *self)
{
  return g_list_model_get_n_items (ewn_account_list_get_model (self->accounts));
}

static gboolean
several_mailboxes (EwnApplication *self)
{
  guint n = n_accounts (self);
  g_autoptr (EwnAccount) first = n > 0 ? g_list_model_get_item (ewn_account_list_get_model (self->accounts), 0) : NULL;

  return n > 1 || (first != NULL && ewn_account_get_n_mailboxes (first) > 1);
}

static void
on_change (EwnAccountList *accounts,
           EwnAccount     *account,
           EwnChange      *change,
           EwnApplication *self)
{
  EwnHistoryEntry *entry = ewn_history_add (self->history, change);
  const char      *url = ews_client_get_url (ewn_account_get_client (account));

  /* Listed in the history either way; a banner only for what others did, unless asked. */
  if (!g_settings_get_boolean (self->settings, "notify-own-changes") && ewn_account_is_own_change (account, change))
    return;
  /* The link itself comes with the details; an https server may have one. */
  ewn_notifier_show (self->notifier, entry, several_mailboxes (self), g_str_has_prefix (url, "https://"));
}

/* The account given on the command line: used for this session, never saved. */
static void
add_temporary_account (EwnApplication *self)
{
  g_autoptr (EwsClient) client = NULL;
  g_autoptr (EwnAccount) account = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *id = ewn_command_line_account_id (self->server, self->user);
  g_autofree char *state_dir = g_build_filename (g_get_user_state_dir (), "ews-notifier", id, NULL);

  client = ewn_command_line_new_client (self->server, self->user, self->password);
  g_clear_pointer (&self->password, g_free);
  if (!ews_client_set_ca_file (client, self->ca_file, &error))
    g_message ("%s", error->message);

  account = ewn_account_new (id, client, state_dir, (const char *const *)self->mailboxes);
  if (strchr (self->user, '@') != NULL)
    ewn_account_set_address (account, self->user);
  ewn_account_list_add_temporary (self->accounts, account, self->user);
}

/* Life cycle */

static gboolean
has_configured_accounts (EwnApplication *self)
{
  g_auto (GStrv) ids = g_settings_get_strv (self->settings, "accounts");

  return ids[0] != NULL;
}

static void
on_history_size (GSettings      *settings,
                 const char     *key,
                 EwnApplication *self)
{
  ewn_history_set_max_size (self->history, g_settings_get_uint (settings, key));
}

/* The autostart entry follows the key, whoever changed it. */
static void
on_start_at_login (GSettings      *settings,
                   const char     *key,
                   EwnApplication *self)
{
  g_autoptr (GError) error = NULL;

  if (!ewn_autostart_set (g_settings_get_boolean (settings, key), &error))
    g_message ("Start at login: %s", error->message);
}

static gboolean
on_quit_signal (gpointer user_data)
{
  /* Ctrl+C or a session ending: leave as cleanly as from the menu. */
  g_action_group_activate_action (G_ACTION_GROUP (user_data), "quit", NULL);
  return G_SOURCE_CONTINUE;
}

/* The recent changes outlive a restart: saved a moment after they change (a burst
 * is one write), and on the way out. The file is written (and synced) by a thread
 * of its own, never on the main loop. */
#define SAVE_HISTORY_DELAY_S 2

static void
write_history (gpointer contents,
               gpointer path)
{
  g_autoptr (GError) error = NULL;

  if (!ewn_history_write_file (path, contents, &error))
    g_message ("Could not save the recent changes: %s", error->message);
  g_bytes_unref (contents);
}

static void
save_history (EwnApplication *self)
{
  g_auto (GStrv) accounts = g_settings_get_strv (self->settings, "accounts");

  g_clear_handle_id (&self->save_history_id, g_source_remove);
  /* Only the configured accounts' changes: a temporary account leaves nothing. */
  g_thread_pool_push (self->history_writer, ewn_history_serialize (self->history, (const char *const *)accounts), NULL);
}

static gboolean
save_history_cb (gpointer user_data)
{
  EwnApplication *self = user_data;

  self->save_history_id = 0;
  save_history (self);
  return G_SOURCE_REMOVE;
}

static void
queue_save_history (EwnApplication *self)
{
  if (self->save_history_id == 0)
    self->save_history_id = g_timeout_add_seconds (SAVE_HISTORY_DELAY_S, save_history_cb, self);
}

static void
load_history (EwnApplication *self)
{
  g_autoptr (GError) error = NULL;

  self->history_path = g_build_filename (g_get_user_state_dir (), "ews-notifier", "history", NULL);
  self->history_writer = g_thread_pool_new (write_history, self->history_path, 1, FALSE, NULL);
  /* A damaged file costs the changes after the damage, nothing else. */
  if (!ewn_history_load (self->history, self->history_path, &error))
    g_message ("%s", error->message);
  g_signal_connect_swapped (self->history, "items-changed", G_CALLBACK (queue_save_history), self);
  /* A removed account's changes leave the file too. */
  g_signal_connect_swapped (self->settings, "changed::accounts", G_CALLBACK (queue_save_history), self);
}

static void
ewn_application_startup (GApplication *application)
{
  EwnApplication *self = EWN_APPLICATION (application);

  G_APPLICATION_CLASS (ewn_application_parent_class)->startup (application);

  ewn_register_resource ();
  ewn_application_add_actions (self);
  gtk_window_set_default_icon_name (APPLICATION_ID);

  self->settings = g_settings_new (APPLICATION_ID);
  self->history = ewn_history_new (g_settings_get_uint (self->settings, "history-size"));
  load_history (self);
  self->accounts = ewn_account_list_new (self->settings);
  g_signal_connect (self->accounts, "change", G_CALLBACK (on_change), self);
  g_signal_connect (self->settings, "changed::start-at-login", G_CALLBACK (on_start_at_login), self);
  g_signal_connect (self->settings, "changed::history-size", G_CALLBACK (on_history_size), self);
  /* The entry may have been removed, or the key changed, while the app was not running. */
  on_start_at_login (self->settings, "start-at-login", self);

  self->notifier = ewn_notifier_new (application, self->settings);
  self->tray = ewn_tray_new (GTK_APPLICATION (self), ewn_account_list_get_model (self->accounts), self->history, self->settings);

  if (self->server != NULL)
    add_temporary_account (self);
  ewn_account_list_load (self->accounts);

  self->sigint_id = g_unix_signal_add (SIGINT, on_quit_signal, self);
  self->sigterm_id = g_unix_signal_add (SIGTERM, on_quit_signal, self);

  /* It lives in the tray: no window needs to be open. */
  g_application_hold (application);
}

static void
ewn_application_activate (GApplication *application)
{
  EwnApplication *self = EWN_APPLICATION (application);
  gboolean        first = !self->activated;

  self->activated = TRUE;
  /* The first launch with an account just sits in the tray; without one it asks for
   * one, and launched again it shows the preferences. */
  if (first && n_accounts (self) > 0 && !self->open_preferences)
    return;
  if (first && !has_configured_accounts (self))
    ewn_preferences_window_add_account (ewn_application_present_preferences (self));
  else
    ewn_application_present_preferences (self);
}

static void
ewn_application_shutdown (GApplication *application)
{
  EwnApplication *self = EWN_APPLICATION (application);

  g_clear_handle_id (&self->sigint_id, g_source_remove);
  g_clear_handle_id (&self->sigterm_id, g_source_remove);
  if (self->history != NULL)
    g_signal_handlers_disconnect_by_data (self->history, self);
  g_signal_handlers_disconnect_by_func (self->settings, queue_save_history, self);
  if (self->save_history_id != 0)
    save_history (self);
  /* Waits for the writes queued so far. */
  if (self->history_writer != NULL)
    {
      g_thread_pool_free (self->history_writer, FALSE, TRUE);
      self->history_writer = NULL;
    }
  if (self->notifier != NULL)
    ewn_notifier_close_all (self->notifier);
  g_clear_object (&self->tray);
  g_clear_object (&self->notifier);

  G_APPLICATION_CLASS (ewn_application_parent_class)->shutdown (application);
}

static int
ewn_application_handle_local_options (GApplication *application,
                                      GVariantDict *options)
{
  EwnApplication *self = EWN_APPLICATION (application);
  g_autoptr (GError) error = NULL;
  gboolean password_stdin = FALSE;
  gboolean kerberos = FALSE;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("%s %s\n", _("EWS Notifier"), PACKAGE_VERSION);
      return 0;
    }
  if (g_variant_dict_contains (options, "debug"))
    g_log_set_debug_enabled (TRUE);

  g_variant_dict_lookup (options, "server", "s", &self->server);
  g_variant_dict_lookup (options, "user", "s", &self->user);
  g_variant_dict_lookup (options, "ca-file", "^ay", &self->ca_file);
  g_variant_dict_lookup (options, "mailbox", "^as", &self->mailboxes);
  g_variant_dict_lookup (options, "password-stdin", "b", &password_stdin);
  g_variant_dict_lookup (options, "kerberos", "b", &kerberos);
  if ((self->server != NULL || self->user != NULL || password_stdin || kerberos)
      && (self->server == NULL || self->user == NULL || password_stdin == kerberos))
    {
      g_printerr ("%s\n", _("Give --server, --user and --password-stdin (or --kerberos) together to try an account."));
      return 2;
    }

  /* Read before registering: registering starts up the primary instance. */
  if (password_stdin)
    {
      self->password = ewn_command_line_read_password (&error);
      if (self->password == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 2;
        }
    }

  if (!g_application_register (application, NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  if (g_application_get_is_remote (application))
    {
      if (self->server != NULL)
        g_printerr ("%s\n", _("EWS Notifier is already running; the account given here is not used."));
      if (g_variant_dict_contains (options, "quit"))
        g_action_group_activate_action (G_ACTION_GROUP (application), "quit", NULL);
      else if (g_variant_dict_contains (options, "preferences"))
        g_action_group_activate_action (G_ACTION_GROUP (application), "preferences", NULL);
      else
        g_application_activate (application);
      return 0;
    }

  if (g_variant_dict_contains (options, "quit"))
    return 0; /* nothing runs: nothing to quit */
  self->open_preferences = g_variant_dict_contains (options, "preferences");

  return -1;
}

static void
ewn_application_finalize (GObject *object)
{
  EwnApplication *self = EWN_APPLICATION (object);

  g_clear_handle_id (&self->quit_timeout_id, g_source_remove);
  g_clear_handle_id (&self->save_history_id, g_source_remove);
  g_free (self->history_path);
  g_clear_object (&self->settings);
  g_clear_object (&self->accounts);
  g_clear_object (&self->history);
  g_free (self->server);
  g_free (self->user);
  g_free (self->ca_file);
  g_strfreev (self->mailboxes);
  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_free (self->password);

  G_OBJECT_CLASS (ewn_application_parent_class)->finalize (object);
}

static void
ewn_application_class_init (EwnApplicationClass *klass)
{
  GObjectClass      *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = ewn_application_finalize;
  app_class->startup = ewn_application_startup;
  app_class->activate = ewn_application_activate;
  app_class->shutdown = ewn_application_shutdown;
  app_class->handle_local_options = ewn_application_handle_local_options;
}

static void
ewn_application_init (EwnApplication *self)
{
  static const GOptionEntry entries[] = {
    { "preferences", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Open the preferences"), NULL },
      { "quit", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Quit the running instance"), NULL },
        { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
          { "debug", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print debugging messages"), NULL },
            { "server", 0, 0, G_OPTION_ARG_STRING, NULL, N_("Try an account for this session: its EWS URL"), N_("URL") },
              { "user", 0, 0, G_OPTION_ARG_STRING, NULL, N_("… the user name"), N_("NAME") },
                { "password-stdin", 0, 0, G_OPTION_ARG_NONE, NULL, N_("… the password, from the first line of standard input"), NULL },
                  { "kerberos", 0, 0, G_OPTION_ARG_NONE, NULL, N_("… or this session’s Kerberos ticket instead of a password"), NULL },
                    { "mailbox", 0, 0, G_OPTION_ARG_STRING_ARRAY, NULL, N_("… also watch this shared mailbox (repeatable)"), N_("ADDRESS") },
                      { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, NULL, N_("… also trust the certificate authorities in this PEM file"), N_("FILE") },
                        { NULL } };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_application_set_option_context_summary (G_APPLICATION (self), _("Desktop notifications for changes in Exchange calendars and task lists."));
}

EwnApplication *
ewn_application_new (void)
{
  return g_object_new (EWN_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       NULL);
}

int
ewn_application_run (int    argc,
                     char **argv)
{
  g_autoptr (EwnApplication) app = ewn_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
