/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#define G_LOG_DOMAIN "ewn-item-store"

#include "ewn-item-store.h"
#include "ewn-item-store-private.h"

/* What the store holds, read from its state and changed both there and in the
 * pending journal record, which ewn_item_store_commit() writes. */

/* Folders */

void
ewn_item_store_add_folder (EwnItemStore *self,
                           const char   *folder_id,
                           const char   *mailbox,
                           EwsFolderKind kind)
{
  EwnStoreFolder *folder;
  GByteArray     *out;

  g_return_if_fail (EWN_IS_ITEM_STORE (self));
  g_return_if_fail (folder_id != NULL);

  folder = g_hash_table_lookup (self->state.folders, folder_id);
  if (folder != NULL && folder->kind == kind && g_strcmp0 (folder->mailbox, mailbox) == 0)
    return;
  ewn_store_state_set_folder (&self->state, folder_id, mailbox, kind);
  out = ewn_item_store_add_op (self, EWN_STORE_OP_FOLDER, folder_id);
  ewn_store_put_nullable (out, mailbox);
  ewn_store_put_varint (out, kind);
}

gboolean
ewn_item_store_has_folder (EwnItemStore *self,
                           const char   *folder_id)
{
  g_return_val_if_fail (EWN_IS_ITEM_STORE (self), FALSE);
  g_return_val_if_fail (folder_id != NULL, FALSE);

  return g_hash_table_contains (self->state.folders, folder_id);
}

GStrv
ewn_item_store_dup_folder_ids (EwnItemStore *self)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  GHashTableIter iter;
  gpointer       key;

  g_return_val_if_fail (EWN_IS_ITEM_STORE (self), NULL);

  g_hash_table_iter_init (&iter, self->state.folders);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_strv_builder_add (builder, key);
  return g_strv_builder_end (builder);
}

static EwnStoreFolder *
lookup_folder (EwnItemStore *self,
               const char   *folder_id)
{
  return folder_id != NULL ? g_hash_table_lookup (self->state.folders, folder_id) : NULL;
}

const char *
ewn_item_store_get_folder_mailbox (EwnItemStore *self,
                                   const char   *folder_id)
{
  EwnStoreFolder *folder;

  g_return_val_if_fail (EWN_IS_ITEM_STORE (self), NULL);

  folder = lookup_folder (self, folder_id);
  return folder != NULL ? folder->mailbox : NULL;
}

EwsFolderKind
ewn_item_store_get_folder_kind (EwnItemStore *self,
                                const char   *folder_id)
{
  EwnStoreFolder *folder;

  g_return_val_if_fail (EWN_IS_ITEM_STORE (self), EWS_FOLDER_KIND_OTHER);

  folder = lookup_folder (self, folder_id);
  return folder != NULL ? folder->kind : EWS_FOLDER_KIND_OTHER;
}

const char *
ewn_item_store_get_sync_state (EwnItemStore *self,
                               const char   *folder_id)
{
  EwnStoreFolder *folder;

  g_return_val_if_fail (EWN_IS_ITEM_STORE (self), NULL);

  folder = lookup_folder (self, folder_id);
  return folder != NULL ? folder->sync_state : NULL;
}

void
ewn_item_store_set_sync_state (EwnItemStore *self,
                               const char   *folder_id,
                               const char   *sync_state)
{
  EwnStoreFolder *folder;

  g_return_if_fail (EWN_IS_ITEM_STORE (self));
  g_return_if_fail (folder_id != NULL);

  folder = ewn_store_state_ensure_folder (&self->state, folder_id);
  if (g_strcmp0 (folder->sync_state, sync_state) == 0)
    return;
  g_free (folder->sync_state);
  folder->sync_state = g_strdup (sync_state);
  ewn_store_put_nullable (ewn_item_store_add_op (self, EWN_STORE_OP_SYNC_STATE, folder_id), sync_state);
}

gboolean
ewn_item_store_get_primed (EwnItemStore *self,
                           const char   *folder_id)
{
  EwnStoreFolder *folder;

  g_return_val_if_fail (EWN_IS_ITEM_STORE (self), FALSE);

  folder = lookup_folder (self, folder_id);
  return folder != NULL && folder->primed;
}

void
ewn_item_store_set_primed (EwnItemStore *self,
                           const char   *folder_id,
                           gboolean      primed)
{
  EwnStoreFolder *folder;

  g_return_if_fail (EWN_IS_ITEM_STORE (self));
  g_return_if_fail (folder_id != NULL);

  folder = ewn_store_state_ensure_folder (&self->state, folder_id);
  if (folder->primed == !!primed)
    return;
  folder->primed = !!primed;
  g_byte_array_append (ewn_item_store_add_op (self, EWN_STORE_OP_PRIMED, folder_id), (const guint8 *)(primed ? "\1" : "\0"), 1);
}

void
ewn_item_store_reset_folder (EwnItemStore *self,
                             const char   *folder_id)
{
  g_return_if_fail (EWN_IS_ITEM_STORE (self));
  g_return_if_fail (folder_id != NULL);

  ewn_item_store_set_sync_state (self, folder_id, NULL);
  ewn_item_store_set_primed (self, folder_id, FALSE);
}

/* Items */

/**
 * ewn_item_store_contains:
 * @self: an #EwnItemStore
 * @item_id: an ItemId
 * @folder_id: (out) (optional) (transfer none): the FolderId it is stored under
 *
 * Returns: whether the store holds the item
 */
