/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include "ewn-welcome-window.h"

/* What a first launch without any account shows: what the app does and how to give
 * it an account. */

struct _EwnWelcomeWindow
{
  GtkApplicationWindow parent_instance;
};

G_DEFINE_FINAL_TYPE (EwnWelcomeWindow, ewn_welcome_window, GTK_TYPE_APPLICATION_WINDOW)

static void
ewn_welcome_window_class_init (EwnWelcomeWindowClass *klass)
{
  gtk_widget_class_set_template_from_resource (GTK_WIDGET_CLASS (klass), "/io/github/ewsnotifier/EwsNotifier/ewn-welcome-window.ui");
}

static void
close_window (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  gtk_window_close (GTK_WINDOW (user_data));
}

static void
ewn_welcome_window_init (EwnWelcomeWindow *self)
{
  g_autoptr (GSimpleActionGroup) group = g_simple_action_group_new ();
  static const GActionEntry actions[] = {
    { "close", close_window, NULL, NULL, NULL, { 0 } },
  };

  gtk_widget_init_template (GTK_WIDGET (self));
  g_action_map_add_action_entries (G_ACTION_MAP (group), actions, G_N_ELEMENTS (actions), self);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "window", G_ACTION_GROUP (group));
}

GtkWidget *
ewn_welcome_window_new (GtkApplication *application)
{
  return g_object_new (EWN_TYPE_WELCOME_WINDOW, "application", application, NULL);
}
