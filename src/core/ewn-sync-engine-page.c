/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ewn-sync"

#include "config.h"

#include <string.h>

#include "ewn-item-store-private.h"
#include "ewn-sync-engine-private.h"
#include "ews-string-private.h"

/* A page of SyncFolderItems is applied to the store delta by delta, then committed;
 * then its changes are announced, a delete in one folder and a create in another
 * paired into one move. */

/* The change's origin is set when it is announced: a half held back would be set
 * twice. */
static void
page_add (EwnSyncPage *page,
          EwnChange   *change)
{
  if (change != NULL)
    g_ptr_array_add (page->changes, change);
}

static void
set_origin (EwnChange     *change,
            EwnSyncFolder *folder)
{
  ewn_change_set_origin (change, folder->engine->account_id, folder->mailbox, folder->id, folder->kind);
}

/* The folder's own id when the store's folder is one of ours: a string that lives as
 * long as the page. */
static const char *
stable_folder_id (EwnSyncPage *page,
                  const char  *folder_id)
{
  EwnSyncFolder *folder = ewn_sync_engine_find_folder (page->folder->engine, folder_id);

  return folder != NULL ? folder->id : page->folder->id;
}

/* Where the store keeps an item moved by a hinted MoveItem, found under its old id. */
static const char *
lookup_moved_from (EwnSyncEngine *self,
                   const char    *new_id,
                   const char   **old_id)
{
  const char *folder_id = NULL;

  *old_id = g_hash_table_lookup (self->moves_back, new_id);
  if (*old_id == NULL || !ewn_item_store_contains (self->store, *old_id, &folder_id))
    return NULL;
  return folder_id;
}

static void
apply_item (EwnSyncPage   *page,
            EwsSyncChange *delta)
{
  EwnSyncFolder *folder = page->folder;
  EwnSyncEngine *self = folder->engine;
  const char    *known_folder = NULL;
  const char    *known_id = delta->item_id;
  gboolean       announce_it = folder->mode != EWN_SYNC_MODE_FILL;
  g_autoptr (EwsItem) known = NULL;
  g_autoptr (EwsItem) item = g_steal_pointer (&delta->item);

  if (item == NULL)
    return;
  if (folder->seen != NULL)
    g_hash_table_add (folder->seen, g_strdup (delta->item_id));
  if (!ewn_item_store_contains (self->store, delta->item_id, &known_folder))
    known_folder = lookup_moved_from (self, delta->item_id, &known_id);

  /* The last version is decoded only when a change may be announced. A replayed
   * create is compared like an update: never announced twice. */
  if (known_folder != NULL && announce_it)
    known = ewn_item_store_dup_item (self->store, known_id, NULL);
  if (known_folder != NULL)
    {
      const char *from = stable_folder_id (page, known_folder);

      if (known_id != delta->item_id || g_strcmp0 (from, folder->id) != 0)
        ewn_item_store_remove (self->store, known_id);
    }

  ewn_item_store_put (self->store, folder->id, item);
  if (announce_it)
    page_add (page, ewn_change_compute_take (g_steal_pointer (&known), g_steal_pointer (&item)));
}

static void
delete_item (EwnSyncPage *page,
             const char  *item_id)
{
  EwnSyncFolder   *folder = page->folder;
  EwnSyncEngine   *self = folder->engine;
  const char      *known_folder = NULL;
  EwnSyncMoveHint *hint = g_hash_table_lookup (self->moves, item_id);

  /* Known in another folder: it moved there keeping its id, and that folder's sync
   * already took it over. */
  if (!ewn_item_store_contains (self->store, item_id, &known_folder) || g_strcmp0 (known_folder, folder->id) != 0)
    return;

  if (hint != NULL)
    {
      /* The destination's sync will compare its create with this snapshot. */
      g_autoptr (EwsItem) moved = ewn_item_store_dup_item (self->store, item_id, NULL);

      g_free (moved->id);
      moved->id = g_strdup (hint->new_id);
      g_free (moved->parent_folder_id);
      moved->parent_folder_id = g_strdup (hint->to->id);
      ewn_item_store_remove (self->store, item_id);
      ewn_item_store_put (self->store, hint->to->id, moved);
      return;
    }

  if (folder->mode != EWN_SYNC_MODE_FILL)
    page_add (page, ewn_change_compute_take (ewn_item_store_dup_item (self->store, item_id, NULL), NULL));
  ewn_item_store_remove (self->store, item_id);
}

