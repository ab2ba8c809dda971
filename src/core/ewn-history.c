/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ewn-history"

#include "config.h"

#include "ewn-history.h"

/* The changes this run has seen, newest first, as a GListModel for menus and windows:
 * the tray's recent list, the item window's history of one item. Bounded; whatever
 * is shown or not (pause, quiet hours), the history keeps growing. */

struct _EwnHistoryEntry
{
  GObject    parent_instance;
  guint      id;
  EwnChange *change;
  GDateTime *seen;
};

G_DEFINE_FINAL_TYPE (EwnHistoryEntry, ewn_history_entry, G_TYPE_OBJECT)

static void
ewn_history_entry_finalize (GObject *object)
{
  EwnHistoryEntry *self = EWN_HISTORY_ENTRY (object);

  g_clear_pointer (&self->change, ewn_change_free);
  g_clear_pointer (&self->seen, g_date_time_unref);

  G_OBJECT_CLASS (ewn_history_entry_parent_class)->finalize (object);
}

static void
ewn_history_entry_class_init (EwnHistoryEntryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ewn_history_entry_finalize;
}

static void
ewn_history_entry_init (EwnHistoryEntry *self)
{
}

/**
 * ewn_history_entry_get_id:
 *
 * Returns: an id unique in this run, for actions ("app.open-item(7)")
 */
guint
ewn_history_entry_get_id (EwnHistoryEntry *self)
{
  g_return_val_if_fail (EWN_IS_HISTORY_ENTRY (self), 0);

  return self->id;
}

const EwnChange *
ewn_history_entry_get_change (EwnHistoryEntry *self)
{
  g_return_val_if_fail (EWN_IS_HISTORY_ENTRY (self), NULL);

  return self->change;
}

const char *
ewn_history_entry_get_item_id (EwnHistoryEntry *self)
{
  g_return_val_if_fail (EWN_IS_HISTORY_ENTRY (self), NULL);

  return ewn_change_get_item (self->change)->id;
}

/**
 * ewn_history_entry_get_seen:
 *
 * Returns: (transfer none): when the change was seen
 */
GDateTime *
ewn_history_entry_get_seen (EwnHistoryEntry *self)
{
  g_return_val_if_fail (EWN_IS_HISTORY_ENTRY (self), NULL);

  return self->seen;
}

struct _EwnHistory
{
  GObject    parent_instance;
  GPtrArray *entries; /* newest first */
  guint      max_size;
  guint      next_id;
  guint      unseen;
};

static void ewn_history_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (EwnHistory, ewn_history, G_TYPE_OBJECT, G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, ewn_history_list_model_init))

enum
{
  PROP_0,
  PROP_UNSEEN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
ewn_history_get_item_type (GListModel *model)
{
  return EWN_TYPE_HISTORY_ENTRY;
}

static guint
ewn_history_get_n_items (GListModel *model)
{
  return EWN_HISTORY (model)->entries->len;
}

static gpointer
ewn_history_get_item (GListModel *model,
                      guint       position)
{
  EwnHistory *self = EWN_HISTORY (model);

  if (position >= self->entries->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->entries, position));
}

static void
ewn_history_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = ewn_history_get_item_type;
  iface->get_n_items = ewn_history_get_n_items;
  iface->get_item = ewn_history_get_item;
}

static void
ewn_history_finalize (GObject *object)
{
  EwnHistory *self = EWN_HISTORY (object);

  g_ptr_array_unref (self->entries);

  G_OBJECT_CLASS (ewn_history_parent_class)->finalize (object);
}

