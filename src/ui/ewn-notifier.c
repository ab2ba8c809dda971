/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ewn-notifier"

#include "config.h"

#include <glib/gi18n.h>
#include <gtk/gtk.h>
#ifdef GDK_WINDOWING_X11
#include <gdk/gdkx.h>
#endif
#ifdef GDK_WINDOWING_WAYLAND
#include <gdk/gdkwayland.h>
#endif

#include "ewn-change-text.h"
#include "ewn-notifier.h"
#include "ewn-notify-thread.h"

/* One desktop notification per change, worded for people; a burst becomes one summary
 * notification updated in place. Clicks activate the application's actions, so a
 * notification does exactly what the menu entry for the same change does. Pause,
 * quiet hours and the kinds turned off suppress banners only: the history is kept
 * by the caller whatever happens here. What goes to the notification server goes
 * through a thread of its own (ewn-notify-thread.c): a server that does not answer
 * never holds up the main loop. */

#define BURST_THRESHOLD    3   /* changes within the window shown one by one */
#define SUMMARY_REFRESH_MS 700 /* a summary in a burst is redrawn at most this often */

struct _EwnNotifier
{
  GObject          parent_instance;
  GApplication    *application; /* unowned: it owns us */
  GSettings       *settings;
  EwnNotifyThread *thread;
  GQueue           recent;        /* (element-type Recent) the last minute's changes */
  gboolean         summary_shown; /* the current burst has its summary */
  guint            burst_count;
  guint            burst_calendar;
  guint            burst_tasks;
  char            *burst_mailbox; /* the one mailbox of the burst, or "" when several */
  guint            refresh_id;
  GQueue           shown; /* (element-type EwnHistoryEntry) the changes of the latest single
                           * notifications, newest last: a click still opens one whose change
                           * the history has let go */
};

/* A change of the last minute, for telling bursts. */
typedef struct
{
  gint64      time;    /* monotonic */
  const char *mailbox; /* interned; "" when unknown */
} Recent;

G_DEFINE_FINAL_TYPE (EwnNotifier, ewn_notifier, G_TYPE_OBJECT)

/* The window a click opens gets the focus the notification server hands over with
 * the click, as GtkApplication does for an activation over D-Bus: without it, a
 * desktop that prevents focus stealing (GNOME on Wayland, xfwm4) would only say that
 * the window is ready, or leave it behind. */
static void
use_activation_token (const char *token)
{
  GdkDisplay *display = gdk_display_get_default ();

  if (token == NULL || display == NULL)
    return;
#ifdef GDK_WINDOWING_X11
  if (GDK_IS_X11_DISPLAY (display))
    gdk_x11_display_set_startup_notification_id (display, token);
#endif
#ifdef GDK_WINDOWING_WAYLAND
  if (GDK_IS_WAYLAND_DISPLAY (display))
    gdk_wayland_display_set_startup_notification_id (display, token);
#endif
}

/* A click, on the main context. */
static void
on_action (GObject    *owner,
           guint       id,
           const char *action,
           const char *activation_token)
{
  EwnNotifier *self = EWN_NOTIFIER (owner);

  g_debug ("action %s on notification of change %u%s", action, id, activation_token != NULL ? ", with an activation token" : "");
  use_activation_token (activation_token);
  /* A burst's summary (id 0) stands for many changes: its click opens the list of them. */
  if (id == 0 && (g_str_equal (action, "default") || g_str_equal (action, "show-recent")))
    g_action_group_activate_action (G_ACTION_GROUP (self->application), "show-recent", NULL);
  else if (g_str_equal (action, "default"))
    g_action_group_activate_action (G_ACTION_GROUP (self->application), "open-item", g_variant_new_uint32 (id));
  else if (g_str_equal (action, "open-in-browser"))
    g_action_group_activate_action (G_ACTION_GROUP (self->application), "open-in-browser", g_variant_new_uint32 (id));
  /* "dismiss": the server closes it. */
  if (activation_token != NULL && gdk_display_get_default () != NULL)
    gdk_notify_startup_complete ();
}

