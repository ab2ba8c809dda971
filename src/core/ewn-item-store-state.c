/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#define G_LOG_DOMAIN "ewn-item-store"

#include "ewn-item-store-private.h"

/* The model of EwnItemStore, and how snapshots and journal records change it. Every
 * value reaching here has been checked for type and normal form. */

static void
folder_free (EwnStoreFolder *folder)
{
  g_free (folder->id);
  g_free (folder->mailbox);
  g_free (folder->sync_state);
  g_hash_table_unref (folder->item_ids);
  g_free (folder);
}

static void
entry_free (EwnStoreEntry *entry)
{
  ews_item_free (entry->item);
  g_variant_unref (entry->serialised);
  g_free (entry);
}

void
ewn_store_state_init (EwnStoreState *state)
{
  state->folders = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify)folder_free);
  state->items = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify)entry_free);
  state->subscription_ids = NULL;
  state->seq = 0;
}

void
ewn_store_state_clear (EwnStoreState *state)
{
  /* items first: the folders' sets borrow their keys */
  g_hash_table_remove_all (state->items);
  g_hash_table_remove_all (state->folders);
  g_clear_pointer (&state->subscription_ids, g_strfreev);
  state->seq = 0;
}

void
ewn_store_state_destroy (EwnStoreState *state)
{
  ewn_store_state_clear (state);
  g_clear_pointer (&state->items, g_hash_table_unref);
  g_clear_pointer (&state->folders, g_hash_table_unref);
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
      folder->item_ids = g_hash_table_new (g_str_hash, g_str_equal);
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

gboolean
ewn_store_state_remove (EwnStoreState *state,
                        const char    *item_id)
{
  EwnStoreEntry *entry = g_hash_table_lookup (state->items, item_id);

  if (entry == NULL)
    return FALSE;
  g_hash_table_remove (entry->folder->item_ids, entry->item->id);
  g_hash_table_remove (state->items, item_id);
  return TRUE;
}

/* Takes @item and @serialised. */
void
ewn_store_state_put (EwnStoreState *state,
                     const char    *folder_id,
                     EwsItem       *item,
                     GVariant      *serialised)
{
  EwnStoreEntry *entry = g_new0 (EwnStoreEntry, 1);

  ewn_store_state_remove (state, item->id);
  entry->item = item;
  entry->folder = ewn_store_state_ensure_folder (state, folder_id);
  entry->serialised = serialised;
  g_hash_table_insert (state->items, item->id, entry);
  g_hash_table_add (entry->folder->item_ids, item->id);
}

/* Takes @entry. */
static void
put_entry (EwnStoreState *state,
           GVariant      *entry)
{
  g_autoptr (GVariant) folder_id = g_variant_get_child_value (entry, 0);
  EwsItem *item = ewn_store_entry_dup_item (entry);

  if (item->id == NULL)
    {
      ews_item_free (item);
      g_variant_unref (entry);
      return;
    }
  ewn_store_state_put (state, g_variant_get_string (folder_id, NULL), item, entry);
}

void
ewn_store_state_apply_snapshot (EwnStoreState *state,
                                GVariant      *payload)
{
  g_autoptr (GVariant) folders = g_variant_get_child_value (payload, 0);
  g_autoptr (GVariant) entries = g_variant_get_child_value (payload, 1);
  g_autoptr (GVariant) subscription_ids = g_variant_get_child_value (payload, 2);
  GVariantIter iter;
  GVariant    *child;

  g_variant_iter_init (&iter, folders);
  while ((child = g_variant_iter_next_value (&iter)) != NULL)
    {
      const char     *id, *mailbox, *sync_state;
      guint32         kind;
      gboolean        primed;
      EwnStoreFolder *folder;

      g_variant_get (child, "(&sm&sum&sb)", &id, &mailbox, &kind, &sync_state, &primed);
      ewn_store_state_set_folder (state, id, mailbox, kind);
      folder = ewn_store_state_ensure_folder (state, id);
      g_free (folder->sync_state);
      folder->sync_state = g_strdup (sync_state);
      folder->primed = primed;
      g_variant_unref (child);
    }

  g_variant_iter_init (&iter, entries);
  while ((child = g_variant_iter_next_value (&iter)) != NULL)
    put_entry (state, child);

  g_strfreev (state->subscription_ids);
  state->subscription_ids = g_variant_dup_strv (subscription_ids, NULL);
}

static const GVariantType *
op_value_type (guchar op)
{
  switch (op)
    {
    case EWN_STORE_OP_FOLDER:
      return G_VARIANT_TYPE ("(msu)");
    case EWN_STORE_OP_SYNC_STATE:
      return G_VARIANT_TYPE ("ms");
    case EWN_STORE_OP_PRIMED:
      return G_VARIANT_TYPE_BOOLEAN;
    case EWN_STORE_OP_PUT:
      return G_VARIANT_TYPE (EWN_STORE_ENTRY_TYPE);
    case EWN_STORE_OP_REMOVE:
      return G_VARIANT_TYPE_UNIT;
    case EWN_STORE_OP_SUBSCRIPTIONS:
      return G_VARIANT_TYPE_STRING_ARRAY;
    default:
      return NULL;
    }
}

static void
replay_op (EwnStoreState *state,
           guchar         op,
           const char    *key,
           GVariant      *value)
{
  switch (op)
    {
    case EWN_STORE_OP_FOLDER:
      {
        const char *mailbox;
        guint32     kind;

        g_variant_get (value, "(m&su)", &mailbox, &kind);
        ewn_store_state_set_folder (state, key, mailbox, kind);
        break;
      }
    case EWN_STORE_OP_SYNC_STATE:
      {
        EwnStoreFolder *folder = ewn_store_state_ensure_folder (state, key);

        g_free (folder->sync_state);
        g_variant_get (value, "ms", &folder->sync_state);
        break;
      }
    case EWN_STORE_OP_PRIMED:
      ewn_store_state_ensure_folder (state, key)->primed = g_variant_get_boolean (value);
      break;
    case EWN_STORE_OP_PUT:
      put_entry (state, g_variant_ref (value));
      break;
    case EWN_STORE_OP_REMOVE:
      ewn_store_state_remove (state, key);
      break;
    case EWN_STORE_OP_SUBSCRIPTIONS:
      g_strfreev (state->subscription_ids);
      state->subscription_ids = g_variant_dup_strv (value, NULL);
      break;
    default:
      g_assert_not_reached ();
    }
}

/**
 * ewn_store_state_replay:
 *
 * Applies one journal record, all of it or (when it is not the next one or holds an
 * op this version does not know) nothing. An #EwnStoreRecordFunc.
 */
gboolean
ewn_store_state_replay (guint64   seq,
                        GVariant *payload,
                        gpointer  user_data)
{
  EwnStoreState *state = user_data;
  gsize          n = g_variant_n_children (payload);

  if (seq != state->seq + 1)
    return FALSE; /* a gap: what follows was written after records that are lost */

  for (gsize i = 0; i < n; i++)
    {
      g_autoptr (GVariant) op = g_variant_get_child_value (payload, i);
      g_autoptr (GVariant) value = NULL;
      const GVariantType *type;
      guchar              code;

      g_variant_get (op, "(y&sv)", &code, NULL, &value);
      type = op_value_type (code);
      if (type == NULL || !g_variant_is_of_type (value, type))
        return FALSE;
    }
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr (GVariant) op = g_variant_get_child_value (payload, i);
      g_autoptr (GVariant) value = NULL;
      const char *key;
      guchar      code;

      g_variant_get (op, "(y&sv)", &code, &key, &value);
      replay_op (state, code, key, value);
    }
  state->seq = seq;
  return TRUE;
}

