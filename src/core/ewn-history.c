/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ewn-history"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ewn-history.h"
#include "ewn-item-store-private.h"

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

/* The history on disk, so that the recent changes outlive a restart (a login, an
 * update). One file, rewritten whole (temp file and rename): a magic line, then the
 * entries newest first, each as its length (u32 LE), a payload and the payload's
 * CRC-32 (u32 LE). The payload: kind, folder kind, account, mailbox and folder id,
 * when it was seen and detected (µs since 1970), and the items before and after in
 * the item store's record form. A damaged file keeps the entries before the damage. */

#define FILE_MAGIC    "EWNH1\n"
#define MAX_FILE_SIZE (64 * 1024 * 1024)

static void
put_u32 (GByteArray *out,
         guint32     value)
{
  guint32 le = GUINT32_TO_LE (value);

  g_byte_array_append (out, (const guint8 *)&le, sizeof le);
}

/* Times go as unsigned varints: one before 1970 is written as 1970. */
static guint64
to_unix_usec (gint64 time)
{
  return (guint64)MAX (time, 0);
}

static void
put_item (GByteArray    *out,
          const EwsItem *item,
          const char    *folder_id)
{
  g_autoptr (GByteArray) record = NULL;

  if (item == NULL || item->id == NULL)
    {
      ewn_store_put_varint (out, 0);
      return;
    }
  record = g_byte_array_new ();
  ewn_store_record_encode (record, item, folder_id, NULL);
  ewn_store_put_varint (out, record->len);
  g_byte_array_append (out, record->data, record->len);
}

static void
put_entry (GByteArray      *out,
           EwnHistoryEntry *entry)
{
  const EwnChange *change = entry->change;
  g_autoptr (GByteArray) payload = g_byte_array_new ();

  ewn_store_put_varint (payload, (guint64)change->kind);
  ewn_store_put_varint (payload, (guint64)change->folder_kind);
  ewn_store_put_nullable (payload, change->account);
  ewn_store_put_nullable (payload, change->mailbox);
  ewn_store_put_nullable (payload, change->folder_id);
  ewn_store_put_varint (payload, to_unix_usec (ews_time_from_date_time (entry->seen)));
  ewn_store_put_varint (payload, to_unix_usec (change->time));
  put_item (payload, change->before, change->folder_id);
  put_item (payload, change->after, change->folder_id);

  put_u32 (out, payload->len);
  g_byte_array_append (out, payload->data, payload->len);
  put_u32 (out, ewn_store_crc32 (0, payload->data, payload->len));
}

/**
 * ewn_history_serialize:
 * @accounts: (nullable) (array zero-terminated=1): the accounts whose changes are
 *   kept (an account given on the command line is not saved, nor are its changes);
 *   %NULL for all
 *
 * The file's contents, for ewn_history_write_file() (which may run in another
 * thread: the bytes depend on nothing else).
 *
 * Returns: (transfer full): the bytes of the file
 */
GBytes *
ewn_history_serialize (EwnHistory        *self,
                       const char *const *accounts)
{
  GByteArray *out = g_byte_array_new ();

  g_return_val_if_fail (EWN_IS_HISTORY (self), NULL);

  g_byte_array_append (out, (const guint8 *)FILE_MAGIC, strlen (FILE_MAGIC));
  for (guint i = 0; i < self->entries->len; i++)
    {
      EwnHistoryEntry *entry = g_ptr_array_index (self->entries, i);

      if (accounts == NULL || (entry->change->account != NULL && g_strv_contains (accounts, entry->change->account)))
        put_entry (out, entry);
    }
  return g_byte_array_free_to_bytes (out);
}

/**
 * ewn_history_write_file:
 * @path: the file
 * @contents: from ewn_history_serialize()
 * @error: return location for an error
 *
 * Writes @contents to @path atomically; with no entry in them and no file yet,
 * writes nothing.
 */
