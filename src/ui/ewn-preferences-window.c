/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ewn-preferences"

#include "config.h"

#include <glib/gi18n.h>

#include "ewn-account-config.h"
#include "ewn-account-editor.h"
#include "ewn-account-row.h"
#include "ewn-preferences-window.h"

/* Preferences: the accounts (with their state), what to notify about, quiet hours and
 * bursts, start at login. Every switch is bound to its settings key. */

struct _EwnPreferencesWindow
{
  GtkApplicationWindow parent_instance;

  GtkStack            *stack;
  GtkListBox          *account_list;
  GtkSwitch           *notifications_enabled;
  GtkSwitch           *notify_calendar;
  GtkWidget           *notify_created;
  GtkWidget           *notify_rescheduled;
  GtkWidget           *notify_relocated;
  GtkWidget           *notify_cancelled;
  GtkWidget           *notify_deleted;
  GtkWidget           *notify_updated;
  GtkSwitch           *notify_tasks;
  GtkSwitch           *notify_own_changes;
  GtkSwitch           *quiet_hours_enabled;
  GtkWidget           *quiet_hours_box;
  GtkEntry            *quiet_hours_start;
  GtkEntry            *quiet_hours_end;
  GtkWidget           *quiet_hours_error;
  GtkSpinButton       *coalesce_seconds;
  GtkSpinButton       *max_per_minute;
  GtkSwitch           *start_at_login;
  GtkSpinButton       *history_size;

  GSettings           *settings;
  EwnAccountList      *accounts;
  guint                refresh_id;
};

G_DEFINE_FINAL_TYPE (EwnPreferencesWindow, ewn_preferences_window, GTK_TYPE_APPLICATION_WINDOW)

/* Accounts page */

static char *
describe (EwnPreferencesWindow *self,
          const char           *account_id,
          GSettings            *account_settings)
{
  EwnAccount *account = ewn_account_list_find (self->accounts, account_id);
  const char *reason;

  if (!g_settings_get_boolean (account_settings, "enabled"))
    return g_strdup (_("Turned off"));
  if (account == NULL)
    {
      /* Known from when the list tried to start it: no client is built here. */
      const char *unusable = ewn_account_list_get_unusable_reason (self->accounts, account_id);

      return g_strdup (unusable != NULL ? unusable : _("Starting…"));
    }
  reason = ewn_account_get_state_reason (account);
  if (reason == NULL)
    reason = ewn_account_get_warning (account);
  if (reason != NULL)
    return g_strdup_printf (_("%s: %s"), ewn_account_describe (account), reason);
  return g_strdup (ewn_account_describe (account));
}

static void
rebuild_accounts (EwnPreferencesWindow *self)
{
  g_auto (GStrv) ids = g_settings_get_strv (self->settings, "accounts");
  g_autofree char *selected = NULL;
  GtkListBoxRow   *row = gtk_list_box_get_selected_row (self->account_list);
  g_autoptr (GList) children = gtk_container_get_children (GTK_CONTAINER (self->account_list));

  if (row != NULL)
    selected = g_strdup (ewn_account_row_get_account_id (EWN_ACCOUNT_ROW (row)));
  for (GList *l = children; l != NULL; l = l->next)
    gtk_widget_destroy (l->data);

  for (guint i = 0; ids[i] != NULL; i++)
    {
      g_autoptr (GSettings) account_settings = ewn_account_config_settings (ids[i]);
      g_autofree char *name = g_settings_get_string (account_settings, "display-name");
      g_autofree char *email = g_settings_get_string (account_settings, "email");
      g_autofree char *state = describe (self, ids[i], account_settings);
      GtkWidget       *new_row = ewn_account_row_new (ids[i], *name != '\0' ? name : email, state);

      gtk_widget_show (new_row);
      gtk_container_add (GTK_CONTAINER (self->account_list), new_row);
      if (g_strcmp0 (selected, ids[i]) == 0 || (selected == NULL && i == 0))
        gtk_list_box_select_row (self->account_list, GTK_LIST_BOX_ROW (new_row));
    }
}

/* States change often (every change syncs): rows keep their place and focus, and only
 * a changed list of accounts rebuilds them. */
static gboolean
refresh_cb (gpointer user_data)
{
  EwnPreferencesWindow *self = user_data;
  g_auto (GStrv) ids = g_settings_get_strv (self->settings, "accounts");
  g_autoptr (GList) children = gtk_container_get_children (GTK_CONTAINER (self->account_list));
  guint i = 0;

  self->refresh_id = 0;
  for (GList *l = children; l != NULL; l = l->next, i++)
    if (ids[i] == NULL || g_strcmp0 (ewn_account_row_get_account_id (l->data), ids[i]) != 0)
      break;
  if (i != g_list_length (children) || ids[i] != NULL)
    {
      rebuild_accounts (self);
      return G_SOURCE_REMOVE;
    }

  for (GList *l = children; l != NULL; l = l->next)
    {
      const char *id = ewn_account_row_get_account_id (l->data);
      g_autoptr (GSettings) account_settings = ewn_account_config_settings (id);
      g_autofree char *state = describe (self, id, account_settings);

      ewn_account_row_set_state (l->data, state);
    }
  return G_SOURCE_REMOVE;
}

