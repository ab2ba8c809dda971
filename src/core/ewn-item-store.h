/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <gio/gio.h>

#include "ews-records.h"

G_BEGIN_DECLS

/**
 * EwnItemStore:
 *
 * The last known version of every watched item of one account, with each folder's
 * SyncState and the account's subscription ids; items are kept in a compact form
 * (a few hundred bytes each, strings many items share kept once). On disk: a
 * snapshot file written
 * atomically (temp file, fsync, rename, fsync of the folder) plus an append-only
 * journal. Mutations are buffered in memory; ewn_item_store_commit() appends them as
 * ONE checksummed journal record with a single write(2) — so a sync page's new
 * SyncState and its item changes reach the disk together, or not at all, whatever
 * instant the process dies. The journal is folded into a new snapshot in a worker
 * thread when it grows past a threshold, and at ewn_item_store_close().
 */
#define EWN_TYPE_ITEM_STORE (ewn_item_store_get_type ())
G_DECLARE_FINAL_TYPE (EwnItemStore, ewn_item_store, EWN, ITEM_STORE, GObject)

EwnItemStore *ewn_item_store_new (const char *path);
const char   *ewn_item_store_get_path (EwnItemStore *self);

/* @path is a folder (created with 0700 if missing) holding the snapshot and journal.
 * Loading: nothing on disk is an empty store (TRUE); an unreadable or corrupt snapshot
 * gives FALSE with an error, leaves the store empty and moves the bad files aside
 * (*.corrupt) so the caller can do a quiet full resync. A torn last journal record (a
 * crash during the write) is ignored. Never aborts. */
gboolean      ewn_item_store_load (EwnItemStore *self,
                                   GError      **error);

/* Appends the buffered mutations as one journal record (one write, no fsync on the
 * caller's thread: a worker fdatasyncs the journal within half a second, once for all
 * the commits of that time). Cheap: it is called after every sync page, before the
 * page's changes are announced. */
gboolean      ewn_item_store_commit (EwnItemStore *self,
                                     GError      **error);
/* Writes a full snapshot now (temp, fsync, rename) and empties the journal; for exit. */
gboolean      ewn_item_store_close (EwnItemStore *self,
                                    GError      **error);
void          ewn_item_store_set_compact_threshold (EwnItemStore *self,
                                                    gsize         journal_bytes);
void          ewn_item_store_hold_compaction (EwnItemStore *self,
                                              gboolean      hold);

/* Folders, by their real FolderId. */
void          ewn_item_store_add_folder (EwnItemStore *self,
                                         const char   *folder_id,
                                         const char   *mailbox,
                                         EwsFolderKind kind);
gboolean      ewn_item_store_has_folder (EwnItemStore *self,
                                         const char   *folder_id);
GStrv         ewn_item_store_dup_folder_ids (EwnItemStore *self);
const char   *ewn_item_store_get_folder_mailbox (EwnItemStore *self,
                                                 const char   *folder_id);
EwsFolderKind ewn_item_store_get_folder_kind (EwnItemStore *self,
                                              const char   *folder_id);
const char   *ewn_item_store_get_sync_state (EwnItemStore *self,
                                             const char   *folder_id);
void          ewn_item_store_set_sync_state (EwnItemStore *self,
                                             const char   *folder_id,
                                             const char   *sync_state);
/* A folder is primed once its first full sync completed; until then its changes are
 * stored without being announced. */
gboolean      ewn_item_store_get_primed (EwnItemStore *self,
                                         const char   *folder_id);
void          ewn_item_store_set_primed (EwnItemStore *self,
                                         const char   *folder_id,
                                         gboolean      primed);
/* Forgets the folder's sync state and primed flag but keeps its items, so a full
 * resync (after ErrorInvalidSyncState or a corrupt file) can be compared with them
 * and announces nothing that did not change. */
void          ewn_item_store_reset_folder (EwnItemStore *self,
                                           const char   *folder_id);

/* Items, by ItemId. The store keeps them in a compact form: put encodes a copy,
 * dup_item decodes one. */
gboolean      ewn_item_store_contains (EwnItemStore *self,
                                       const char   *item_id,
                                       const char  **folder_id);
EwsItem      *ewn_item_store_dup_item (EwnItemStore *self,
                                       const char   *item_id,
                                       const char  **folder_id);
void          ewn_item_store_put (EwnItemStore  *self,
                                  const char    *folder_id,
                                  const EwsItem *item);
gboolean      ewn_item_store_remove (EwnItemStore *self,
                                     const char   *item_id);
guint         ewn_item_store_get_n_items (EwnItemStore *self,
                                          const char   *folder_id);
GPtrArray    *ewn_item_store_dup_item_ids (EwnItemStore *self,
                                           const char   *folder_id);

/* Subscription ids that may still be alive on the server (to reuse or unsubscribe). */
GStrv         ewn_item_store_dup_subscription_ids (EwnItemStore *self);
void          ewn_item_store_set_subscription_ids (EwnItemStore      *self,
                                                   const char *const *ids);

G_END_DECLS
