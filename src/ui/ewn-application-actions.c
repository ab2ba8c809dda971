/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ewn-application"

#include "config.h"

#include <glib/gi18n.h>

#include "ewn-account.h"
#include "ewn-account-editor.h"
#include "ewn-account-list.h"
#include "ewn-application-private.h"
#include "ewn-history.h"
#include "ewn-item-window.h"
#include "ewn-notifier.h"
#include "ewn-password-dialog.h"
#include "ewn-preferences-window.h"
#include "ewn-recent-window.h"
#include "ewn-web-link.h"

/* The app.* actions: what the tray menu, the windows and the notifications' buttons
 * ask of the application. */

#define STOP_GRACE_MS 3000 /* how long Quit waits for the accounts to unsubscribe */

/* The change with history id @id: in the history, or of a notification still on
 * screen after the history has let it go. When neither has it, a click does not do
 * nothing: the list of what is still known opens instead, and this returns %NULL. */
static EwnHistoryEntry *
find_entry (EwnApplication *self,
            guint           id)
{
  EwnHistoryEntry *entry = ewn_history_lookup (self->history, id);

  if (entry == NULL && self->notifier != NULL)
    {
      entry = ewn_notifier_lookup_entry (self->notifier, id);
      if (entry != NULL)
        g_debug ("change %u is no longer in the history: taken from its notification", id);
    }
  if (entry == NULL)
    {
      g_message ("That change is no longer kept: showing the recent changes instead");
      g_action_group_activate_action (G_ACTION_GROUP (self), "show-recent", NULL);
    }
  return entry;
}

static void
open_item (GSimpleAction *action,
           GVariant      *parameter,
           gpointer       user_data)
{
  EwnApplication  *self = EWN_APPLICATION (user_data);
  EwnHistoryEntry *entry = find_entry (self, g_variant_get_uint32 (parameter));
  EwnAccount      *account;
  GList           *windows;
  EwnItemWindow   *window;

  if (entry == NULL)
    return;

  /* One window per change: a second click shows it again, freshly fetched. */
  windows = gtk_application_get_windows (GTK_APPLICATION (self));
  for (GList *l = windows; l != NULL; l = l->next)
    if (EWN_IS_ITEM_WINDOW (l->data) && ewn_item_window_get_entry_id (l->data) == ewn_history_entry_get_id (entry))
      {
        ewn_item_window_reload (l->data);
        gtk_window_present (l->data);
        return;
      }

  account = ewn_account_list_find (self->accounts, ewn_history_entry_get_change (entry)->account);
  window = ewn_item_window_new (GTK_APPLICATION (self), entry, self->history,
                                account != NULL ? ewn_account_get_client (account) : NULL);
  gtk_window_present (GTK_WINDOW (window));
}

static void
on_browser_launched (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    g_message ("Could not open the item in the browser: %s", error->message);
}

static void
on_details_for_browser (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = ews_client_get_items_finish (EWS_CLIENT (source), result, &error);
  g_autofree char *link = NULL;
  const EwsItem   *item;

  if (items == NULL || items->len == 0)
    {
      g_message ("Could not find the item's web link: %s", error != NULL ? error->message : "no answer");
      return;
    }
  item = g_ptr_array_index (items, 0);
  link = ewn_web_link_for_item (ews_client_get_url (EWS_CLIENT (source)), item->web_client_read_form_query_string);
  if (link != NULL)
    {
      /* A launch context of the display: the browser gets the time of the click (from
       * the notification's activation token), and with it the focus. */
      GdkDisplay *display = gdk_display_get_default ();
      g_autoptr (GdkAppLaunchContext) context = display != NULL ? gdk_display_get_app_launch_context (display) : NULL;

      g_app_info_launch_default_for_uri_async (link, G_APP_LAUNCH_CONTEXT (context), NULL, on_browser_launched, NULL);
    }
}