static void
ewn_notifier_dispose (GObject *object)
{
  EwnNotifier *self = EWN_NOTIFIER (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_clear_pointer (&self->thread, ewn_notify_thread_stop);
  g_clear_object (&self->settings);
  g_queue_clear_full (&self->recent, g_free);
  g_queue_clear_full (&self->shown, g_object_unref);

  G_OBJECT_CLASS (ewn_notifier_parent_class)->dispose (object);
}

static void
ewn_notifier_finalize (GObject *object)
{
  EwnNotifier *self = EWN_NOTIFIER (object);

  g_free (self->burst_mailbox);

  G_OBJECT_CLASS (ewn_notifier_parent_class)->finalize (object);
}

static void
ewn_notifier_class_init (EwnNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ewn_notifier_dispose;
  object_class->finalize = ewn_notifier_finalize;
}

static void
ewn_notifier_init (EwnNotifier *self)
{
  g_queue_init (&self->recent);
  g_queue_init (&self->shown);
}

/* The app's icon as a file the notification server can read even when it does not
 * share our icon theme (the demo, an uninstalled build); a stock one otherwise. */
static char *
find_icon (void)
{
  GtkIconTheme *theme = gtk_icon_theme_get_default ();
  g_autoptr (GtkIconInfo) info = theme != NULL ? gtk_icon_theme_lookup_icon (theme, APPLICATION_ID, 48, 0) : NULL;
  const char *file = info != NULL ? gtk_icon_info_get_filename (info) : NULL;

  if (file == NULL)
    return g_strdup ("x-office-calendar");
  return g_filename_to_uri (file, NULL, NULL);
}

/**
 * ewn_notifier_new:
 * @application: the application whose actions notifications activate
 * @settings: the application's settings
 *
 * Returns: (transfer full): a notifier
 */
EwnNotifier *
ewn_notifier_new (GApplication *application,
                  GSettings    *settings)
{
  EwnNotifier     *self;
  g_autofree char *icon = NULL;

  g_return_val_if_fail (G_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (EWN_TYPE_NOTIFIER, NULL);
  self->application = application;
  self->settings = g_object_ref (settings);
  icon = find_icon ();
  self->thread = ewn_notify_thread_new (_("EWS Notifier"), icon, G_OBJECT (self), on_action);
  return self;
}

static int
minutes_of (const char *text)
{
  int hours, minutes;

  if (text == NULL || sscanf (text, "%d:%d", &hours, &minutes) != 2 || hours < 0 || hours > 23 || minutes < 0 || minutes > 59)
    return -1;
  return hours * 60 + minutes;
}

static gboolean
in_quiet_hours (EwnNotifier *self,
                GDateTime   *now)
{
  g_autofree char *start_text = NULL;
  g_autofree char *end_text = NULL;
  g_autoptr (GDateTime) local = NULL;
  int start, end, minute;

  if (!g_settings_get_boolean (self->settings, "quiet-hours-enabled"))
    return FALSE;
  start_text = g_settings_get_string (self->settings, "quiet-hours-start");
  end_text = g_settings_get_string (self->settings, "quiet-hours-end");
  start = minutes_of (start_text);
  end = minutes_of (end_text);
  if (start < 0 || end < 0 || start == end)
    return FALSE; /* a bad value quiets nothing rather than everything */

  local = ewn_local_time (now);
  minute = g_date_time_get_hour (local) * 60 + g_date_time_get_minute (local);
  return start < end ? (minute >= start && minute < end) : (minute >= start || minute < end);
}

/**
 * ewn_notifier_get_suppressed:
 * @now: the current time
 *
 * Returns: whether banners are off now (notifications disabled, paused, quiet hours)
 */
gboolean
ewn_notifier_get_suppressed (EwnNotifier *self,
                             GDateTime   *now)
{
  g_return_val_if_fail (EWN_IS_NOTIFIER (self), TRUE);

  return !g_settings_get_boolean (self->settings, "notifications-enabled") || g_date_time_to_unix (now) < g_settings_get_int64 (self->settings, "paused-until") || in_quiet_hours (self, now);
}

static gboolean
wanted (EwnNotifier     *self,
        const EwnChange *change)
{
  const EwsItem *item = ewn_change_get_item (change);
  const char    *key = NULL;

  if (item->kind == EWS_ITEM_KIND_TASK)
    return g_settings_get_boolean (self->settings, "notify-tasks");
  if (!g_settings_get_boolean (self->settings, "notify-calendar"))
    return FALSE;

  switch (change->kind)
    {
    case EWN_CHANGE_CREATED:
      key = "notify-created";
      break;
    case EWN_CHANGE_RESCHEDULED:
      key = "notify-rescheduled";
      break;
    case EWN_CHANGE_RELOCATED:
      key = "notify-relocated";
      break;
    case EWN_CHANGE_CANCELLED:
      key = "notify-cancelled";
      break;
    case EWN_CHANGE_DELETED:
      key = "notify-deleted";
      break;
    case EWN_CHANGE_UPDATED:
    default:
      key = "notify-updated";
      break;
    }
  return g_settings_get_boolean (self->settings, key);
}

static void
refresh_summary (EwnNotifier *self)
{
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;

  if (self->burst_tasks == 0)
    title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u calendar change", "%u calendar changes", self->burst_count), self->burst_count);
  else if (self->burst_calendar == 0)
    title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u task change", "%u task changes", self->burst_count), self->burst_count);
  else
    title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u change", "%u changes", self->burst_count), self->burst_count);
  if (self->burst_mailbox != NULL && *self->burst_mailbox != '\0')
    {
      g_autofree char *with_mailbox = g_strdup_printf (_("%s in %s"), title, self->burst_mailbox);

      g_free (title);
      title = g_steal_pointer (&with_mailbox);
    }
  body = g_strdup (_("Open the list of recent changes to see them all."));
  ewn_notify_thread_show_summary (self->thread, title, body);
  self->summary_shown = TRUE;
}

static gboolean
refresh_cb (gpointer user_data)
{
  EwnNotifier *self = user_data;

  self->refresh_id = 0;
  refresh_summary (self);
  return G_SOURCE_REMOVE;
}

/* Counts @change into the current burst; returns whether it is one (more than a few
 * changes within the coalescing window, or more than the per-minute allowance). */
static gboolean
in_burst (EwnNotifier     *self,
          const EwnChange *change)
{
  gint64      now = g_get_monotonic_time ();
  gint64      window = (gint64)g_settings_get_uint (self->settings, "coalesce-seconds") * G_USEC_PER_SEC; /* 0: no grouping */
  guint       per_minute = g_settings_get_uint (self->settings, "max-notifications-per-minute");
  guint       in_window = 0;
  const char *mailbox = g_intern_string (change->mailbox != NULL ? change->mailbox : "");
  const char *window_mailbox = mailbox; /* the one mailbox of the window's changes, or NULL */
  Recent     *recent;

  while (!g_queue_is_empty (&self->recent) && now - ((Recent *)g_queue_peek_head (&self->recent))->time > 60 * G_USEC_PER_SEC)
    g_free (g_queue_pop_head (&self->recent));
  for (GList *l = self->recent.head; window > 0 && l != NULL; l = l->next)
    {
      Recent *earlier = l->data;

      if (now - earlier->time > window)
        continue;
      in_window++;
      if (earlier->mailbox != mailbox)
        window_mailbox = NULL;
    }
  recent = g_new (Recent, 1);
  recent->time = now;
  recent->mailbox = mailbox;
  g_queue_push_tail (&self->recent, recent);

  if (in_window < BURST_THRESHOLD && (per_minute == 0 || self->recent.length <= per_minute))
    {
      /* A quiet moment ends the burst: the next one gets a fresh summary. */
      if (in_window == 0)
        {
          self->burst_count = self->burst_calendar = self->burst_tasks = 0;
          g_clear_pointer (&self->burst_mailbox, g_free);
          if (self->summary_shown)
            ewn_notify_thread_end_summary (self->thread);
          self->summary_shown = FALSE;
        }
      return FALSE;
    }

  /* The summary counts the whole burst, the few shown one by one included, and names
   * its mailbox only when they all are in the same one. */
  if (self->burst_count > 0)
    in_window = 0;
  self->burst_count += 1 + in_window;
  if (ewn_change_get_item (change)->kind == EWS_ITEM_KIND_TASK)
    self->burst_tasks += 1 + in_window;
  else
    self->burst_calendar += 1 + in_window;
  if (self->burst_mailbox == NULL)
    self->burst_mailbox = g_strdup (window_mailbox != NULL ? window_mailbox : "");
  else if (g_strcmp0 (self->burst_mailbox, mailbox) != 0)
    {
      g_free (self->burst_mailbox);
      self->burst_mailbox = g_strdup ("");
    }
  return TRUE;
}

/**
 * ewn_notifier_show:
 * @entry: the change, as recorded in the history
 * @name_mailbox: whether to say which mailbox (several are watched)
 * @has_web_link: whether "Open in Browser" can work for it
 *
 * Shows the change, unless banners are suppressed or its kind is turned off.
 */
void
ewn_notifier_show (EwnNotifier     *self,
                   EwnHistoryEntry *entry,
                   gboolean         name_mailbox,
                   gboolean         has_web_link)
{
  const EwnChange *change;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *headline = NULL;
  g_autofree char *details = NULL;
  gboolean         task;
  EwnNotifyRequest request = { 0 };

  g_return_if_fail (EWN_IS_NOTIFIER (self));
  g_return_if_fail (EWN_IS_HISTORY_ENTRY (entry));

  change = ewn_history_entry_get_change (entry);
  if (ewn_notifier_get_suppressed (self, now) || !wanted (self, change))
    return;

  if (in_burst (self, change))
    {
      /* The first of a burst at once, later counts at a calm pace. */
      if (!self->summary_shown)
        refresh_summary (self);
      else if (self->refresh_id == 0)
        self->refresh_id = g_timeout_add (SUMMARY_REFRESH_MS, refresh_cb, self);
      return;
    }

  task = ewn_change_get_item (change)->kind == EWS_ITEM_KIND_TASK;
  headline = ewn_change_dup_headline (change);
  details = ewn_change_dup_details (change, name_mailbox);
  request.headline = headline;
  request.details = details;
  request.category = task ? "x-ews-notifier.task" : "x-ews-notifier.calendar";
  request.urgent = ewn_change_is_urgent (change, now);
  request.transient = ewn_change_is_minor (change);
  request.web_link = has_web_link;
  request.entry_id = ewn_history_entry_get_id (entry);
  if (!ewn_notify_thread_show (self->thread, &request))
    return;
  /* As many as the thread keeps clickable, in the same order. */
  g_queue_push_tail (&self->shown, g_object_ref (entry));
  if (self->shown.length > EWN_NOTIFY_THREAD_MAX_KEPT)
    g_object_unref (g_queue_pop_head (&self->shown));
}

/**
 * ewn_notifier_lookup_entry:
 * @id: a history entry's id
 *
 * Finds the change of a notification still kept for its clicks, for when the
 * history no longer lists it.
 *
 * Returns: (transfer none) (nullable): the entry
 */
EwnHistoryEntry *
ewn_notifier_lookup_entry (EwnNotifier *self,
                           guint        id)
{
  g_return_val_if_fail (EWN_IS_NOTIFIER (self), NULL);

  for (GList *l = self->shown.tail; l != NULL; l = l->prev)
    if (ewn_history_entry_get_id (l->data) == id)
      return l->data;
  return NULL;
}

/* Closes every notification still on screen (on quit). */
void
ewn_notifier_close_all (EwnNotifier *self)
{
  g_return_if_fail (EWN_IS_NOTIFIER (self));

  ewn_notify_thread_close_all (self->thread);
  self->summary_shown = FALSE;
}
