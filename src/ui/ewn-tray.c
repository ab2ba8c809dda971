/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ewn-tray"

#include "config.h"

#include <glib/gi18n.h>
#include <libayatana-appindicator/app-indicator.h>

#include "ewn-account.h"
#include "ewn-change-text.h"
#include "ewn-tray.h"

/* The tray icon (a StatusNotifierItem through libayatana-appindicator) and its menu.
 * The menu is a GMenuModel rebuilt from the state in one idle source; its entries
 * activate the application's actions. The GtkMenu the indicator exports is made of
 * plain items that follow the model: one made by gtk_menu_new_from_model() would show
 * every entry with a check box in StatusNotifierItem hosts. Without a
 * StatusNotifierWatcher the app works all the same and says so once. */

#define RECENT_IN_MENU   10
#define REBUILD_DELAY_MS 250

struct _EwnTray
{
  GObject         parent_instance;
  GtkApplication *application; /* unowned: it owns us */
  GListModel     *accounts;
  EwnHistory     *history;
  GSettings      *settings;
  AppIndicator   *indicator;
  GtkWidget      *menu;
  GMenu          *model;
  GMenu          *account_section;
  GMenu          *recent_section;
  GMenu          *pause_section;
  const char     *icon_name;
  guint           rebuild_id;
  guint           pause_end_id;
  gboolean        connected;
  gboolean        said_no_watcher;
};

G_DEFINE_FINAL_TYPE (EwnTray, ewn_tray, G_TYPE_OBJECT)

#define ICON_NORMAL    APPLICATION_ID "-symbolic"
#define ICON_NEW       APPLICATION_ID "-new-symbolic"
#define ICON_OFFLINE   APPLICATION_ID "-offline-symbolic"
#define ICON_ATTENTION APPLICATION_ID "-error-symbolic"

static gboolean
needs_attention (EwnAccountState state)
{
  return state == EWN_ACCOUNT_STATE_AUTH_NEEDED || state == EWN_ACCOUNT_STATE_ERROR;
}

static gboolean
is_live (EwnAccountState state)
{
  return state == EWN_ACCOUNT_STATE_STREAMING || state == EWN_ACCOUNT_STATE_SYNCING || state == EWN_ACCOUNT_STATE_PAUSED;
}

static char *
account_label (EwnAccount *account)
{
  const char *name = ewn_account_get_display_name (account) != NULL ? ewn_account_get_display_name (account) : ewn_account_get_id (account);

  /* Translators: an account line in the tray menu: "alice@example.com — Connected" */
  return g_strdup_printf (_("%s — %s"), name, ewn_account_describe (account));
}

/* Menu labels are mnemonic: a subject's underscores must stay underscores. */
static char *
escape_mnemonic (const char *text)
{
  g_autoptr (GString) escaped = g_string_new (text);

  g_string_replace (escaped, "_", "__", 0);
  return g_string_free (g_steal_pointer (&escaped), FALSE);
}

static void
rebuild_accounts (EwnTray *self,
                  guint   *attention,
                  guint   *not_live)
{
  guint n = g_list_model_get_n_items (self->accounts);

  g_menu_remove_all (self->account_section);
  if (n == 0)
    {
      g_autoptr (GMenuItem) item = g_menu_item_new (_("No account yet — Add One…"), "app.preferences");

      g_menu_append_item (self->account_section, item);
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (EwnAccount) account = g_list_model_get_item (self->accounts, i);
      g_autofree char *label = account_label (account);
      g_autofree char *escaped = escape_mnemonic (label);
      g_autoptr (GMenuItem) item = g_menu_item_new (escaped, NULL);
      EwnAccountState state = ewn_account_get_state (account);

      g_menu_item_set_action_and_target_value (item, "app.account", g_variant_new_string (ewn_account_get_id (account)));
      g_menu_append_item (self->account_section, item);
      if (needs_attention (state))
        (*attention)++;
      else if (!is_live (state))
        (*not_live)++;
    }
}