/* End of a resync: what the store kept and the server no longer listed is gone. */
static void
delete_unseen (EwnSyncPage *page)
{
  EwnSyncFolder *folder = page->folder;
  EwnSyncEngine *self = folder->engine;
  g_autoptr (GPtrArray) ids = ewn_item_store_dup_item_ids (self->store, folder->id);

  for (guint i = 0; ids != NULL && i < ids->len; i++)
    if (!g_hash_table_contains (folder->seen, g_ptr_array_index (ids, i)))
      delete_item (page, g_ptr_array_index (ids, i));
}

void
ewn_sync_page_init (EwnSyncPage   *page,
                    EwnSyncFolder *folder)
{
  page->folder = folder;
  page->changes = g_ptr_array_new_with_free_func ((GDestroyNotify)ewn_change_free);
}

void
ewn_sync_page_clear (EwnSyncPage *page)
{
  g_clear_pointer (&page->changes, g_ptr_array_unref);
}

/* Applies the deltas of @sync to the store, without committing. */
void
ewn_sync_page_apply (EwnSyncPage   *page,
                     EwsSyncResult *sync)
{
  for (guint i = 0; i < sync->changes->len; i++)
    {
      EwsSyncChange *delta = g_ptr_array_index (sync->changes, i);

      if (delta->type == EWS_SYNC_CHANGE_CREATE || delta->type == EWS_SYNC_CHANGE_UPDATE)
        apply_item (page, delta);
      else if (delta->type == EWS_SYNC_CHANGE_DELETE)
        delete_item (page, delta->item_id);
    }
  if (sync->includes_last_item_in_range && page->folder->mode == EWN_SYNC_MODE_RESYNC)
    delete_unseen (page);
}

static gboolean
other_folder_syncing (EwnSyncEngine *self,
                      EwnSyncFolder *folder)
{
  return self->n_syncing[folder->kind] > (folder->syncing ? 1u : 0u);
}

/* Another folder of the kind is syncing for a reason that may have taken an item out
 * of it: only such a sync can bring the other half of a creation. */
static gboolean
other_folder_removing (EwnSyncEngine *self,
                       EwnSyncFolder *folder)
{
  return self->n_removing[folder->kind] > (ewn_sync_folder_is_removing (folder) ? 1u : 0u);
}

static gboolean
is_created (EwnChangeKind kind)
{
  return kind == EWN_CHANGE_CREATED || kind == EWN_CHANGE_TASK_CREATED;
}

static gboolean
is_deleted (EwnChangeKind kind)
{
  return kind == EWN_CHANGE_DELETED || kind == EWN_CHANGE_TASK_DELETED;
}

/* Without a MovedEvent, a move is a delete in one folder and a create in another of
 * the same meeting (subject, start, end) or task (subject, due date). The key says
 * which half it is (+ created, - deleted) and what it is; its partner's key differs
 * only in the first character (KEY_HALF). */
#define KEY_HALF 0

/* A time of the key, as 16 hex digits and a separator: no printf, once per change. */
static void
append_key_time (GString *key,
                 gint64   time)
{
  static const char hex[] = "0123456789abcdef";
  guint64           value = (guint64)time;
  char              digits[17];

  for (int i = 15; i >= 0; i--, value >>= 4)
    digits[i] = hex[value & 0xf];
  digits[16] = '\x1f';
  ews_string_append_len (key, digits, sizeof digits);
}