gboolean
ewn_history_write_file (const char *path,
                        GBytes     *contents,
                        GError    **error)
{
  g_autofree char *dir = NULL;
  gsize            length;
  const char      *data = g_bytes_get_data (contents, &length);

  g_return_val_if_fail (path != NULL, FALSE);

  if (length <= strlen (FILE_MAGIC) && !g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), _("Could not create %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  return g_file_set_contents_full (path, data, (gssize)length, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

/**
 * ewn_history_save:
 * @path: the file
 * @accounts: (nullable) (array zero-terminated=1): as for ewn_history_serialize()
 * @error: return location for an error
 *
 * Writes the history to @path at once and atomically.
 */
gboolean
ewn_history_save (EwnHistory        *self,
                  const char        *path,
                  const char *const *accounts,
                  GError           **error)
{
  g_autoptr (GBytes) contents = NULL;

  g_return_val_if_fail (EWN_IS_HISTORY (self), FALSE);

  contents = ewn_history_serialize (self, accounts);
  return ewn_history_write_file (path, contents, error);
}

static EwsItem *
read_item (EwnStoreReader *reader,
           const char     *folder_id)
{
  guint64       length = ewn_store_read_varint (reader);
  const guint8 *record;

  EwsItem      *item;

  if (reader->failed || length == 0)
    return NULL;
  record = length <= G_MAXUINT32 ? ewn_store_read_bytes (reader, (gsize)length) : NULL;
  item = record != NULL && ewn_store_record_check (record, (gsize)length) ? ewn_store_record_decode (record, (gsize)length, folder_id, NULL)
                                                                          : NULL;
  if (item == NULL)
    reader->failed = TRUE;
  return item;
}

/* Whether @kind goes with the items there are, as ewn_change_compute() pairs them:
 * the text of a change reads both versions of anything but a creation or deletion. */
static gboolean
items_fit (guint64        kind,
           const EwsItem *before,
           const EwsItem *after)
{
  switch (kind)
    {
    case EWN_CHANGE_CREATED:
    case EWN_CHANGE_TASK_CREATED:
      return before == NULL && after != NULL;
    case EWN_CHANGE_DELETED:
    case EWN_CHANGE_TASK_DELETED:
      return before != NULL && after == NULL;
    default:
      return kind <= EWN_CHANGE_TASK_DELETED && before != NULL && after != NULL;
    }
}

/* One entry from its payload, or NULL when it does not make sense. */
static EwnHistoryEntry *
read_entry (const guint8 *payload,
            gsize         length)
{
  EwnStoreReader   reader = { payload, payload + length, FALSE };
  guint64          kind = ewn_store_read_varint (&reader);
  guint64          folder_kind = ewn_store_read_varint (&reader);
  g_autofree char *account = ewn_store_read_string (&reader, TRUE);
  g_autofree char *mailbox = ewn_store_read_string (&reader, TRUE);
  g_autofree char *folder_id = ewn_store_read_string (&reader, TRUE);
  guint64          seen = ewn_store_read_varint (&reader);
  guint64          detected = ewn_store_read_varint (&reader);
  g_autoptr (EwsItem) before = read_item (&reader, folder_id);
  g_autoptr (EwsItem) after = read_item (&reader, folder_id);
  g_autoptr (GDateTime) detected_date = NULL;
  EwnHistoryEntry *entry;

  if (reader.failed || reader.pos != reader.end || folder_kind > EWS_FOLDER_KIND_TASKS || !items_fit (kind, before, after))
    return NULL;

  entry = g_object_new (EWN_TYPE_HISTORY_ENTRY, NULL);
  entry->change = ewn_change_new ((EwnChangeKind)kind, before, after);
  ewn_change_set_origin (entry->change, account, mailbox, folder_id, (EwsFolderKind)folder_kind);
  entry->seen = ews_time_to_date_time ((gint64)MIN (seen, (guint64)G_MAXINT64));
  entry->change->time = (gint64)MIN (detected, (guint64)G_MAXINT64);
  detected_date = ews_time_to_date_time (entry->change->time);
  if (entry->seen == NULL || detected_date == NULL)
    {
      g_object_unref (entry);
      return NULL;
    }
  return entry;
}

/**
 * ewn_history_load:
 * @path: the file ewn_history_save() wrote
 * @error: return location for an error
 *
 * Puts the saved changes after those already there (as changes already looked
 * at), up to the size. A missing file is an empty history. A damaged one gives the
 * entries before the damage, and an error that says so.
 *
 * Returns: %TRUE when the whole file was read
 */
gboolean
ewn_history_load (EwnHistory *self,
                  const char *path,
                  GError    **error)
{
  g_autofree char *contents = NULL;
  g_autoptr (GError) local_error = NULL;
  GStatBuf      info;
  gsize         length = 0;
  const guint8 *pos;
  const guint8 *end;
  guint         before;
  gboolean      damaged = FALSE;

  g_return_val_if_fail (EWN_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  /* A history of the largest size is a few megabytes: anything far larger is not one. */
  if (g_stat (path, &info) == 0 && info.st_size > MAX_FILE_SIZE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("The saved history in %s is damaged: it is too large"), path);
      return FALSE;
    }
  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  before = self->entries->len;
  pos = (const guint8 *)contents;
  end = pos + length;
  if (length < strlen (FILE_MAGIC) || memcmp (pos, FILE_MAGIC, strlen (FILE_MAGIC)) != 0)
    damaged = TRUE;
  else
    pos += strlen (FILE_MAGIC);

  while (!damaged && pos < end && self->entries->len < self->max_size)
    {
      guint32          size, crc;
      EwnHistoryEntry *entry;

      if ((gsize)(end - pos) < 2 * sizeof (guint32))
        {
          damaged = TRUE;
          break;
        }
      memcpy (&size, pos, sizeof size);
      size = GUINT32_FROM_LE (size);
      if ((gsize)(end - pos) - 2 * sizeof (guint32) < size)
        {
          damaged = TRUE;
          break;
        }
      memcpy (&crc, pos + sizeof size + size, sizeof crc);
      if (GUINT32_FROM_LE (crc) != ewn_store_crc32 (0, pos + sizeof size, size) || (entry = read_entry (pos + sizeof size, size)) == NULL)
        {
          damaged = TRUE;
          break;
        }
      entry->id = self->next_id++;
      g_ptr_array_add (self->entries, entry);
      pos += sizeof size + size + sizeof crc;
    }

  if (self->entries->len > before)
    g_list_model_items_changed (G_LIST_MODEL (self), before, 0, self->entries->len - before);
  if (damaged)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   g_dngettext (GETTEXT_PACKAGE, "The saved history in %s is damaged; %u change could be read",
                                "The saved history in %s is damaged; %u changes could be read", self->entries->len - before),
                   path, self->entries->len - before);
      return FALSE;
    }
  return TRUE;
}