static void
rebuild_recent (EwnTray *self)
{
  guint n = MIN (g_list_model_get_n_items (G_LIST_MODEL (self->history)), RECENT_IN_MENU);

  g_menu_remove_all (self->recent_section);
  if (n == 0)
    {
      g_autoptr (GMenuItem) item = g_menu_item_new (_("No changes yet"), NULL); /* shown insensitive */

      g_menu_append_item (self->recent_section, item);
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (EwnHistoryEntry) entry = g_list_model_get_item (G_LIST_MODEL (self->history), i);
      g_autofree char *headline = ewn_change_dup_headline (ewn_history_entry_get_change (entry));
      g_autofree char *escaped = escape_mnemonic (headline);
      g_autoptr (GMenuItem) item = g_menu_item_new (escaped, NULL);

      g_menu_item_set_action_and_target_value (item, "app.open-item", g_variant_new_uint32 (ewn_history_entry_get_id (entry)));
      g_menu_append_item (self->recent_section, item);
    }
}

static gboolean rebuild_cb (gpointer user_data);

/* One line of the menu, read from the model. */
typedef struct
{
  char       *label;
  char       *action; /* an enabled app action without "app.", or NULL */
  GVariant   *target;
  GMenuModel *submenu;
  gboolean    separator;
} Line;

static void
line_free (Line *line)
{
  g_free (line->label);
  g_free (line->action);
  g_clear_pointer (&line->target, g_variant_unref);
  g_clear_object (&line->submenu);
  g_free (line);
}

/* The lines of @model: sections are set apart by separators, and an entry whose app
 * action is missing or disabled has no action (it is shown insensitive). */
static void
collect_lines (EwnTray    *self,
               GMenuModel *model,
               GPtrArray  *lines)
{
  guint n = (guint)g_menu_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GMenuModel) section = g_menu_model_get_item_link (model, (int)i, G_MENU_LINK_SECTION);
      g_autofree char *action = NULL;
      Line            *line;

      if (section != NULL)
        {
          if (lines->len > 0 && g_menu_model_get_n_items (section) > 0)
            {
              line = g_new0 (Line, 1);
              line->separator = TRUE;
              g_ptr_array_add (lines, line);
            }
          collect_lines (self, section, lines);
          continue;
        }

      line = g_new0 (Line, 1);
      if (!g_menu_model_get_item_attribute (model, (int)i, G_MENU_ATTRIBUTE_LABEL, "s", &line->label))
        line->label = g_strdup ("");
      line->submenu = g_menu_model_get_item_link (model, (int)i, G_MENU_LINK_SUBMENU);
      if (line->submenu == NULL && g_menu_model_get_item_attribute (model, (int)i, G_MENU_ATTRIBUTE_ACTION, "s", &action) && g_str_has_prefix (action, "app.") && g_action_group_get_action_enabled (G_ACTION_GROUP (self->application), action + 4))
        {
          line->action = g_strdup (action + 4);
          line->target = g_menu_model_get_item_attribute_value (model, (int)i, G_MENU_ATTRIBUTE_TARGET, NULL);
        }
      g_ptr_array_add (lines, line);
    }
}

static void
on_item_activate (GtkMenuItem *item,
                  EwnTray     *self)
{
  const char *action = g_object_get_data (G_OBJECT (item), "ewn-action");
  GVariant   *target = g_object_get_data (G_OBJECT (item), "ewn-target");

  if (action != NULL)
    g_action_group_activate_action (G_ACTION_GROUP (self->application), action, target);
}

static gboolean
widget_fits (GtkWidget  *widget,
             const Line *line)
{
  if (line->separator)
    return GTK_IS_SEPARATOR_MENU_ITEM (widget);
  return !GTK_IS_SEPARATOR_MENU_ITEM (widget) && (gtk_menu_item_get_submenu (GTK_MENU_ITEM (widget)) != NULL) == (line->submenu != NULL);
}

static GtkWidget *
new_widget (EwnTray    *self,
            const Line *line)
{
  GtkWidget *widget;

  if (line->separator)
    return gtk_separator_menu_item_new ();
  widget = gtk_menu_item_new_with_mnemonic (line->label);
  if (line->submenu != NULL)
    gtk_menu_item_set_submenu (GTK_MENU_ITEM (widget), gtk_menu_new ());
  else
    g_signal_connect (widget, "activate", G_CALLBACK (on_item_activate), self);
  return widget;
}

static void sync_menu (EwnTray    *self,
                       GtkWidget  *menu,
                       GMenuModel *model);