static void
ewn_history_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  EwnHistory *self = EWN_HISTORY (object);

  switch (prop_id)
    {
    case PROP_UNSEEN:
      g_value_set_uint (value, self->unseen);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ewn_history_class_init (EwnHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ewn_history_finalize;
  object_class->get_property = ewn_history_get_property;

  /**
   * EwnHistory:unseen:
   *
   * How many changes arrived since ewn_history_mark_seen() (a person looked).
   */
  properties[PROP_UNSEEN] = g_param_spec_uint ("unseen", NULL, NULL, 0, G_MAXUINT, 0,
                                               G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ewn_history_init (EwnHistory *self)
{
  self->entries = g_ptr_array_new_with_free_func (g_object_unref);
  self->next_id = 1;
}

/**
 * ewn_history_new:
 * @max_size: how many changes to keep (at least 1)
 *
 * Returns: (transfer full): an empty history
 */
EwnHistory *
ewn_history_new (guint max_size)
{
  EwnHistory *self = g_object_new (EWN_TYPE_HISTORY, NULL);

  self->max_size = MAX (max_size, 1);
  return self;
}

static void
trim (EwnHistory *self)
{
  guint removed;

  if (self->entries->len <= self->max_size)
    return;
  removed = self->entries->len - self->max_size;
  g_ptr_array_remove_range (self->entries, self->max_size, removed);
  g_list_model_items_changed (G_LIST_MODEL (self), self->max_size, removed, 0);
}

void
ewn_history_set_max_size (EwnHistory *self,
                          guint       max_size)
{
  g_return_if_fail (EWN_IS_HISTORY (self));

  self->max_size = MAX (max_size, 1);
  trim (self);
}

/**
 * ewn_history_add:
 * @change: the change (copied)
 *
 * Returns: (transfer none): the new entry, first in the list
 */
EwnHistoryEntry *
ewn_history_add (EwnHistory      *self,
                 const EwnChange *change)
{
  EwnHistoryEntry *entry;

  g_return_val_if_fail (EWN_IS_HISTORY (self), NULL);
  g_return_val_if_fail (change != NULL, NULL);

  entry = g_object_new (EWN_TYPE_HISTORY_ENTRY, NULL);
  entry->id = self->next_id++;
  entry->change = ewn_change_copy (change);
  entry->seen = g_date_time_new_now_utc ();
  g_ptr_array_insert (self->entries, 0, entry);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, 1);
  trim (self);

  self->unseen++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNSEEN]);
  return entry;
}

/**
 * ewn_history_lookup:
 *
 * Returns: (transfer none) (nullable): the entry with @id, if still kept
 */
EwnHistoryEntry *
ewn_history_lookup (EwnHistory *self,
                    guint       id)
{
  g_return_val_if_fail (EWN_IS_HISTORY (self), NULL);

  for (guint i = 0; i < self->entries->len; i++)
    {
      EwnHistoryEntry *entry = g_ptr_array_index (self->entries, i);

      if (entry->id == id)
        return entry;
    }
  return NULL;
}

/**
 * ewn_history_dup_for_item:
 *
 * Returns: (transfer container) (element-type EwnHistoryEntry): the entries of one
 *   item, oldest first
 */
GPtrArray *
ewn_history_dup_for_item (EwnHistory *self,
                          const char *item_id)
{
  GPtrArray *found;

  g_return_val_if_fail (EWN_IS_HISTORY (self), NULL);
  g_return_val_if_fail (item_id != NULL, NULL);

  found = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = self->entries->len; i > 0; i--)
    {
      EwnHistoryEntry *entry = g_ptr_array_index (self->entries, i - 1);

      if (g_strcmp0 (ewn_history_entry_get_item_id (entry), item_id) == 0)
        g_ptr_array_add (found, g_object_ref (entry));
    }
  return found;
}

guint
ewn_history_get_unseen (EwnHistory *self)
{
  g_return_val_if_fail (EWN_IS_HISTORY (self), 0);

  return self->unseen;
}

void
ewn_history_mark_seen (EwnHistory *self)
{
  g_return_if_fail (EWN_IS_HISTORY (self));

  if (self->unseen == 0)
    return;
  self->unseen = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNSEEN]);
}
