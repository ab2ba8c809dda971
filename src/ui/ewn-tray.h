/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <gtk/gtk.h>

#include "ewn-history.h"

G_BEGIN_DECLS

#define EWN_TYPE_TRAY (ewn_tray_get_type ())
G_DECLARE_FINAL_TYPE (EwnTray, ewn_tray, EWN, TRAY, GObject)

EwnTray    *ewn_tray_new (GtkApplication *application,
                          GListModel     *accounts,
                          EwnHistory     *history,
                          GSettings      *settings);
GMenuModel *ewn_tray_get_menu_model (EwnTray *self);
const char *ewn_tray_get_icon_name (EwnTray *self);
gboolean    ewn_tray_get_connected (EwnTray *self);

G_END_DECLS
