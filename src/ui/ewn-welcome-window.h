/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define EWN_TYPE_WELCOME_WINDOW (ewn_welcome_window_get_type ())
G_DECLARE_FINAL_TYPE (EwnWelcomeWindow, ewn_welcome_window, EWN, WELCOME_WINDOW, GtkApplicationWindow)

GtkWidget *ewn_welcome_window_new (GtkApplication *application);

G_END_DECLS
