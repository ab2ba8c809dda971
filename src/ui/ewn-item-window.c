/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ewn-item-window"

#include "config.h"

#include <glib/gi18n.h>

#include "ewn-change-text.h"
#include "ewn-item-window.h"
#include "ewn-web-link.h"

/* One item as it is now: what was last seen at once, then the details GetItem gives
 * (attendees, body, the Outlook on the web link), with a clear word when the server
 * cannot be reached; below, every change to it this app has seen. */

struct _EwnItemWindow
{
  GtkApplicationWindow parent_instance;

  EwnHistoryEntry     *entry;
  EwnHistory          *history;
  EwsClient           *client;
  GCancellable        *cancellable;
  char                *web_link;

  GtkWidget           *browser_button;
  GtkWidget           *kind_label;
  GtkWidget           *subject_label;
  GtkWidget           *status_label;
  GtkWidget           *preview_label;
  GtkWidget           *history_label;
#define ROW(name) GtkWidget *name##_caption, *name##_value;
  ROW (when)
  ROW (where)
  ROW (organizer)
  ROW (attendees)
  ROW (due)
  ROW (state)
  ROW (progress)
  ROW (mailbox)
#undef ROW
};

G_DEFINE_FINAL_TYPE (EwnItemWindow, ewn_item_window, GTK_TYPE_APPLICATION_WINDOW)

static void
set_row (GtkWidget  *caption,
         GtkWidget  *value,
         const char *text)
{
  gboolean shown = text != NULL && *text != '\0';

  gtk_label_set_text (GTK_LABEL (value), shown ? text : "");
  gtk_widget_set_visible (caption, shown);
  gtk_widget_set_visible (value, shown);
}

static char *
format_when (const EwsItem *item)
{
  g_autoptr (GDateTime) start = NULL;
  g_autoptr (GDateTime) end = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;

  start = ewn_local_time_at (item->start);
  if (start == NULL)
    return NULL;
  if (item->is_all_day)
    /* Translators: an all-day event, see g_date_time_format() */
    return g_date_time_format (start, _("%A %e %B %Y, all day"));
  /* Translators: a meeting's start with the time zone, see g_date_time_format() */
  from = g_date_time_format (start, _("%A %e %B %Y, %H:%M"));
  end = ewn_local_time_at (item->end);
  if (end == NULL)
    return g_steal_pointer (&from);
  to = g_date_time_format (end, "%H:%M %Z");
  return g_strdup_printf ("%s – %s", from, to);
}

static char *
format_day (gint64 time)
{
  g_autoptr (GDateTime) local = ewn_local_time_at (time);

  if (local == NULL)
    return NULL;
  /* Translators: a task's due date, see g_date_time_format() */
  return g_date_time_format (local, _("%A %e %B %Y"));
}

static const char *
response_in_words (const char *response)
{
  if (g_strcmp0 (response, "Accept") == 0)
    return _("accepted");
  if (g_strcmp0 (response, "Decline") == 0)
    return _("declined");
  if (g_strcmp0 (response, "Tentative") == 0)
    return _("tentative");
  if (g_strcmp0 (response, "Organizer") == 0)
    return _("organizer");
  return _("no answer yet");
}

static char *
format_attendees (const EwsItem *item)
{
  g_autoptr (GString) text = g_string_new (NULL);

  for (guint i = 0; item->attendees != NULL && i < item->attendees->len; i++)
    {
      EwsAttendee *attendee = g_ptr_array_index (item->attendees, i);

      if (text->len > 0)
        g_string_append_c (text, '\n');
      /* Translators: an attendee and their answer: "Ana Lopez (accepted)" */
      g_string_append_printf (text, _("%s (%s)"), attendee->name != NULL ? attendee->name : attendee->email,
                                       response_in_words (attendee->response));
    }
  return g_string_free (g_steal_pointer (&text), text->len == 0);
}

static const char *
kind_in_words (const EwsItem *item,
               gboolean       gone)
{
  if (item->kind == EWS_ITEM_KIND_TASK)
    return gone ? _("Task — deleted") : _("Task");
  if (item->is_cancelled)
    return _("Meeting — cancelled");
  return gone ? _("Meeting — removed") : _("Meeting");
}

