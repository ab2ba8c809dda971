/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#define G_LOG_DOMAIN "ewn-item-store"

#include <string.h>

#include "ews-string-private.h"
#include "ewn-item-store-private.h"

/* The model of EwnItemStore, and how snapshots and journal records change it. Every
 * record reaching an entry has been checked. */

/* The entries' arena */

#define SLAB_SIZE     (64 * 1024)
#define ARENA_GRANULE 16

static void
arena_init (EwnStoreArena *arena)
{
  memset (arena, 0, sizeof *arena);
  arena->slabs = g_ptr_array_new_with_free_func (g_free);
}

static void
arena_clear (EwnStoreArena *arena)
{
  g_clear_pointer (&arena->slabs, g_ptr_array_unref);
  memset (arena->free_lists, 0, sizeof arena->free_lists);
  arena->next = NULL;
  arena->left = 0;
}

static guint
arena_class (gsize size)
{
  return (guint)((size + ARENA_GRANULE - 1) / ARENA_GRANULE);
}

static gpointer
arena_alloc (EwnStoreArena *arena,
             gsize          size)
{
  guint class = arena_class (size);
  gsize    rounded = (gsize) class * ARENA_GRANULE;
  gpointer block;

  if (class > EWN_STORE_ARENA_CLASSES)
    return g_malloc (size);
  block = arena->free_lists[class];
  if (block != NULL)
    {
      arena->free_lists[class] = *(gpointer *)block;
      return block;
    }
  if (arena->left < rounded)
    {
      arena->next = g_malloc (SLAB_SIZE);
      arena->left = SLAB_SIZE;
      g_ptr_array_add (arena->slabs, arena->next);
    }
  block = arena->next;
  arena->next += rounded;
  arena->left -= rounded;
  return block;
}

static void
arena_free (EwnStoreArena *arena,
            gpointer       block,
            gsize          size)
{
  guint class = arena_class (size);

  if (class > EWN_STORE_ARENA_CLASSES)
    {
      g_free (block);
      return;
    }
  *(gpointer *)block = arena->free_lists[class];
  arena->free_lists[class] = block;
}

static void
folder_free (EwnStoreFolder *folder)
{
  g_free (folder->id);
  g_free (folder->mailbox);
  g_free (folder->sync_state);
  g_free (folder);
}

void
ewn_store_state_init (EwnStoreState *state)
{
  state->folders = g_hash_table_new (ews_id_hash, g_str_equal);
  state->folder_list = g_ptr_array_new_with_free_func ((GDestroyNotify)folder_free);
  state->items = g_hash_table_new (ews_id_hash, g_str_equal);
  ewn_store_pool_init (&state->pool);
  arena_init (&state->arena);
  state->subscription_ids = NULL;
  state->seq = 0;
  state->scratch = g_byte_array_new ();
}

static void
entry_free (EwnStoreState *state,
            EwnStoreEntry *entry)
{
  ewn_store_record_release (entry->data, entry->length, &state->pool);
  arena_free (&state->arena, entry, sizeof (EwnStoreEntry) + entry->length);
}

void
ewn_store_state_clear (EwnStoreState *state)
{
  GHashTableIter iter;
  gpointer       key;

  g_hash_table_iter_init (&iter, state->items);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      g_hash_table_iter_steal (&iter);
      entry_free (state, EWN_STORE_ENTRY (key));
    }
  g_hash_table_remove_all (state->folders);
  g_ptr_array_set_size (state->folder_list, 0);
  ewn_store_pool_clear (&state->pool);
  ewn_store_pool_init (&state->pool);
  arena_clear (&state->arena);
  arena_init (&state->arena);
  g_clear_pointer (&state->subscription_ids, g_strfreev);
  state->seq = 0;
}

void
ewn_store_state_destroy (EwnStoreState *state)
{
  ewn_store_state_clear (state);
  ewn_store_pool_clear (&state->pool);
  arena_clear (&state->arena);
  g_clear_pointer (&state->items, g_hash_table_unref);
  g_clear_pointer (&state->folders, g_hash_table_unref);
  g_clear_pointer (&state->folder_list, g_ptr_array_unref);
  g_clear_pointer (&state->scratch, g_byte_array_unref);
}

EwnStoreFolder *
ewn_store_state_ensure_folder (EwnStoreState *state,
                               const char    *folder_id)
{
  EwnStoreFolder *folder = g_hash_table_lookup (state->folders, folder_id);

  if (folder == NULL)
    {
      folder = g_new0 (EwnStoreFolder, 1);
      folder->id = g_strdup (folder_id);
      folder->index = state->folder_list->len;
      g_ptr_array_add (state->folder_list, folder);
      g_hash_table_insert (state->folders, folder->id, folder);
    }
  return folder;
}