static void
open_in_browser (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  EwnApplication  *self = EWN_APPLICATION (user_data);
  EwnHistoryEntry *entry = find_entry (self, g_variant_get_uint32 (parameter));
  const EwnChange *change;
  EwnAccount      *account;
  const char      *ids[2] = { NULL, NULL };

  if (entry == NULL)
    return;
  change = ewn_history_entry_get_change (entry);
  account = ewn_account_list_find (self->accounts, change->account);
  if (account == NULL || change->after == NULL)
    return;
  ids[0] = change->after->id;
  ews_client_get_items_async (ewn_account_get_client (account), ids, NULL, on_details_for_browser, NULL);
}

static void
show_recent (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  EwnApplication *self = EWN_APPLICATION (user_data);
  GList          *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  ewn_history_mark_seen (self->history);
  for (GList *l = windows; l != NULL; l = l->next)
    if (EWN_IS_RECENT_WINDOW (l->data))
      {
        gtk_window_present (l->data);
        return;
      }
  gtk_window_present (GTK_WINDOW (ewn_recent_window_new (GTK_APPLICATION (self), self->history)));
}

static void
pause_notifications (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  EwnApplication *self = EWN_APPLICATION (user_data);
  const char     *how = g_variant_get_string (parameter, NULL);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  gint64 until = 0;

  if (g_str_equal (how, "hour"))
    until = g_date_time_to_unix (now) + 3600;
  else if (g_str_equal (how, "tomorrow"))
    {
      /* The start of the next working morning: tomorrow at 08:00 local time. */
      g_autoptr (GDateTime) tomorrow = g_date_time_add_days (now, 1);
      g_autoptr (GDateTime) morning = g_date_time_new_local (g_date_time_get_year (tomorrow), g_date_time_get_month (tomorrow),
                                                             g_date_time_get_day_of_month (tomorrow), 8, 0, 0);

      until = g_date_time_to_unix (morning);
    }
  g_debug ("notifications paused until %" G_GINT64_FORMAT, until);
  g_settings_set_int64 (self->settings, "paused-until", until);
}

EwnPreferencesWindow *
ewn_application_present_preferences (EwnApplication *self)
{
  GList     *windows = gtk_application_get_windows (GTK_APPLICATION (self));
  GtkWidget *window;

  for (GList *l = windows; l != NULL; l = l->next)
    if (EWN_IS_PREFERENCES_WINDOW (l->data))
      {
        gtk_window_present (l->data);
        return l->data;
      }
  window = ewn_preferences_window_new (GTK_APPLICATION (self), self->settings, self->accounts);
  gtk_window_present (GTK_WINDOW (window));
  return EWN_PREFERENCES_WINDOW (window);
}

static void
preferences (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  ewn_application_present_preferences (EWN_APPLICATION (user_data));
}

static void
on_retry_response (GtkDialog  *dialog,
                   int         response,
                   EwnAccount *account)
{
  if (response == GTK_RESPONSE_ACCEPT)
    ewn_account_reconnect (account);
  gtk_widget_destroy (GTK_WIDGET (dialog));
}

/* One password dialog per account, however often its line is clicked. */
static GtkWindow *
find_password_dialog (EwnApplication *self,
                      const char     *account_id)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (EWN_IS_PASSWORD_DIALOG (l->data) && g_strcmp0 (ewn_password_dialog_get_account_id (l->data), account_id) == 0)
      return l->data;
  return NULL;
}

