/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <gtk/gtk.h>

#include "ewn-account-list.h"

G_BEGIN_DECLS

#define EWN_TYPE_ACCOUNT_EDITOR (ewn_account_editor_get_type ())
G_DECLARE_FINAL_TYPE (EwnAccountEditor, ewn_account_editor, EWN, ACCOUNT_EDITOR, GtkWindow)

GtkWidget *ewn_account_editor_new (GtkWindow      *parent,
                                   GSettings      *app_settings,
                                   EwnAccountList *accounts,
                                   const char     *account_id);

G_END_DECLS