static void
update_widget (EwnTray    *self,
               GtkWidget  *widget,
               const Line *line)
{
  if (line->separator)
    return;
  if (g_strcmp0 (gtk_menu_item_get_label (GTK_MENU_ITEM (widget)), line->label) != 0)
    gtk_menu_item_set_label (GTK_MENU_ITEM (widget), line->label);
  if (line->submenu != NULL)
    {
      sync_menu (self, gtk_menu_item_get_submenu (GTK_MENU_ITEM (widget)), line->submenu);
      return;
    }
  /* (data_full() takes no destroy function with NULL data) */
  if (line->action != NULL)
    g_object_set_data_full (G_OBJECT (widget), "ewn-action", g_strdup (line->action), g_free);
  else
    g_object_set_data (G_OBJECT (widget), "ewn-action", NULL);
  if (line->target != NULL)
    g_object_set_data_full (G_OBJECT (widget), "ewn-target", g_variant_ref (line->target), (GDestroyNotify)g_variant_unref);
  else
    g_object_set_data (G_OBJECT (widget), "ewn-target", NULL);
  if (gtk_widget_get_sensitive (widget) != (line->action != NULL))
    gtk_widget_set_sensitive (widget, line->action != NULL);
}

/* Makes @menu show @model, changing the items it has in place: a new change shifts
 * the labels of the recent lines instead of building the menu anew, so the tray
 * host is sent a few new labels, and a menu open at that moment stays open. */
static void
sync_menu (EwnTray    *self,
           GtkWidget  *menu,
           GMenuModel *model)
{
  g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func ((GDestroyNotify)line_free);
  g_autoptr (GList) children = gtk_container_get_children (GTK_CONTAINER (menu));
  GList *next = children;

  collect_lines (self, model, lines);
  for (guint i = 0; i < lines->len; i++)
    {
      const Line *line = g_ptr_array_index (lines, i);
      GtkWidget  *widget = next != NULL ? next->data : NULL;

      /* From the first item that does not fit on, the menu is built anew. */
      if (widget != NULL && !widget_fits (widget, line))
        {
          for (GList *l = next; l != NULL; l = l->next)
            gtk_widget_destroy (l->data);
          next = NULL;
          widget = NULL;
        }
      if (widget == NULL)
        {
          widget = new_widget (self, line);
          gtk_menu_shell_append (GTK_MENU_SHELL (menu), widget);
          gtk_widget_show (widget);
        }
      else
        next = next->next;
      update_widget (self, widget, line);
    }
  for (GList *l = next; l != NULL; l = l->next)
    gtk_widget_destroy (l->data);
}

static void
rebuild_pause (EwnTray *self)
{
  gint64 until = g_settings_get_int64 (self->settings, "paused-until");
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GMenu) choices = g_menu_new ();
  g_autoptr (GMenuItem) submenu = NULL;
  const char      *label = _("Pause Notifications");
  g_autofree char *paused_label = NULL;

  g_menu_remove_all (self->pause_section);
  g_clear_handle_id (&self->pause_end_id, g_source_remove);
  if (until > g_date_time_to_unix (now))
    {
      g_autoptr (GDateTime) end = g_date_time_new_from_unix_local (until);
      g_autofree char *clock = g_date_time_format (end, "%H:%M");

      /* Translators: the pause submenu while paused, with the time it ends */
      paused_label = g_strdup_printf (_("Notifications Paused Until %s"), clock);
      label = paused_label;
      /* The label changes back by itself when the pause ends. */
      self->pause_end_id = g_timeout_add_seconds ((guint)MIN (until - g_date_time_to_unix (now) + 1, G_MAXUINT32 / 2), rebuild_cb, self);
    }

  g_menu_append (choices, _("For 1 Hour"), "app.pause::hour");
  g_menu_append (choices, _("Until Tomorrow"), "app.pause::tomorrow");
  g_menu_append (choices, _("Resume"), "app.pause::resume");
  submenu = g_menu_item_new_submenu (label, G_MENU_MODEL (choices));
  g_menu_append_item (self->pause_section, submenu);
}