gboolean
ewn_item_store_contains (EwnItemStore *self,
                         const char   *item_id,
                         const char  **folder_id)
{
  EwnStoreEntry *entry;

  g_return_val_if_fail (EWN_IS_ITEM_STORE (self), FALSE);
  g_return_val_if_fail (item_id != NULL, FALSE);

  entry = ewn_store_state_lookup (&self->state, item_id);
  if (folder_id != NULL)
    *folder_id = entry != NULL ? ewn_store_state_entry_folder (&self->state, entry)->id : NULL;
  return entry != NULL;
}

/**
 * ewn_item_store_dup_item:
 * @self: an #EwnItemStore
 * @item_id: an ItemId
 * @folder_id: (out) (optional) (transfer none): the FolderId it is stored under
 *
 * Items are kept in a compact form and decoded here, for the change that needs them.
 *
 * Returns: (transfer full) (nullable): the last version stored of the item
 */
EwsItem *
ewn_item_store_dup_item (EwnItemStore *self,
                         const char   *item_id,
                         const char  **folder_id)
{
  EwnStoreEntry  *entry;
  EwnStoreFolder *folder;

  g_return_val_if_fail (EWN_IS_ITEM_STORE (self), NULL);
  g_return_val_if_fail (item_id != NULL, NULL);

  entry = ewn_store_state_lookup (&self->state, item_id);
  folder = entry != NULL ? ewn_store_state_entry_folder (&self->state, entry) : NULL;
  if (folder_id != NULL)
    *folder_id = folder != NULL ? folder->id : NULL;
  if (entry == NULL)
    return NULL;
  return ewn_store_record_decode (entry->data, entry->length, folder->id, &self->state.pool);
}

/* Stores a copy of @item. A folder not added yet is added with kind "other". */
void
ewn_item_store_put (EwnItemStore  *self,
                    const char    *folder_id,
                    const EwsItem *item)
{
  GByteArray *scratch;
  GByteArray *out;

  g_return_if_fail (EWN_IS_ITEM_STORE (self));
  g_return_if_fail (folder_id != NULL);
  g_return_if_fail (item != NULL && item->id != NULL);

  scratch = self->state.scratch;
  g_byte_array_set_size (scratch, 0);
  ewn_store_record_encode (scratch, item, folder_id, NULL);
  out = ewn_item_store_add_op (self, EWN_STORE_OP_PUT, folder_id);
  ewn_store_put_varint (out, scratch->len);
  g_byte_array_append (out, scratch->data, scratch->len);
  ewn_store_state_put (&self->state, folder_id, item);
}

gboolean
ewn_item_store_remove (EwnItemStore *self,
                       const char   *item_id)
{
  g_return_val_if_fail (EWN_IS_ITEM_STORE (self), FALSE);
  g_return_val_if_fail (item_id != NULL, FALSE);

  if (ewn_store_state_lookup (&self->state, item_id) == NULL)
    return FALSE;
  /* before the removal, which may free @item_id */
  ewn_item_store_add_op (self, EWN_STORE_OP_REMOVE, item_id);
  ewn_store_state_remove (&self->state, item_id);
  return TRUE;
}

guint
ewn_item_store_get_n_items (EwnItemStore *self,
                            const char   *folder_id)
{
  EwnStoreFolder *folder;

  g_return_val_if_fail (EWN_IS_ITEM_STORE (self), 0);

  folder = lookup_folder (self, folder_id);
  return folder != NULL ? folder->n_items : 0;
}

/* Returns: (transfer full): the ids (empty for an unknown folder) */
GPtrArray *
ewn_item_store_dup_item_ids (EwnItemStore *self,
                             const char   *folder_id)
{
  GPtrArray      *ids = g_ptr_array_new_with_free_func (g_free);
  EwnStoreFolder *folder;
  GHashTableIter  iter;
  gpointer        key;

  g_return_val_if_fail (EWN_IS_ITEM_STORE (self), ids);

  folder = lookup_folder (self, folder_id);
  if (folder == NULL || folder->n_items == 0)
    return ids;
  g_hash_table_iter_init (&iter, self->state.items);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (EWN_STORE_ENTRY (key)->folder == folder->index)
      g_ptr_array_add (ids, g_strdup (key));
  return ids;
}

/* Subscriptions */

GStrv
ewn_item_store_dup_subscription_ids (EwnItemStore *self)
{
  g_return_val_if_fail (EWN_IS_ITEM_STORE (self), NULL);

  return self->state.subscription_ids != NULL ? g_strdupv (self->state.subscription_ids) : g_new0 (char *, 1);
}

void
ewn_item_store_set_subscription_ids (EwnItemStore      *self,
                                     const char *const *ids)
{
  const char *const none[] = { NULL };
  GByteArray       *out;

  g_return_if_fail (EWN_IS_ITEM_STORE (self));

  if (ids == NULL)
    ids = none;
  if (self->state.subscription_ids != NULL && g_strv_equal ((const char *const *)self->state.subscription_ids, ids))
    return;
  if (self->state.subscription_ids == NULL && ids[0] == NULL)
    return;
  g_strfreev (self->state.subscription_ids);
  self->state.subscription_ids = g_strdupv ((char **)ids);
  out = ewn_item_store_add_op (self, EWN_STORE_OP_SUBSCRIPTIONS, NULL);
  ewn_store_put_varint (out, g_strv_length ((char **)ids));
  for (guint i = 0; ids[i] != NULL; i++)
    ewn_store_put_string (out, ids[i]);
}
