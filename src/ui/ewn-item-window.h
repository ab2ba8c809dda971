/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <gtk/gtk.h>

#include "ews-client.h"
#include "ewn-history.h"

G_BEGIN_DECLS

#define EWN_TYPE_ITEM_WINDOW (ewn_item_window_get_type ())
G_DECLARE_FINAL_TYPE (EwnItemWindow, ewn_item_window, EWN, ITEM_WINDOW, GtkApplicationWindow)

EwnItemWindow *ewn_item_window_new (GtkApplication  *application,
                                    EwnHistoryEntry *entry,
                                    EwnHistory      *history,
                                    EwsClient       *client);
guint          ewn_item_window_get_entry_id (EwnItemWindow *self);
void           ewn_item_window_reload (EwnItemWindow *self);

G_END_DECLS