static void
show_item (EwnItemWindow *self,
           const EwsItem *item,
           gboolean       gone)
{
  const EwnChange *change = ewn_history_entry_get_change (self->entry);
  const char      *subject = item->subject != NULL && *item->subject != '\0' ? item->subject : _("(no subject)");
  g_autofree char *when = format_when (item);
  g_autofree char *organizer = NULL;
  g_autofree char *attendees = format_attendees (item);
  g_autofree char *due = format_day (item->due_date);
  g_autofree char *progress = NULL;
  const char      *state = NULL;

  gtk_window_set_title (GTK_WINDOW (self), subject);
  gtk_label_set_text (GTK_LABEL (self->kind_label), kind_in_words (item, gone));
  gtk_label_set_text (GTK_LABEL (self->subject_label), subject);

  if (item->organizer_name != NULL || item->organizer_email != NULL)
    organizer = g_strdup (item->organizer_name != NULL ? item->organizer_name : item->organizer_email);
  if (item->kind == EWS_ITEM_KIND_TASK)
    {
           state = item->is_complete ? _("Completed") : ews_task_status_to_string (item->status);
           if (item->percent_complete >= 0)
        progress = g_strdup_printf (_("%d %% done"), item->percent_complete);
    }

       set_row (self->when_caption, self->when_value, when);
  set_row (self->where_caption, self->where_value, item->location);
  set_row (self->organizer_caption, self->organizer_value, organizer);
  set_row (self->attendees_caption, self->attendees_value, attendees);
  set_row (self->due_caption, self->due_value, due);
  set_row (self->state_caption, self->state_value, state);
  set_row (self->progress_caption, self->progress_value, progress);
  set_row (self->mailbox_caption, self->mailbox_value, change->mailbox);

  if (item->body_preview != NULL && *item->body_preview != '\0')
    {
           g_autofree char *preview = g_utf8_substring (item->body_preview, 0, MIN (g_utf8_strlen (item->body_preview, -1), 400));

           gtk_label_set_text (GTK_LABEL (self->preview_label), preview);
           gtk_widget_show (self->preview_label);
    }
}

static void
show_history (EwnItemWindow *self)
{
  g_autoptr (GPtrArray) entries = ewn_history_dup_for_item (self->history, ewn_history_entry_get_item_id (self->entry));
  g_autoptr (GString) text = g_string_new (NULL);

  for (guint i = 0; i < entries->len; i++)
    {
      EwnHistoryEntry *entry = g_ptr_array_index (entries, i);
      g_autoptr (GDateTime) seen = ewn_local_time (ewn_history_entry_get_seen (entry));
      g_autofree char *clock = g_date_time_format (seen, "%H:%M");
      g_autofree char *headline = ewn_change_dup_headline (ewn_history_entry_get_change (entry));

      if (text->len > 0)
        g_string_append_c (text, '\n');
      /* Translators: a line of an item's history: "Design review moved … at 09:12" */
      g_string_append_printf (text, _("%s at %s"), headline, clock);
    }
  gtk_label_set_text (GTK_LABEL (self->history_label), text->len > 0 ? text->str : _("Nothing else seen this session."));
}

static void
on_details (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  EwnItemWindow *self;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = ews_client_get_items_finish (EWS_CLIENT (source), result, &error);
  const EwsItem *item;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = EWN_ITEM_WINDOW (user_data);

  if (items == NULL || items->len == 0)
    {
      /* Translators: shown under an item when its details could not be fetched */
      g_autofree char *text = g_strdup_printf (_("Showing what was last seen: the server could not be reached (%s)."),
                                                  error != NULL ? error->message : _("no answer"));

      gtk_label_set_text (GTK_LABEL (self->status_label), text);
      return;
    }

  item = g_ptr_array_index (items, 0);
  if (item->error != NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->status_label), _("This item no longer exists on the server."));
      return;
    }

  show_item (self, item, FALSE);
  gtk_label_set_text (GTK_LABEL (self->status_label), "");
  gtk_widget_hide (self->status_label);
  g_free (self->web_link);
  self->web_link = ewn_web_link_for_item (ews_client_get_url (self->client), item->web_client_read_form_query_string);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), "open-in-browser")),
                               self->web_link != NULL);
}

