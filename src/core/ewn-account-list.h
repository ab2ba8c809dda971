/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <gio/gio.h>

#include "ewn-account.h"

G_BEGIN_DECLS

#define EWN_TYPE_ACCOUNT_LIST (ewn_account_list_get_type ())
G_DECLARE_FINAL_TYPE (EwnAccountList, ewn_account_list, EWN, ACCOUNT_LIST, GObject)

EwnAccountList *ewn_account_list_new (GSettings *app_settings);
GListModel     *ewn_account_list_get_model (EwnAccountList *self);
EwnAccount     *ewn_account_list_find (EwnAccountList *self,
                                       const char     *account_id);
gboolean        ewn_account_list_is_configured (EwnAccountList *self,
                                                const char     *account_id);
void            ewn_account_list_set_secret_timeout (EwnAccountList *self,
                                                     guint           timeout_ms);
void            ewn_account_list_load (EwnAccountList *self);
gboolean        ewn_account_list_is_keyring_locked (EwnAccountList *self,
                                                    const char     *account_id);
int             ewn_account_list_get_keyring_problem (EwnAccountList *self,
                                                      const char     *account_id);
const char     *ewn_account_list_get_unusable_reason (EwnAccountList *self,
                                                      const char     *account_id);
void            ewn_account_list_retry_keyring (EwnAccountList *self,
                                                const char     *account_id);
void            ewn_account_list_add_temporary (EwnAccountList *self,
                                                EwnAccount     *account,
                                                const char     *user);
void            ewn_account_list_reload (EwnAccountList *self,
                                         const char     *account_id,
                                         gboolean        clear_state);
void            ewn_account_list_use_password (EwnAccountList *self,
                                               const char     *account_id,
                                               const char     *password);
void            ewn_account_list_unlock_keyring (EwnAccountList *self,
                                                 const char     *account_id);
void            ewn_account_list_remove (EwnAccountList *self,
                                         const char     *account_id);

G_END_DECLS
