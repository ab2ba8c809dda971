/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <gtk/gtk.h>

#include "ewn-history.h"

G_BEGIN_DECLS

#define EWN_TYPE_RECENT_WINDOW (ewn_recent_window_get_type ())
G_DECLARE_FINAL_TYPE (EwnRecentWindow, ewn_recent_window, EWN, RECENT_WINDOW, GtkApplicationWindow)

GtkWidget *ewn_recent_window_new (GtkApplication *application,
                                  EwnHistory     *history);

G_END_DECLS