void
ewn_store_state_set_folder (EwnStoreState *state,
                            const char    *folder_id,
                            const char    *mailbox,
                            EwsFolderKind  kind)
{
  EwnStoreFolder *folder = ewn_store_state_ensure_folder (state, folder_id);

  g_free (folder->mailbox);
  folder->mailbox = g_strdup (mailbox);
  folder->kind = kind <= EWS_FOLDER_KIND_TASKS ? kind : EWS_FOLDER_KIND_OTHER;
}

EwnStoreEntry *
ewn_store_state_lookup (EwnStoreState *state,
                        const char    *item_id)
{
  gpointer key = g_hash_table_lookup (state->items, item_id);

  return key != NULL ? EWN_STORE_ENTRY (key) : NULL;
}

EwnStoreFolder *
ewn_store_state_entry_folder (EwnStoreState *state,
                              EwnStoreEntry *entry)
{
  return g_ptr_array_index (state->folder_list, entry->folder);
}

gboolean
ewn_store_state_remove (EwnStoreState *state,
                        const char    *item_id)
{
  EwnStoreEntry *entry = ewn_store_state_lookup (state, item_id);

  if (entry == NULL)
    return FALSE;
  g_hash_table_remove (state->items, entry->data);
  ewn_store_state_entry_folder (state, entry)->n_items--;
  entry_free (state, entry);
  return TRUE;
}

/* Stores the record in @state->scratch as the item's entry. */
static void
put_scratch (EwnStoreState *state,
             const char    *folder_id)
{
  EwnStoreFolder *folder = ewn_store_state_ensure_folder (state, folder_id);
  GByteArray     *scratch = state->scratch;
  EwnStoreEntry  *entry = arena_alloc (&state->arena, sizeof (EwnStoreEntry) + scratch->len);

  entry->folder = folder->index;
  entry->length = scratch->len;
  memcpy (entry->data, scratch->data, scratch->len);
  g_byte_array_set_size (scratch, 0);

  ewn_store_state_remove (state, (const char *)entry->data);
  g_hash_table_add (state->items, entry->data);
  folder->n_items++;
}

void
ewn_store_state_put (EwnStoreState *state,
                     const char    *folder_id,
                     const EwsItem *item)
{
  g_byte_array_set_size (state->scratch, 0);
  ewn_store_record_encode (state->scratch, item, folder_id, &state->pool);
  put_scratch (state, folder_id);
}

/* @record: a checked record in the form on disk */
void
ewn_store_state_put_record (EwnStoreState *state,
                            const char    *folder_id,
                            const guint8  *record,
                            gsize          length)
{
  g_byte_array_set_size (state->scratch, 0);
  ewn_store_record_pool (state->scratch, record, length, &state->pool);
  put_scratch (state, folder_id);
}

/* Version 2: a record is a sequence of
 *   'f' folder id | nullable mailbox | varint kind
 *   's' folder id | nullable sync state
 *   'p' folder id | u8 primed
 *   'i' folder id | varint length | item record
 *   'r' item id
 *   'u' varint n | n × subscription id
 * with the strings of ewn_store_put_string() and ewn_store_put_nullable(). */

static EwsFolderKind
folder_kind (guint64 value)
{
  return value <= EWS_FOLDER_KIND_TASKS ? (EwsFolderKind)value : EWS_FOLDER_KIND_OTHER;
}

static gboolean
skip_string (EwnStoreReader *reader,
             gboolean        nullable)
{
  guint64 length = ewn_store_read_varint (reader);

  if (nullable && length > 0)
    length--;
  ewn_store_read_bytes (reader, length);
  return !reader->failed;
}