static char *
move_key (const EwnChange *change)
{
  const EwsItem *item = ewn_change_get_item (change);
  gboolean       task = item->kind == EWS_ITEM_KIND_TASK;
  char           head[3] = { is_created (change->kind) ? '+' : '-', task ? 't' : 'c', '\x1f' };
  GString       *key = g_string_sized_new (96);

  ews_string_append_len (key, head, sizeof head);
  ews_string_append (key, item->subject != NULL ? item->subject : "");
  ews_string_append_len (key, "\x1f", 1);
  if (task)
    append_key_time (key, item->due_date);
  else
    {
      append_key_time (key, item->start);
      append_key_time (key, item->end);
    }
  return g_string_free (key, FALSE);
}

static EwnSyncDeferred *
deferred_new (EwnSyncEngine *self,
              EwnSyncFolder *folder,
              EwnChange     *change,
              const char    *key)
{
  const EwsItem   *item = ewn_change_get_item (change);
  gsize            key_size = strlen (key) + 1;
  GByteArray      *record = self->scratch;
  EwnSyncDeferred *deferred;

  g_byte_array_set_size (record, 0);
  ewn_store_record_encode (record, item, folder->id, NULL);
  deferred = g_malloc (sizeof (EwnSyncDeferred) + key_size + record->len);
  deferred->link.data = deferred;
  deferred->link.next = deferred->link.prev = NULL;
  deferred->next_same_key = NULL;
  deferred->last_same_key = deferred;
  deferred->folder = folder;
  deferred->seq = self->chain_seq;
  deferred->time = change->time;
  deferred->kind = change->kind;
  deferred->record_length = record->len;
  memcpy (deferred->data, key, key_size);
  memcpy (deferred->data + key_size, record->data, record->len);
  return deferred;
}

/* The change again, as it was when it was held back. */
static EwnChange *
deferred_free_to_change (EwnSyncEngine   *self,
                         EwnSyncDeferred *deferred)
{
  const guint8 *record = (const guint8 *)deferred->data + strlen (deferred->data) + 1;
  EwsItem      *item = ewn_store_record_decode (record, deferred->record_length, deferred->folder->id, NULL);
  EwnChange    *change;

  g_assert (item != NULL);
  change = g_new0 (EwnChange, 1);
  change->kind = deferred->kind;
  if (is_created (deferred->kind))
    change->after = item;
  else
    change->before = item;
  change->time = deferred->time;
  set_origin (change, deferred->folder);
  g_free (deferred);
  return change;
}

/* Takes the deferred change out of both the queue and the key index. */
static EwnChange *
take_deferred (EwnSyncEngine   *self,
               EwnSyncDeferred *deferred)
{
  EwnSyncDeferred *first = g_hash_table_lookup (self->deferred_by_key, deferred->data);

  if (first == deferred)
    {
      EwnSyncDeferred *next = deferred->next_same_key;

      g_hash_table_steal (self->deferred_by_key, deferred->data);
      if (next != NULL)
        {
          next->last_same_key = deferred->last_same_key;
          g_hash_table_insert (self->deferred_by_key, next->data, next);
        }
    }
  else
    {
      /* only when pairing: the queue's head is the first of its key */
      EwnSyncDeferred *before = first;

      while (before->next_same_key != deferred)
        before = before->next_same_key;
      before->next_same_key = deferred->next_same_key;
      if (first->last_same_key == deferred)
        first->last_same_key = before;
    }
  g_queue_unlink (&self->deferred, &deferred->link);
  return deferred_free_to_change (self, deferred);
}

/* The waiting other half of the change whose move key is @key, from a folder other
 * than @folder; @partner_folder is where it was seen. */
static EwnChange *
take_partner (EwnSyncEngine  *self,
              EwnSyncFolder  *folder,
              char           *key,
              EwnSyncFolder **partner_folder)
{
  char             half = key[KEY_HALF];
  EwnSyncDeferred *deferred;

  key[KEY_HALF] = half == '+' ? '-' : '+';
  deferred = g_hash_table_lookup (self->deferred_by_key, key);
  key[KEY_HALF] = half;
  for (; deferred != NULL; deferred = deferred->next_same_key)
    if (deferred->folder != folder)
      {
        *partner_folder = deferred->folder;
        return take_deferred (self, deferred);
      }
  return NULL;
}

