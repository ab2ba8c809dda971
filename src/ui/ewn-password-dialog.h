/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <gtk/gtk.h>

#include "ewn-account-list.h"

G_BEGIN_DECLS

#define EWN_TYPE_PASSWORD_DIALOG (ewn_password_dialog_get_type ())
G_DECLARE_FINAL_TYPE (EwnPasswordDialog, ewn_password_dialog, EWN, PASSWORD_DIALOG, GtkDialog)

GtkWidget  *ewn_password_dialog_new (GtkApplication *application,
                                     EwnAccountList *accounts,
                                     EwnAccount     *account);
const char *ewn_password_dialog_get_account_id (EwnPasswordDialog *self);

G_END_DECLS