/* An account line of the tray menu: the fix for what it needs. */
static void
account_activated (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  EwnApplication *self = EWN_APPLICATION (user_data);
  EwnAccount     *account = ewn_account_list_find (self->accounts, g_variant_get_string (parameter, NULL));
  const char     *reason;
  GtkWidget      *dialog;

  if (account == NULL)
    return;
  if (ewn_account_get_state (account) == EWN_ACCOUNT_STATE_AUTH_NEEDED && !ewn_account_is_waiting_for_password (account))
    {
      /* Kerberos: after signing in to the domain again, a click tries at once. */
      ewn_account_reconnect (account);
      return;
    }
  if (ewn_account_get_state (account) == EWN_ACCOUNT_STATE_AUTH_NEEDED)
    {
      GtkWindow *existing = find_password_dialog (self, ewn_account_get_id (account));

      if (existing == NULL)
        existing = GTK_WINDOW (ewn_password_dialog_new (GTK_APPLICATION (self), self->accounts, account));
      gtk_window_present (existing);
      return;
    }
  if (ewn_account_get_state (account) == EWN_ACCOUNT_STATE_ERROR && ewn_account_list_is_configured (self->accounts, ewn_account_get_id (account)))
    {
      /* A certificate, an address or a setting to change: the editor says which. */
      GtkWidget *editor;

      editor = ewn_account_editor_new (GTK_WINDOW (ewn_application_present_preferences (self)), self->settings, self->accounts,
                                       ewn_account_get_id (account));
      gtk_window_present (GTK_WINDOW (editor));
      return;
    }

  reason = ewn_account_get_state_reason (account);
  if (reason == NULL)
    reason = ewn_account_get_warning (account);
  dialog = gtk_message_dialog_new (NULL, 0, GTK_MESSAGE_INFO, GTK_BUTTONS_NONE, "%s",
                                   ewn_account_get_display_name (account) != NULL ? ewn_account_get_display_name (account) : ewn_account_get_id (account));
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s",
                                            reason != NULL ? reason : _("Connected: changes arrive as they happen."));
  gtk_dialog_add_buttons (GTK_DIALOG (dialog), _("_Close"), GTK_RESPONSE_CLOSE, _("_Reconnect Now"), GTK_RESPONSE_ACCEPT, NULL);
  gtk_window_set_title (GTK_WINDOW (dialog), _("Account"));
  gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (self));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_retry_response), account, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
finish_quit (EwnApplication *self)
{
  g_clear_handle_id (&self->quit_timeout_id, g_source_remove);
  g_application_quit (G_APPLICATION (self));
}

static void
on_account_stopped (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr (EwnApplication) self = user_data;

  ewn_account_stop_finish (EWN_ACCOUNT (source), result, NULL);
  if (--self->stops_pending == 0 && self->quit_timeout_id != 0)
    finish_quit (self);
}

static gboolean
quit_timeout_cb (gpointer user_data)
{
  EwnApplication *self = user_data;

  self->quit_timeout_id = 0;
  g_message ("Leaving without every subscription removed: the server did not answer in time");
  g_application_quit (G_APPLICATION (self));
  return G_SOURCE_REMOVE;
}

/* Unsubscribes and saves every account, closes the notifications whose buttons would
 * do nothing any more, then leaves (after a short grace at most). */
static void
quit (GSimpleAction *action,
      GVariant      *parameter,
      gpointer       user_data)
{
  EwnApplication *self = EWN_APPLICATION (user_data);
  GListModel     *model = ewn_account_list_get_model (self->accounts);
  guint           n = g_list_model_get_n_items (model);

  if (self->quitting)
    return;
  self->quitting = TRUE;
  if (self->notifier != NULL)
    ewn_notifier_close_all (self->notifier);
  g_signal_handlers_disconnect_by_data (self->accounts, self);

  self->stops_pending = n;
  self->quit_timeout_id = g_timeout_add (STOP_GRACE_MS, quit_timeout_cb, self);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (EwnAccount) account = g_list_model_get_item (model, i);

      ewn_account_stop_async (account, on_account_stopped, g_object_ref (self));
    }
  if (n == 0)
    finish_quit (self);
}

static const GActionEntry app_actions[] = {
  { "open-item", open_item, "u", NULL, NULL, { 0 } },
  { "open-in-browser", open_in_browser, "u", NULL, NULL, { 0 } },
  { "show-recent", show_recent, NULL, NULL, NULL, { 0 } },
  { "pause", pause_notifications, "s", NULL, NULL, { 0 } },
  { "preferences", preferences, NULL, NULL, NULL, { 0 } },
  { "account", account_activated, "s", NULL, NULL, { 0 } },
  { "quit", quit, NULL, NULL, NULL, { 0 } },
};

void
ewn_application_add_actions (EwnApplication *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
}
