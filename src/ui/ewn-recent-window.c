/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <glib/gi18n.h>

#include "ewn-change-text.h"
#include "ewn-recent-window.h"

/* Every change of this session, newest first (what a burst's summary notification
 * opens); a row opens its item. */

struct _EwnRecentWindow
{
  GtkApplicationWindow parent_instance;
  GtkWidget           *list;
};

G_DEFINE_FINAL_TYPE (EwnRecentWindow, ewn_recent_window, GTK_TYPE_APPLICATION_WINDOW)

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  EwnHistoryEntry *entry = EWN_HISTORY_ENTRY (item);
  const EwnChange *change = ewn_history_entry_get_change (entry);
  g_autoptr (GDateTime) seen = ewn_local_time (ewn_history_entry_get_seen (entry));
  g_autofree char *clock = g_date_time_format (seen, "%H:%M");
  g_autofree char *headline = ewn_change_dup_headline (change);
  g_autofree char *details = ewn_change_dup_details (change, TRUE);
  g_autofree char *text = g_strdup_printf ("%s  %s", clock, headline);
  GtkWidget       *label = gtk_label_new (text);
  GtkWidget       *row = gtk_list_box_row_new ();

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_line_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_set_tooltip_text (label, details);
  g_object_set (label, "margin", 8, NULL);
  gtk_container_add (GTK_CONTAINER (row), label);
  gtk_widget_show_all (row);
  g_object_set_data (G_OBJECT (row), "ewn-entry-id", GUINT_TO_POINTER (ewn_history_entry_get_id (entry)));
  return row;
}

static void
on_row_activated (GtkListBox      *list,
                  GtkListBoxRow   *row,
                  EwnRecentWindow *self)
{
  guint id = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "ewn-entry-id"));

  g_action_group_activate_action (G_ACTION_GROUP (gtk_window_get_application (GTK_WINDOW (self))), "open-item",
                                  g_variant_new_uint32 (id));
}

static void
ewn_recent_window_class_init (EwnRecentWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/ewsnotifier/EwsNotifier/ewn-recent-window.ui");
  gtk_widget_class_bind_template_child (widget_class, EwnRecentWindow, list);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
}

static void
ewn_recent_window_init (EwnRecentWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ewn_recent_window_new (GtkApplication *application,
                       EwnHistory     *history)
{
  EwnRecentWindow *self = g_object_new (EWN_TYPE_RECENT_WINDOW, "application", application, NULL);

  gtk_list_box_bind_model (GTK_LIST_BOX (self->list), G_LIST_MODEL (history), create_row, NULL, NULL);
  return GTK_WIDGET (self);
}
