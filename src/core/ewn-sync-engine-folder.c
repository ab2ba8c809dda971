/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ewn-sync"

#include "config.h"

#include "ewn-sync-engine-private.h"

/* A watched folder of the engine, and the counts the engine keeps of its folders:
 * how many of each kind sync, and how many of those may report an item gone. */

EwnSyncFolder *
ewn_sync_folder_new (EwnSyncEngine *engine,
                     const char    *folder_id,
                     const char    *mailbox,
                     EwsFolderKind  kind)
{
  EwnSyncFolder *folder = g_new0 (EwnSyncFolder, 1);

  folder->engine = engine;
  folder->id = g_strdup (folder_id);
  folder->mailbox = g_strdup (mailbox);
  folder->kind = kind <= EWS_FOLDER_KIND_TASKS ? kind : EWS_FOLDER_KIND_OTHER;
  folder->ref = ews_folder_ref_new_id (folder_id, NULL);
  return folder;
}

void
ewn_sync_folder_free (EwnSyncFolder *folder)
{
  g_free (folder->id);
  g_free (folder->mailbox);
  ews_folder_ref_free (folder->ref);
  g_clear_pointer (&folder->seen, g_hash_table_unref);
  g_free (folder);
}

/**
 * ewn_sync_folder_is_removing:
 * @folder: a folder of the engine
 *
 * Returns: whether it syncs for a reason that may have taken an item out of it, and
 *   so may report an item gone: what the engine counts in n_removing
 */
gboolean
ewn_sync_folder_is_removing (const EwnSyncFolder *folder)
{
  return folder->syncing && (folder->may_remove || folder->chain_may_remove);
}

static void
count_removing (EwnSyncFolder *folder,
                gboolean       before)
{
  EwnSyncEngine *engine = folder->engine;
  gboolean       now = ewn_sync_folder_is_removing (folder);

  if (now && !before)
    engine->n_removing[folder->kind]++;
  else if (!now && before)
    engine->n_removing[folder->kind]--;
}

void
ewn_sync_folder_set_syncing (EwnSyncFolder *folder,
                             gboolean       syncing)
{
  gboolean before = ewn_sync_folder_is_removing (folder);

  if (folder->syncing == !!syncing)
    return;
  folder->syncing = !!syncing;
  if (syncing)
    folder->engine->n_syncing[folder->kind]++;
  else
    folder->engine->n_syncing[folder->kind]--;
  count_removing (folder, before);
}

/**
 * ewn_sync_folder_set_removal:
 * @folder: a folder of the engine
 * @asked: whether what asked for its next sync may have taken an item out of it
 * @running: the same of the chain running now
 *
 * A creation elsewhere waits for such a sync, which may bring the other half of a
 * move.
 */
void
ewn_sync_folder_set_removal (EwnSyncFolder *folder,
                             gboolean       asked,
                             gboolean       running)
{
  gboolean before = ewn_sync_folder_is_removing (folder);

  folder->may_remove = asked;
  folder->chain_may_remove = running;
  count_removing (folder, before);
}
