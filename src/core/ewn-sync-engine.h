/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <gio/gio.h>

#include "ews-client.h"
#include "ews-records.h"
#include "ewn-change.h"
#include "ewn-item-store.h"

G_BEGIN_DECLS

/**
 * EwnSyncEngine:
 *
 * Turns hints (stream, pull or push events, gaps) into SyncFolderItems rounds of the
 * watched folders of one account, compares every delta with the #EwnItemStore and
 * announces what a person would notice as #EwnChange records. Events are hints;
 * SyncFolderItems is the truth.
 */
#define EWN_TYPE_SYNC_ENGINE (ewn_sync_engine_get_type ())
G_DECLARE_FINAL_TYPE (EwnSyncEngine, ewn_sync_engine, EWN, SYNC_ENGINE, GObject)

#define EWN_SYNC_ENGINE_DEFAULT_PAGE_SIZE 512

EwnSyncEngine *ewn_sync_engine_new (EwsClient    *client,
                                    EwnItemStore *store,
                                    const char   *account_id);
void           ewn_sync_engine_set_page_size (EwnSyncEngine *self,
                                              guint          max_changes);
void           ewn_sync_engine_add_folder (EwnSyncEngine *self,
                                           const char    *folder_id,
                                           const char    *mailbox,
                                           EwsFolderKind  kind);
void           ewn_sync_engine_hint (EwnSyncEngine  *self,
                                     const EwsEvent *event);
void           ewn_sync_engine_sync_folder (EwnSyncEngine *self,
                                            const char    *folder_id);
void           ewn_sync_engine_catch_up (EwnSyncEngine *self);
void           ewn_sync_engine_cancel (EwnSyncEngine *self);
gboolean       ewn_sync_engine_get_busy (EwnSyncEngine *self);

G_END_DECLS
