/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define EWN_TYPE_ACCOUNT_ROW (ewn_account_row_get_type ())
G_DECLARE_FINAL_TYPE (EwnAccountRow, ewn_account_row, EWN, ACCOUNT_ROW, GtkListBoxRow)

GtkWidget  *ewn_account_row_new (const char *account_id,
                                 const char *name,
                                 const char *state);
const char *ewn_account_row_get_account_id (EwnAccountRow *self);
void        ewn_account_row_set_state (EwnAccountRow *self,
                                       const char    *state);

G_END_DECLS