/**
 * ewn_store_state_snapshot:
 *
 * A copy of everything, for a snapshot. It costs a walk over the items but no
 * serialising: the entries already are in serialised form, and immutable.
 *
 * Returns: (transfer full): a value of type %EWN_STORE_SNAPSHOT_TYPE
 */
GVariant *
ewn_store_state_snapshot (EwnStoreState *state)
{
  GVariantBuilder folders;
  g_autoptr (GPtrArray) entries = g_ptr_array_sized_new (g_hash_table_size (state->items));
  const char *const *subscription_ids = (const char *const *)state->subscription_ids;
  const char *const  none[] = { NULL };
  GHashTableIter     iter;
  gpointer           value;

  g_variant_builder_init (&folders, G_VARIANT_TYPE ("a" EWN_STORE_FOLDER_TYPE));
  g_hash_table_iter_init (&iter, state->folders);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      EwnStoreFolder *folder = value;

      g_variant_builder_add (&folders, EWN_STORE_FOLDER_TYPE, folder->id, folder->mailbox,
                             (guint32)folder->kind, folder->sync_state, folder->primed);
    }
  g_hash_table_iter_init (&iter, state->items);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (entries, ((EwnStoreEntry *)value)->serialised);

  return g_variant_ref_sink (g_variant_new ("(@a" EWN_STORE_FOLDER_TYPE "@a" EWN_STORE_ENTRY_TYPE "^as)",
                                            g_variant_builder_end (&folders),
                                            g_variant_new_array (G_VARIANT_TYPE (EWN_STORE_ENTRY_TYPE), (GVariant **)entries->pdata, entries->len),
                                            subscription_ids != NULL ? subscription_ids : none));
}
