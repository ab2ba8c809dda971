/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <gio/gio.h>

#include "ewn-account.h"

G_BEGIN_DECLS

/* The accounts a person set up: the app schema's `accounts` key lists their ids, and
 * each id has the relocatable schema <app id>.Account at .../accounts/<id>/. The
 * password is in the keyring (ewn-secret.h), never here. */

GSettings  *ewn_account_config_settings (const char *account_id);
char       *ewn_account_config_new_id (GSettings  *app_settings,
                                       const char *email);
char       *ewn_account_config_state_dir (const char *account_id);
char       *ewn_account_config_dup_user (GSettings *account_settings);
char       *ewn_account_config_dup_server (GSettings *account_settings);
gboolean    ewn_account_config_needs_password (GSettings *account_settings);
EwsClient  *ewn_account_config_new_client (GSettings *account_settings,
                                           GError   **error);
EwnAccount *ewn_account_config_new_account (const char *account_id,
                                            GSettings  *account_settings,
                                            GError    **error);
void        ewn_account_config_add (GSettings  *app_settings,
                                    const char *account_id);
void        ewn_account_config_forget (GSettings  *app_settings,
                                       const char *account_id);
void        ewn_account_config_clear_state (const char *account_id);

G_END_DECLS