/* States change in bursts (connecting, subscribing, streaming): one rebuild for all. */
static void
queue_refresh (EwnPreferencesWindow *self)
{
  if (self->refresh_id == 0)
    self->refresh_id = g_timeout_add (100, refresh_cb, self);
}

static void
follow_accounts (EwnPreferencesWindow *self)
{
  GListModel *model = ewn_account_list_get_model (self->accounts);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (EwnAccount) account = g_list_model_get_item (model, i);

      /* Tied to the window: an account that leaves the list while still stopping
       * never calls back into a closed window. */
      g_signal_handlers_disconnect_by_data (account, self);
      g_signal_connect_object (account, "notify::state", G_CALLBACK (queue_refresh), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (account, "notify::state-reason", G_CALLBACK (queue_refresh), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (account, "notify::warning", G_CALLBACK (queue_refresh), self, G_CONNECT_SWAPPED);
    }
  queue_refresh (self);
}

static const char *
selected_id (EwnPreferencesWindow *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->account_list);

  return row != NULL ? ewn_account_row_get_account_id (EWN_ACCOUNT_ROW (row)) : NULL;
}

static void
open_editor (EwnPreferencesWindow *self,
             const char           *account_id)
{
  GtkWidget *editor = ewn_account_editor_new (GTK_WINDOW (self), self->settings, self->accounts, account_id);

  gtk_window_present (GTK_WINDOW (editor));
}

static void
add_account (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  open_editor (EWN_PREFERENCES_WINDOW (user_data), NULL);
}

static void
edit_account (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  EwnPreferencesWindow *self = EWN_PREFERENCES_WINDOW (user_data);

  if (selected_id (self) != NULL)
    open_editor (self, selected_id (self));
}

static void
on_remove_response (GtkDialog            *dialog,
                    int                   response,
                    EwnPreferencesWindow *self)
{
  const char *account_id = g_object_get_data (G_OBJECT (dialog), "account-id");

  if (response == GTK_RESPONSE_ACCEPT)
    ewn_account_list_remove (self->accounts, account_id);
  gtk_widget_destroy (GTK_WIDGET (dialog));
}

