/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <gio/gio.h>

#include "ewn-change.h"

G_BEGIN_DECLS

#define EWN_TYPE_HISTORY_ENTRY (ewn_history_entry_get_type ())
G_DECLARE_FINAL_TYPE (EwnHistoryEntry, ewn_history_entry, EWN, HISTORY_ENTRY, GObject)

guint            ewn_history_entry_get_id (EwnHistoryEntry *self);
const EwnChange *ewn_history_entry_get_change (EwnHistoryEntry *self);
const char      *ewn_history_entry_get_item_id (EwnHistoryEntry *self);
GDateTime       *ewn_history_entry_get_seen (EwnHistoryEntry *self);

#define EWN_TYPE_HISTORY (ewn_history_get_type ())
G_DECLARE_FINAL_TYPE (EwnHistory, ewn_history, EWN, HISTORY, GObject)

EwnHistory      *ewn_history_new (guint max_size);
void             ewn_history_set_max_size (EwnHistory *self,
                                           guint       max_size);
EwnHistoryEntry *ewn_history_add (EwnHistory      *self,
                                  const EwnChange *change);
EwnHistoryEntry *ewn_history_lookup (EwnHistory *self,
                                     guint       id);
GPtrArray       *ewn_history_dup_for_item (EwnHistory *self,
                                           const char *item_id);
guint            ewn_history_get_unseen (EwnHistory *self);
void             ewn_history_mark_seen (EwnHistory *self);
GBytes          *ewn_history_serialize (EwnHistory        *self,
                                        const char *const *accounts);
gboolean         ewn_history_write_file (const char *path,
                                         GBytes     *contents,
                                         GError    **error);
gboolean         ewn_history_save (EwnHistory        *self,
                                   const char        *path,
                                   const char *const *accounts,
                                   GError           **error);
gboolean         ewn_history_load (EwnHistory *self,
                                   const char *path,
                                   GError    **error);

G_END_DECLS