static void
update_icon (EwnTray *self,
             guint    attention,
             guint    not_live)
{
  const char *description;

  if (attention > 0)
    {
      self->icon_name = ICON_ATTENTION;
      description = _("EWS Notifier — an account needs attention");
    }
  else if (not_live > 0)
    {
      self->icon_name = ICON_OFFLINE;
      description = _("EWS Notifier — reconnecting");
    }
  else if (ewn_history_get_unseen (self->history) > 0)
    {
      self->icon_name = ICON_NEW;
      description = _("EWS Notifier — new changes");
    }
  else
    {
      self->icon_name = ICON_NORMAL;
      description = g_list_model_get_n_items (self->accounts) > 0 ? _("EWS Notifier — all connected") : _("EWS Notifier — no account");
    }

  app_indicator_set_icon_full (self->indicator, self->icon_name, description);
  app_indicator_set_title (self->indicator, description);
}

static gboolean
rebuild_cb (gpointer user_data)
{
  EwnTray *self = user_data;
  guint    attention = 0;
  guint    not_live = 0;

  self->rebuild_id = 0;
  self->pause_end_id = 0;
  rebuild_accounts (self, &attention, &not_live);
  rebuild_recent (self);
  rebuild_pause (self);
  sync_menu (self, self->menu, G_MENU_MODEL (self->model));
  update_icon (self, attention, not_live);
  return G_SOURCE_REMOVE;
}

static void
queue_rebuild (EwnTray *self)
{
  /* A change flips its account to syncing and back and adds to the history within
   * milliseconds: one rebuild a moment later covers them all, and stays off the path
   * from the server to the notification. */
  if (self->rebuild_id == 0)
    self->rebuild_id = g_timeout_add_full (G_PRIORITY_LOW, REBUILD_DELAY_MS, rebuild_cb, self, NULL);
}

static void
on_account_changed (EwnAccount *account,
                    GParamSpec *pspec,
                    EwnTray    *self)
{
  queue_rebuild (self);
}

static void
watch_accounts (EwnTray *self,
                guint    position,
                guint    added)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (EwnAccount) account = g_list_model_get_item (self->accounts, i);

      g_signal_handlers_disconnect_by_data (account, self);
      g_signal_connect_object (account, "notify::state", G_CALLBACK (on_account_changed), self, 0);
    }
}

static void
on_accounts_changed (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     EwnTray    *self)
{
  watch_accounts (self, position, added);
  queue_rebuild (self);
}

static void
on_history_changed (EwnTray *self)
{
  queue_rebuild (self);
}

static void
on_menu_shown (GtkWidget *menu,
               EwnTray   *self)
{
  /* A person looked: the changes are not new any more. */
  ewn_history_mark_seen (self->history);
}

static void
on_connection_changed (AppIndicator *indicator,
                       gboolean      connected,
                       EwnTray      *self)
{
  self->connected = connected;
  if (connected)
    g_debug ("The tray icon is shown");
  else if (!self->said_no_watcher)
    {
      self->said_no_watcher = TRUE;
      g_message ("No system tray (StatusNotifierWatcher) on this desktop: notifications still work; "
                 "launch EWS Notifier again to open its windows");
    }
}

static void
ewn_tray_dispose (GObject *object)
{
  EwnTray *self = EWN_TRAY (object);

  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  g_clear_handle_id (&self->pause_end_id, g_source_remove);
  if (self->accounts != NULL)
    {
      guint n = g_list_model_get_n_items (self->accounts);

      for (guint i = 0; i < n; i++)
        {
          g_autoptr (GObject) account = g_list_model_get_item (self->accounts, i);

          g_signal_handlers_disconnect_by_data (account, self);
        }
      g_signal_handlers_disconnect_by_data (self->accounts, self);
    }
  if (self->history != NULL)
    g_signal_handlers_disconnect_by_data (self->history, self);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  if (self->indicator != NULL)
    g_signal_handlers_disconnect_by_data (self->indicator, self);
  g_clear_object (&self->indicator);
  if (self->menu != NULL)
    gtk_widget_destroy (self->menu);
  g_clear_object (&self->menu);
  g_clear_object (&self->accounts);
  g_clear_object (&self->history);
  g_clear_object (&self->settings);
  g_clear_object (&self->account_section);
  g_clear_object (&self->recent_section);
  g_clear_object (&self->pause_section);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (ewn_tray_parent_class)->dispose (object);
}

static void
ewn_tray_class_init (EwnTrayClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ewn_tray_dispose;
}

static void
ewn_tray_init (EwnTray *self)
{
  self->model = g_menu_new ();
  self->account_section = g_menu_new ();
  self->recent_section = g_menu_new ();
  self->pause_section = g_menu_new ();
}