static void
remove_account (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  EwnPreferencesWindow *self = EWN_PREFERENCES_WINDOW (user_data);
  const char           *account_id = selected_id (self);
  g_autoptr (GSettings) account_settings = NULL;
  g_autofree char *email = NULL;
  GtkWidget       *dialog;

  if (account_id == NULL)
    return;
  account_settings = ewn_account_config_settings (account_id);
  email = g_settings_get_string (account_settings, "email");
  dialog = gtk_message_dialog_new (GTK_WINDOW (self), GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT, GTK_MESSAGE_QUESTION,
                                   GTK_BUTTONS_NONE, _("Remove %s?"), email);
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s",
                                            _("Its settings, its saved password and what was seen of its calendars are removed. Nothing changes on the server."));
  gtk_dialog_add_buttons (GTK_DIALOG (dialog), _("_Cancel"), GTK_RESPONSE_CANCEL, _("_Remove"), GTK_RESPONSE_ACCEPT, NULL);
  gtk_style_context_add_class (gtk_widget_get_style_context (gtk_dialog_get_widget_for_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT)),
                               "destructive-action");
  gtk_window_set_title (GTK_WINDOW (dialog), _("Remove Account"));
  g_object_set_data_full (G_OBJECT (dialog), "account-id", g_strdup (account_id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_remove_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_row_activated (EwnPreferencesWindow *self,
                  GtkListBoxRow        *row)
{
  open_editor (self, ewn_account_row_get_account_id (EWN_ACCOUNT_ROW (row)));
}

/* Quiet hours: only a valid HH:MM reaches the settings. */

static gboolean
valid_time (const char *text)
{
  guint64 hours, minutes;
  g_auto (GStrv) parts = g_strsplit (text, ":", -1);

  return g_strv_length (parts) == 2 && strlen (parts[0]) >= 1 && strlen (parts[0]) <= 2 && strlen (parts[1]) == 2 && g_ascii_string_to_unsigned (parts[0], 10, 0, 23, &hours, NULL) && g_ascii_string_to_unsigned (parts[1], 10, 0, 59, &minutes, NULL);
}

static void
on_quiet_time_changed (GtkEntry             *entry,
                       EwnPreferencesWindow *self)
{
  const char      *key = entry == self->quiet_hours_start ? "quiet-hours-start" : "quiet-hours-end";
  const char      *text = gtk_entry_get_text (entry);
  GtkStyleContext *style = gtk_widget_get_style_context (GTK_WIDGET (entry));
  gboolean         start_ok = valid_time (gtk_entry_get_text (self->quiet_hours_start));
  gboolean         end_ok = valid_time (gtk_entry_get_text (self->quiet_hours_end));

  if (valid_time (text))
    {
      g_autofree char *current = g_settings_get_string (self->settings, key);

      gtk_style_context_remove_class (style, "error");
      if (g_strcmp0 (current, text) != 0)
        g_settings_set_string (self->settings, key, text);
    }
  else
    gtk_style_context_add_class (style, "error");
  gtk_widget_set_visible (self->quiet_hours_error, !start_ok || !end_ok);
}

static void
load_quiet_time (EwnPreferencesWindow *self,
                 GtkEntry             *entry,
                 const char           *key)
{
  g_autofree char *value = g_settings_get_string (self->settings, key);

  /* A bad value written by other means is shown, marked, and not used. */
  gtk_entry_set_text (entry, value);
  on_quiet_time_changed (entry, self);
}

static void
ewn_preferences_window_dispose (GObject *object)
{
  EwnPreferencesWindow *self = EWN_PREFERENCES_WINDOW (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (self->accounts != NULL)
    {
      GListModel *model = ewn_account_list_get_model (self->accounts);

      for (guint i = 0; i < g_list_model_get_n_items (model); i++)
        {
          g_autoptr (EwnAccount) account = g_list_model_get_item (model, i);

          g_signal_handlers_disconnect_by_data (account, self);
        }
      g_signal_handlers_disconnect_by_data (model, self);
    }
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->accounts);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ewn_preferences_window_parent_class)->dispose (object);
}

static void
ewn_preferences_window_class_init (EwnPreferencesWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = ewn_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/ewsnotifier/EwsNotifier/ewn-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, EwnPreferencesWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, EwnPreferencesWindow, account_list);
  gtk_widget_class_bind_template_child (widget_class, EwnPreferencesWindow, notifications_enabled);
  gtk_widget_class_bind_template_child (widget_class, EwnPreferencesWindow, notify_calendar);
  gtk_widget_class_bind_template_child (widget_class, EwnPreferencesWindow, notify_created);
  gtk_widget_class_bind_template_child (widget_class, EwnPreferencesWindow, notify_rescheduled);
  gtk_widget_class_bind_template_child (widget_class, EwnPreferencesWindow, notify_relocated);
  gtk_widget_class_bind_template_child (widget_class, EwnPreferencesWindow, notify_cancelled);
  gtk_widget_class_bind_template_child (widget_class, EwnPreferencesWindow, notify_deleted);
  gtk_widget_class_bind_template_child (widget_class, EwnPreferencesWindow, notify_updated);
  gtk_widget_class_bind_template_child (widget_class, EwnPreferencesWindow, notify_tasks);
  gtk_widget_class_bind_template_child (widget_class, EwnPreferencesWindow, notify_own_changes);
  gtk_widget_class_bind_template_child (widget_class, EwnPreferencesWindow, quiet_hours_enabled);
  gtk_widget_class_bind_template_child (widget_class, EwnPreferencesWindow, quiet_hours_box);
  gtk_widget_class_bind_template_child (widget_class, EwnPreferencesWindow, quiet_hours_start);
  gtk_widget_class_bind_template_child (widget_class, EwnPreferencesWindow, quiet_hours_end);
  gtk_widget_class_bind_template_child (widget_class, EwnPreferencesWindow, quiet_hours_error);
  gtk_widget_class_bind_template_child (widget_class, EwnPreferencesWindow, coalesce_seconds);
  gtk_widget_class_bind_template_child (widget_class, EwnPreferencesWindow, max_per_minute);
  gtk_widget_class_bind_template_child (widget_class, EwnPreferencesWindow, start_at_login);
  gtk_widget_class_bind_template_child (widget_class, EwnPreferencesWindow, history_size);
}

static void
ewn_preferences_window_init (EwnPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* The header bar shows the page switcher, not a title; window lists and screen
   * readers still need one. */
  gtk_window_set_title (GTK_WINDOW (self), _("EWS Notifier Preferences"));
}