/* Asks the server for the details again (on opening, and when shown again). */
void
ewn_item_window_reload (EwnItemWindow *self)
{
  const EwnChange *change;
  const char      *ids[2] = { NULL, NULL };

  g_return_if_fail (EWN_IS_ITEM_WINDOW (self));

  show_history (self);
  change = ewn_history_entry_get_change (self->entry);
  if (change->after == NULL || self->client == NULL)
    return; /* deleted: nothing to ask */

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  ids[0] = change->after->id;
  gtk_widget_show (self->status_label);
  gtk_label_set_text (GTK_LABEL (self->status_label), _("Fetching the latest details…"));
  ews_client_get_items_async (self->client, ids, self->cancellable, on_details, self);
}

static void
open_in_browser (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  EwnItemWindow *self = EWN_ITEM_WINDOW (user_data);
  g_autoptr (GError) error = NULL;

  if (self->web_link == NULL)
    return;
  if (!gtk_show_uri_on_window (GTK_WINDOW (self), self->web_link, GDK_CURRENT_TIME, &error))
    g_message ("Could not open the browser: %s", error->message);
}

static void
ewn_item_window_dispose (GObject *object)
{
  EwnItemWindow *self = EWN_ITEM_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->entry);
  g_clear_object (&self->history);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (ewn_item_window_parent_class)->dispose (object);
}

static void
ewn_item_window_finalize (GObject *object)
{
  EwnItemWindow *self = EWN_ITEM_WINDOW (object);

  g_free (self->web_link);

  G_OBJECT_CLASS (ewn_item_window_parent_class)->finalize (object);
}

static void
ewn_item_window_class_init (EwnItemWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ewn_item_window_dispose;
  object_class->finalize = ewn_item_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/ewsnotifier/EwsNotifier/ewn-item-window.ui");
  gtk_widget_class_bind_template_child (widget_class, EwnItemWindow, browser_button);
  gtk_widget_class_bind_template_child (widget_class, EwnItemWindow, kind_label);
  gtk_widget_class_bind_template_child (widget_class, EwnItemWindow, subject_label);
  gtk_widget_class_bind_template_child (widget_class, EwnItemWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, EwnItemWindow, preview_label);
  gtk_widget_class_bind_template_child (widget_class, EwnItemWindow, history_label);
#define ROW(name)                                                                     \
  gtk_widget_class_bind_template_child (widget_class, EwnItemWindow, name##_caption); \
  gtk_widget_class_bind_template_child (widget_class, EwnItemWindow, name##_value);
  ROW (when)
  ROW (where)
  ROW (organizer)
  ROW (attendees)
  ROW (due)
  ROW (state)
  ROW (progress)
  ROW (mailbox)
#undef ROW
}

static void
ewn_item_window_init (EwnItemWindow *self)
{
  static const GActionEntry actions[] = {
    { "open-in-browser", open_in_browser, NULL, NULL, NULL, { 0 } },
  };

  gtk_widget_init_template (GTK_WIDGET (self));
  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), "open-in-browser")), FALSE);
}

/**
 * ewn_item_window_new:
 * @entry: the change that led here
 * @history: the history, for the item's earlier changes
 * @client: (nullable): the account's client, for the details
 *
 * Returns: (transfer full): a window showing the item
 */
EwnItemWindow *
ewn_item_window_new (GtkApplication  *application,
                     EwnHistoryEntry *entry,
                     EwnHistory      *history,
                     EwsClient       *client)
{
  EwnItemWindow   *self;
  const EwnChange *change;

  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (EWN_IS_HISTORY_ENTRY (entry), NULL);

  self = g_object_new (EWN_TYPE_ITEM_WINDOW, "application", application, NULL);
  self->entry = g_object_ref (entry);
  self->history = g_object_ref (history);
  self->client = client != NULL ? g_object_ref (client) : NULL;

  change = ewn_history_entry_get_change (entry);
  show_item (self, ewn_change_get_item (change), change->after == NULL);
  ewn_item_window_reload (self);
  return self;
}

guint
ewn_item_window_get_entry_id (EwnItemWindow *self)
{
  g_return_val_if_fail (EWN_IS_ITEM_WINDOW (self), 0);

  return ewn_history_entry_get_id (self->entry);
}