/* Where our icons are, for a tray host that does not share our icon theme (an
 * uninstalled build, the demo): the "icons" folder above hicolor/…/apps/NAME.svg. */
static char *
find_icon_theme_path (void)
{
  GtkIconTheme *theme = gtk_icon_theme_get_default ();
  g_autoptr (GtkIconInfo) info = theme != NULL ? gtk_icon_theme_lookup_icon (theme, ICON_NORMAL, 16, 0) : NULL;
  const char      *file = info != NULL ? gtk_icon_info_get_filename (info) : NULL;
  g_autofree char *apps = NULL;
  g_autofree char *size = NULL;
  g_autofree char *hicolor = NULL;

  if (file == NULL)
    return NULL;
  apps = g_path_get_dirname (file);
  size = g_path_get_dirname (apps);
  hicolor = g_path_get_dirname (size);
  return g_path_get_dirname (hicolor);
}

/**
 * ewn_tray_new:
 * @application: the application whose actions the menu activates
 * @accounts: (element-type EwnAccount): the accounts, one menu line each
 * @history: the changes, the newest in the menu
 * @settings: the application's settings (the pause)
 *
 * Returns: (transfer full): the tray icon, shown at once where a tray exists
 */
EwnTray *
ewn_tray_new (GtkApplication *application,
              GListModel     *accounts,
              EwnHistory     *history,
              GSettings      *settings)
{
  EwnTray *self;
  g_autoptr (GMenu) end = g_menu_new ();
  g_autofree char *icon_theme_path = NULL;

  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (G_IS_LIST_MODEL (accounts), NULL);
  g_return_val_if_fail (EWN_IS_HISTORY (history), NULL);

  self = g_object_new (EWN_TYPE_TRAY, NULL);
  self->application = application;
  self->accounts = g_object_ref (accounts);
  self->history = g_object_ref (history);
  self->settings = g_object_ref (settings);

  g_menu_append_section (self->model, NULL, G_MENU_MODEL (self->account_section));
  g_menu_append_section (self->model, NULL, G_MENU_MODEL (self->recent_section));
  g_menu_append_section (self->model, NULL, G_MENU_MODEL (self->pause_section));
  g_menu_append (end, _("Preferences…"), "app.preferences");
  g_menu_append (end, _("Quit"), "app.quit");
  g_menu_append_section (self->model, NULL, G_MENU_MODEL (end));

  self->menu = g_object_ref_sink (gtk_menu_new ());
  g_signal_connect (self->menu, "show", G_CALLBACK (on_menu_shown), self);

  self->indicator = app_indicator_new (APPLICATION_ID, ICON_NORMAL, APP_INDICATOR_CATEGORY_COMMUNICATIONS);
  icon_theme_path = find_icon_theme_path ();
  if (icon_theme_path != NULL)
    app_indicator_set_icon_theme_path (self->indicator, icon_theme_path);
  g_signal_connect (self->indicator, "connection-changed", G_CALLBACK (on_connection_changed), self);
  app_indicator_set_menu (self->indicator, GTK_MENU (self->menu));
  app_indicator_set_status (self->indicator, APP_INDICATOR_STATUS_ACTIVE);

  g_signal_connect (accounts, "items-changed", G_CALLBACK (on_accounts_changed), self);
  watch_accounts (self, 0, g_list_model_get_n_items (accounts));
  g_signal_connect_swapped (history, "items-changed", G_CALLBACK (on_history_changed), self);
  g_signal_connect_swapped (history, "notify::unseen", G_CALLBACK (on_history_changed), self);
  g_signal_connect_swapped (settings, "changed::paused-until", G_CALLBACK (on_history_changed), self);
  rebuild_cb (self);
  return self;
}

GMenuModel *
ewn_tray_get_menu_model (EwnTray *self)
{
  g_return_val_if_fail (EWN_IS_TRAY (self), NULL);

  return G_MENU_MODEL (self->model);
}

const char *
ewn_tray_get_icon_name (EwnTray *self)
{
  g_return_val_if_fail (EWN_IS_TRAY (self), NULL);

  return self->icon_name;
}

gboolean
ewn_tray_get_connected (EwnTray *self)
{
  g_return_val_if_fail (EWN_IS_TRAY (self), FALSE);

  return self->connected;
}
