/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <gtk/gtk.h>

#include "ewn-account-list.h"

G_BEGIN_DECLS

#define EWN_TYPE_PREFERENCES_WINDOW (ewn_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (EwnPreferencesWindow, ewn_preferences_window, EWN, PREFERENCES_WINDOW, GtkApplicationWindow)

GtkWidget *ewn_preferences_window_new (GtkApplication *application,
                                       GSettings      *settings,
                                       EwnAccountList *accounts);
void       ewn_preferences_window_show_page (EwnPreferencesWindow *self,
                                             const char           *name);
void       ewn_preferences_window_add_account (EwnPreferencesWindow *self);

G_END_DECLS