/* Applies the op at @reader, or with @state %NULL only checks it. */
static gboolean
replay_op (EwnStoreState  *state,
           EwnStoreReader *reader)
{
  guint8 op = ewn_store_read_byte (reader);

  if (reader->failed)
    return FALSE;
  if (op == EWN_STORE_OP_SUBSCRIPTIONS)
    {
      guint64 n = ewn_store_read_varint (reader);
      g_autoptr (GStrvBuilder) builder = NULL;

      if (n > (guint64)(reader->end - reader->pos))
        return FALSE;
      if (state == NULL)
        {
          for (guint64 i = 0; i < n; i++)
            if (!skip_string (reader, FALSE))
              return FALSE;
          return TRUE;
        }
      builder = g_strv_builder_new ();
      for (guint64 i = 0; i < n; i++)
        {
          char *id = ewn_store_read_string (reader, FALSE);

          g_strv_builder_add (builder, id);
          g_free (id);
        }
      g_strfreev (state->subscription_ids);
      state->subscription_ids = g_strv_builder_end (builder);
      return TRUE;
    }

  if (state == NULL)
    {
      if (!skip_string (reader, FALSE))
        return FALSE;
      switch (op)
        {
        case EWN_STORE_OP_FOLDER:
          return skip_string (reader, TRUE) && (ewn_store_read_varint (reader), !reader->failed);
        case EWN_STORE_OP_SYNC_STATE:
          return skip_string (reader, TRUE);
        case EWN_STORE_OP_PRIMED:
          return ewn_store_read_byte (reader) <= 1 && !reader->failed;
        case EWN_STORE_OP_PUT:
          {
            guint64       length = ewn_store_read_varint (reader);
            const guint8 *record = ewn_store_read_bytes (reader, length);

            return record != NULL && ewn_store_record_check (record, length);
          }
        case EWN_STORE_OP_REMOVE:
          return TRUE;
        default:
          return FALSE;
        }
    }

  {
    g_autofree char *key = ewn_store_read_string (reader, FALSE);

    switch (op)
      {
      case EWN_STORE_OP_FOLDER:
        {
          g_autofree char *mailbox = ewn_store_read_string (reader, TRUE);

          ewn_store_state_set_folder (state, key, mailbox, folder_kind (ewn_store_read_varint (reader)));
          break;
        }
      case EWN_STORE_OP_SYNC_STATE:
        {
          EwnStoreFolder *folder = ewn_store_state_ensure_folder (state, key);

          g_free (folder->sync_state);
          folder->sync_state = ewn_store_read_string (reader, TRUE);
          break;
        }
      case EWN_STORE_OP_PRIMED:
        ewn_store_state_ensure_folder (state, key)->primed = ewn_store_read_byte (reader) != 0;
        break;
      case EWN_STORE_OP_PUT:
        {
          guint64       length = ewn_store_read_varint (reader);
          const guint8 *record = ewn_store_read_bytes (reader, length);

          ewn_store_state_put_record (state, key, record, length);
          break;
        }
      case EWN_STORE_OP_REMOVE:
        ewn_store_state_remove (state, key);
        break;
      default:
        g_assert_not_reached ();
      }
  }
  return TRUE;
}

static gboolean
replay_v2 (EwnStoreState *state,
           GBytes        *bytes)
{
  gsize          size;
  const guint8  *data = g_bytes_get_data (bytes, &size);
  EwnStoreReader reader = { data, data + size, FALSE };

  while (reader.pos < reader.end)
    if (!replay_op (NULL, &reader))
      return FALSE;
  reader.pos = data;
  while (reader.pos < reader.end)
    replay_op (state, &reader);
  return TRUE;
}

/**
 * ewn_store_state_replay:
 *
 * Applies one journal record, all of it or (when it is not the next one, is damaged
 * or holds an op this version does not know) nothing. An #EwnStoreRecordFunc.
 */
gboolean
ewn_store_state_replay (guint32  version,
                        guint64  seq,
                        GBytes  *payload,
                        gpointer user_data)
{
  EwnStoreState *state = user_data;
  gboolean       applied;

  if (seq != state->seq + 1)
    return FALSE; /* a gap: what follows was written after records that are lost */

  if (version == EWN_STORE_FORMAT_VERSION_1)
    applied = ewn_store_state_replay_v1 (state, payload);
  else
    applied = replay_v2 (state, payload);
  if (applied)
    state->seq = seq;
  return applied;
}

/* Snapshots, version 2:
 *   varint n | n × (folder id | nullable mailbox | varint kind | nullable sync state
 *                   | u8 primed)
 *   varint n | n × (varint folder index | varint length | item record)
 *   varint n | n × subscription id */