/* Takes @change, whose move key is @key. */
static void
defer (EwnSyncEngine *self,
       EwnSyncFolder *folder,
       EwnChange     *change,
       const char    *key)
{
  EwnSyncDeferred *deferred = deferred_new (self, folder, change, key);
  EwnSyncDeferred *first = g_hash_table_lookup (self->deferred_by_key, deferred->data);

  ewn_change_free (change);
  g_queue_push_tail_link (&self->deferred, &deferred->link);
  if (first == NULL)
    {
      g_hash_table_insert (self->deferred_by_key, deferred->data, deferred);
      return;
    }
  first->last_same_key->next_same_key = deferred;
  first->last_same_key = deferred;
}

/* Takes ownership of @change (already committed to the store). A created or deleted
 * item may be one half of a move: pair it with a waiting other half, or wait while
 * another folder of the same kind is still syncing (for a creation: syncing for a
 * reason that may have removed an item, as a DeletedEvent or a catch-up after a
 * gap). */
static void
announce (EwnSyncEngine *self,
          EwnSyncFolder *folder,
          EwnChange     *change)
{
  g_autoptr (EwnChange) owned = change;
  g_autoptr (EwnChange) partner = NULL;
  g_autofree char *key = NULL;
  EwnSyncFolder   *partner_folder = NULL;
  gboolean         owned_created = is_created (owned->kind);
  EwnChange       *moved;

  if (!owned_created && !is_deleted (owned->kind))
    {
      set_origin (owned, folder);
      ewn_sync_engine_emit_change (self, g_steal_pointer (&owned));
      return;
    }

  key = move_key (owned);
  partner = take_partner (self, folder, key, &partner_folder);
  if (partner == NULL)
    {
      if (owned_created ? other_folder_removing (self, folder) : other_folder_syncing (self, folder))
        defer (self, folder, g_steal_pointer (&owned), key);
      else
        {
          set_origin (owned, folder);
          ewn_sync_engine_emit_change (self, g_steal_pointer (&owned));
        }
      return;
    }

  g_debug ("moved from %s to %s", owned_created ? partner_folder->id : folder->id, owned_created ? folder->id : partner_folder->id);
  moved = owned_created ? ewn_change_compute (partner->before, owned->after) : ewn_change_compute (owned->before, partner->after);
  if (moved == NULL)
    return;
  set_origin (moved, owned_created ? folder : partner_folder);
  ewn_sync_engine_emit_change (self, moved);
}

/* After the commit: every change of the page, in order. */
void
ewn_sync_page_announce (EwnSyncPage *page)
{
  for (guint i = 0; i < page->changes->len; i++)
    announce (page->folder->engine, page->folder, g_steal_pointer (&page->changes->pdata[i]));
}

/* Announces the halves that waited long enough: every sync that was running when a
 * half was held back has ended since (its partner would have shown up by then). The
 * oldest are released first, so a burst of creations flows out as the syncs go on
 * rather than at the very end. */
void
ewn_sync_engine_flush_deferred (EwnSyncEngine *self)
{
  guint64 oldest_running = G_MAXUINT64;

  for (guint i = 0; i < self->folders->len; i++)
    {
      EwnSyncFolder *folder = g_ptr_array_index (self->folders, i);

      if (folder->syncing)
        oldest_running = MIN (oldest_running, folder->started_seq);
    }

  while (!g_queue_is_empty (&self->deferred) && ((EwnSyncDeferred *)g_queue_peek_head (&self->deferred))->seq < oldest_running)
    ewn_sync_engine_emit_change (self, take_deferred (self, g_queue_peek_head (&self->deferred)));
}

/* Drops whatever still waits (the engine goes). */
void
ewn_sync_engine_clear_deferred (EwnSyncEngine *self)
{
  g_hash_table_remove_all (self->deferred_by_key);
  while (!g_queue_is_empty (&self->deferred))
    {
      EwnSyncDeferred *deferred = g_queue_peek_head (&self->deferred);

      g_queue_unlink (&self->deferred, &deferred->link);
      g_free (deferred);
    }
}