static void
bind_settings (EwnPreferencesWindow *self)
{
  static const struct
  {
    const char *key;
    gsize       offset;
    const char *property;
  } bindings[] = {
    { "notifications-enabled", G_STRUCT_OFFSET (EwnPreferencesWindow, notifications_enabled), "active" },
    { "notify-calendar", G_STRUCT_OFFSET (EwnPreferencesWindow, notify_calendar), "active" },
    { "notify-created", G_STRUCT_OFFSET (EwnPreferencesWindow, notify_created), "active" },
    { "notify-rescheduled", G_STRUCT_OFFSET (EwnPreferencesWindow, notify_rescheduled), "active" },
    { "notify-relocated", G_STRUCT_OFFSET (EwnPreferencesWindow, notify_relocated), "active" },
    { "notify-cancelled", G_STRUCT_OFFSET (EwnPreferencesWindow, notify_cancelled), "active" },
    { "notify-deleted", G_STRUCT_OFFSET (EwnPreferencesWindow, notify_deleted), "active" },
    { "notify-updated", G_STRUCT_OFFSET (EwnPreferencesWindow, notify_updated), "active" },
    { "notify-tasks", G_STRUCT_OFFSET (EwnPreferencesWindow, notify_tasks), "active" },
    { "notify-own-changes", G_STRUCT_OFFSET (EwnPreferencesWindow, notify_own_changes), "active" },
    { "quiet-hours-enabled", G_STRUCT_OFFSET (EwnPreferencesWindow, quiet_hours_enabled), "active" },
    { "coalesce-seconds", G_STRUCT_OFFSET (EwnPreferencesWindow, coalesce_seconds), "value" },
    { "max-notifications-per-minute", G_STRUCT_OFFSET (EwnPreferencesWindow, max_per_minute), "value" },
    { "start-at-login", G_STRUCT_OFFSET (EwnPreferencesWindow, start_at_login), "active" },
    { "history-size", G_STRUCT_OFFSET (EwnPreferencesWindow, history_size), "value" },
  };
  GtkWidget *calendar_kinds[] = { self->notify_created, self->notify_rescheduled, self->notify_relocated,
                                  self->notify_cancelled, self->notify_deleted, self->notify_updated };

  for (guint i = 0; i < G_N_ELEMENTS (bindings); i++)
    g_settings_bind (self->settings, bindings[i].key, G_STRUCT_MEMBER (GObject *, self, bindings[i].offset),
                     bindings[i].property, G_SETTINGS_BIND_DEFAULT);
  for (guint i = 0; i < G_N_ELEMENTS (calendar_kinds); i++)
    g_object_bind_property (self->notify_calendar, "active", calendar_kinds[i], "sensitive", G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->quiet_hours_enabled, "active", self->quiet_hours_box, "sensitive", G_BINDING_SYNC_CREATE);

  load_quiet_time (self, self->quiet_hours_start, "quiet-hours-start");
  load_quiet_time (self, self->quiet_hours_end, "quiet-hours-end");
  g_signal_connect (self->quiet_hours_start, "changed", G_CALLBACK (on_quiet_time_changed), self);
  g_signal_connect (self->quiet_hours_end, "changed", G_CALLBACK (on_quiet_time_changed), self);
}

/**
 * ewn_preferences_window_new:
 * @application: the application
 * @settings: the application's settings
 * @accounts: the running accounts
 *
 * Returns: (transfer floating): the window
 */
GtkWidget *
ewn_preferences_window_new (GtkApplication *application,
                            GSettings      *settings,
                            EwnAccountList *accounts)
{
  EwnPreferencesWindow     *self = g_object_new (EWN_TYPE_PREFERENCES_WINDOW, "application", application, NULL);
  static const GActionEntry actions[] = {
    { "add-account", add_account, NULL, NULL, NULL, { 0 } },
    { "edit-account", edit_account, NULL, NULL, NULL, { 0 } },
    { "remove-account", remove_account, NULL, NULL, NULL, { 0 } },
  };

  self->settings = g_object_ref (settings);
  self->accounts = g_object_ref (accounts);
  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);

  bind_settings (self);
  g_signal_connect_swapped (settings, "changed::accounts", G_CALLBACK (queue_refresh), self);
  g_signal_connect_swapped (ewn_account_list_get_model (accounts), "items-changed", G_CALLBACK (follow_accounts), self);
  g_signal_connect_swapped (self->account_list, "row-activated", G_CALLBACK (on_row_activated), self);
  follow_accounts (self);
  rebuild_accounts (self);
  return GTK_WIDGET (self);
}

/**
 * ewn_preferences_window_show_page:
 * @name: "accounts", "notifications" or "general"
 */
void
ewn_preferences_window_show_page (EwnPreferencesWindow *self,
                                  const char           *name)
{
  g_return_if_fail (EWN_IS_PREFERENCES_WINDOW (self));

  gtk_stack_set_visible_child_name (self->stack, name);
}

/**
 * ewn_preferences_window_add_account:
 *
 * Opens the account editor for a new account (the first launch does this).
 */
void
ewn_preferences_window_add_account (EwnPreferencesWindow *self)
{
  g_return_if_fail (EWN_IS_PREFERENCES_WINDOW (self));

  ewn_preferences_window_show_page (self, "accounts");
  open_editor (self, NULL);
}