static gboolean
load_v2_snapshot (EwnStoreState *state,
                  GBytes        *bytes)
{
  gsize          size;
  const guint8  *data = g_bytes_get_data (bytes, &size);
  EwnStoreReader reader = { data, data + size, FALSE };
  g_autoptr (GPtrArray) folders = g_ptr_array_new ();
  g_autoptr (GStrvBuilder) subscriptions = g_strv_builder_new ();
  guint64 n;

  n = ewn_store_read_varint (&reader);
  for (guint64 i = 0; i < n && !reader.failed; i++)
    {
      g_autofree char *id = ewn_store_read_string (&reader, FALSE);
      g_autofree char *mailbox = ewn_store_read_string (&reader, TRUE);
      guint64          kind = ewn_store_read_varint (&reader);
      char            *sync_state = ewn_store_read_string (&reader, TRUE);
      guint8           primed = ewn_store_read_byte (&reader);
      EwnStoreFolder  *folder;

      if (reader.failed || id == NULL)
        {
          g_free (sync_state);
          return FALSE;
        }
      ewn_store_state_set_folder (state, id, mailbox, folder_kind (kind));
      folder = ewn_store_state_ensure_folder (state, id);
      g_free (folder->sync_state);
      folder->sync_state = sync_state;
      folder->primed = primed != 0;
      g_ptr_array_add (folders, folder);
    }

  n = ewn_store_read_varint (&reader);
  for (guint64 i = 0; i < n && !reader.failed; i++)
    {
      guint64       index = ewn_store_read_varint (&reader);
      guint64       length = ewn_store_read_varint (&reader);
      const guint8 *record = ewn_store_read_bytes (&reader, length);

      if (record == NULL || index >= folders->len || !ewn_store_record_check (record, length))
        return FALSE;
      ewn_store_state_put_record (state, ((EwnStoreFolder *)g_ptr_array_index (folders, index))->id, record, length);
    }

  n = ewn_store_read_varint (&reader);
  for (guint64 i = 0; i < n && !reader.failed; i++)
    {
      g_autofree char *id = ewn_store_read_string (&reader, FALSE);

      if (id != NULL)
        g_strv_builder_add (subscriptions, id);
    }
  if (reader.failed || reader.pos != reader.end)
    return FALSE;

  g_strfreev (state->subscription_ids);
  state->subscription_ids = g_strv_builder_end (subscriptions);
  return TRUE;
}

/**
 * ewn_store_state_load_snapshot:
 *
 * Returns: %FALSE when @payload is not a snapshot of @version (the state is then
 *   partly loaded: clear it)
 */
gboolean
ewn_store_state_load_snapshot (EwnStoreState *state,
                               guint32        version,
                               GBytes        *payload)
{
  if (version == EWN_STORE_FORMAT_VERSION_1)
    return ewn_store_state_load_v1_snapshot (state, payload);
  return load_v2_snapshot (state, payload);
}

/**
 * ewn_store_state_write_snapshot:
 *
 * Writes everything into @file, a piece at a time: it only copies records (with
 * their pooled strings), it encodes nothing.
 */
void
ewn_store_state_write_snapshot (EwnStoreState        *state,
                                EwnStoreSnapshotFile *file)
{
  const char *const *subscription_ids = (const char *const *)state->subscription_ids;
  GByteArray        *out = ewn_store_snapshot_file_get_buffer (file);
  GHashTableIter     iter;
  gpointer           key;

  ewn_store_put_varint (out, state->folder_list->len);
  for (guint i = 0; i < state->folder_list->len; i++)
    {
      EwnStoreFolder *folder = g_ptr_array_index (state->folder_list, i);

      ewn_store_put_string (out, folder->id);
      ewn_store_put_nullable (out, folder->mailbox);
      ewn_store_put_varint (out, folder->kind);
      ewn_store_put_nullable (out, folder->sync_state);
      g_byte_array_append (out, (const guint8 *)(folder->primed ? "\1" : "\0"), 1);
      ewn_store_snapshot_file_flush (file, FALSE);
    }

  ewn_store_put_varint (out, g_hash_table_size (state->items));
  g_hash_table_iter_init (&iter, state->items);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      EwnStoreEntry *entry = EWN_STORE_ENTRY (key);

      ewn_store_put_varint (out, entry->folder);
      g_byte_array_set_size (state->scratch, 0);
      ewn_store_record_unpool (state->scratch, entry->data, entry->length, &state->pool);
      ewn_store_put_varint (out, state->scratch->len);
      g_byte_array_append (out, state->scratch->data, state->scratch->len);
      ewn_store_snapshot_file_flush (file, FALSE);
    }

  ewn_store_put_varint (out, subscription_ids != NULL ? g_strv_length ((char **)subscription_ids) : 0);
  for (guint i = 0; subscription_ids != NULL && subscription_ids[i] != NULL; i++)
    ewn_store_put_string (out, subscription_ids[i]);
}
