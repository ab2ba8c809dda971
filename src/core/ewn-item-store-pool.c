/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#define G_LOG_DOMAIN "ewn-item-store"

#include <string.h>

#include "ews-string-private.h"
#include "ewn-item-store-private.h"

/* The string pool: in memory, the strings many items share (a folder id, an
 * organizer, a location) are kept once, by index, with a reference count. */

typedef struct
{
  char   *text;
  guint32 refs;
} PoolSlot;

void
ewn_store_pool_init (EwnStorePool *pool)
{
  pool->index = g_hash_table_new (ews_id_hash, g_str_equal);
  pool->slots = g_array_new (FALSE, FALSE, sizeof (PoolSlot));
  pool->free = g_array_new (FALSE, FALSE, sizeof (guint32));
}

void
ewn_store_pool_clear (EwnStorePool *pool)
{
  for (guint i = 0; pool->slots != NULL && i < pool->slots->len; i++)
    g_free (g_array_index (pool->slots, PoolSlot, i).text);
  g_clear_pointer (&pool->index, g_hash_table_unref);
  g_clear_pointer (&pool->slots, g_array_unref);
  g_clear_pointer (&pool->free, g_array_unref);
}

guint32
ewn_store_pool_ref (EwnStorePool *pool,
                    const char   *text)
{
  gpointer  found = g_hash_table_lookup (pool->index, text);
  PoolSlot *slot;
  guint32   index;

  if (found != NULL)
    {
      index = GPOINTER_TO_UINT (found) - 1;
      g_array_index (pool->slots, PoolSlot, index).refs++;
      return index;
    }
  if (pool->free->len > 0)
    {
      index = g_array_index (pool->free, guint32, pool->free->len - 1);
      g_array_set_size (pool->free, pool->free->len - 1);
    }
  else
    {
      index = pool->slots->len;
      g_array_set_size (pool->slots, index + 1);
    }
  slot = &g_array_index (pool->slots, PoolSlot, index);
  slot->text = g_strdup (text);
  slot->refs = 1;
  g_hash_table_insert (pool->index, slot->text, GUINT_TO_POINTER (index + 1));
  return index;
}

void
ewn_store_pool_unref (EwnStorePool *pool,
                      guint32       index)
{
  PoolSlot *slot = &g_array_index (pool->slots, PoolSlot, index);

  g_assert (slot->refs > 0);
  if (--slot->refs > 0)
    return;
  g_hash_table_remove (pool->index, slot->text);
  g_clear_pointer (&slot->text, g_free);
  g_array_append_val (pool->free, index);
}

const char *
ewn_store_pool_get (EwnStorePool *pool,
                    guint32       index)
{
  return g_array_index (pool->slots, PoolSlot, index).text;
}
