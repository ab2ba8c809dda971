/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#define G_LOG_DOMAIN "ewn-item-store"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ewn-item-store.h"
#include "ewn-item-store-private.h"

/* Crash safety. The state is the snapshot (sequence number S, first uncovered journal
 * generation G) followed by the records of the journals with generation >= G, in
 * generation order, as long as their sequence numbers go on without a gap. Only the
 * main thread appends, and only to the newest journal; it never appends after a
 * failed or torn write (it starts the next generation), and a new process always
 * starts a new generation, so a torn record can only end a file.
 *
 * Compaction (worker thread), from an immutable copy taken right after a commit:
 *   1. the main thread opens journal G+1 and goes on appending there;
 *   2. the worker fdatasyncs journal G and the folder (journal G+1's name);
 *   3. writes the snapshot (last seq, next_gen G+1) to a temp file, fsyncs it;
 *   4. renames it over items.snapshot and fsyncs the folder;
 *   5. deletes the journals below G+1.
 * Death before 4: the old snapshot and every journal are there: replay gives all.
 * Death after 4: the new snapshot makes journals below G+1 stale; load deletes them
 * and replays G+1 on. Leftover temp files are deleted by load. A machine crash may
 * lose records not yet fdatasynced; the gap rule then stops the replay at the first
 * missing record, so what loads is always a state that was committed. */

#define DEFAULT_COMPACT_THRESHOLD (1024 * 1024)
/* While compaction is held, the journal grows this many times further before it. */
#define HELD_COMPACT_FACTOR 4

G_DEFINE_FINAL_TYPE (EwnItemStore, ewn_item_store, G_TYPE_OBJECT)

static EwnStoreWorker *
ensure_worker (EwnItemStore *self)
{
  if (self->worker == NULL)
    self->worker = ewn_store_worker_new (self->path);
  return self->worker;
}

/* Waits for the syncs and the compaction in flight. */
static void
stop_worker (EwnItemStore *self)
{
  if (self->worker == NULL)
    return;
  self->n_syncs += ewn_store_worker_stop (g_steal_pointer (&self->worker));
}

guint
ewn_item_store_get_n_syncs (EwnItemStore *self)
{
  g_return_val_if_fail (EWN_IS_ITEM_STORE (self), 0);

  return self->n_syncs + (self->worker != NULL ? ewn_store_worker_get_n_syncs (self->worker) : 0);
}

/* Starts the next op of the pending record: its code and key. */
GByteArray *
ewn_item_store_add_op (EwnItemStore *self,
                       EwnStoreOp    op,
                       const char   *key)
{
  guint8 code = op;

  g_byte_array_append (self->pending, &code, 1);
  if (op != EWN_STORE_OP_SUBSCRIPTIONS)
    ewn_store_put_string (self->pending, key);
  return self->pending;
}

static gboolean
has_pending (EwnItemStore *self)
{
  return self->pending->len > EWN_STORE_RECORD_HEADER_SIZE;
}

static void
clear_pending (EwnItemStore *self)
{
  g_byte_array_set_size (self->pending, EWN_STORE_RECORD_HEADER_SIZE);
}

static void
clear_state (EwnItemStore *self)
{
  ewn_store_state_clear (&self->state);
  clear_pending (self);
  g_clear_pointer (&self->journal, ewn_store_journal_unref);
  self->journal_bytes = 0;
  self->next_gen = 0;
  self->dirty = FALSE;
}

/* GObject */

static void
ewn_item_store_dispose (GObject *object)
{
  EwnItemStore *self = (EwnItemStore *)object;

  stop_worker (self);
  g_clear_pointer (&self->journal, ewn_store_journal_unref);

  G_OBJECT_CLASS (ewn_item_store_parent_class)->dispose (object);
}

static void
ewn_item_store_finalize (GObject *object)
{
  EwnItemStore *self = (EwnItemStore *)object;

  ewn_store_state_destroy (&self->state);
  g_byte_array_unref (self->pending);
  g_free (self->path);

  G_OBJECT_CLASS (ewn_item_store_parent_class)->finalize (object);
}

static void
ewn_item_store_class_init (EwnItemStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ewn_item_store_dispose;
  object_class->finalize = ewn_item_store_finalize;
}

static void
ewn_item_store_init (EwnItemStore *self)
{
  ewn_store_state_init (&self->state);
  self->pending = g_byte_array_sized_new (4096);
  clear_pending (self);
  self->compact_threshold = DEFAULT_COMPACT_THRESHOLD;
}

EwnItemStore *
ewn_item_store_new (const char *path)
{
  EwnItemStore *self;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (EWN_TYPE_ITEM_STORE, NULL);
  self->path = g_strdup (path);
  return self;
}

const char *
ewn_item_store_get_path (EwnItemStore *self)
{
  g_return_val_if_fail (EWN_IS_ITEM_STORE (self), NULL);

  return self->path;
}

/* Loading */

static gboolean
load_files (EwnItemStore *self,
            GArray       *gens,
            gboolean      has_snapshot,
            GError      **error)
{
  guint64 first_gen = 0;

  if (has_snapshot)
    {
      g_autofree char *file = g_build_filename (self->path, EWN_STORE_SNAPSHOT_NAME, NULL);
      guint32          version = 0;
      g_autoptr (GBytes) payload = ewn_store_read_snapshot (file, &version, &self->state.seq, &first_gen, error);

      if (payload == NULL)
        return FALSE;
      if (!ewn_store_state_load_snapshot (&self->state, version, payload))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "Damaged state file “%s”: malformed contents", file);
          return FALSE;
        }
      self->snapshot_bytes = g_bytes_get_size (payload);
    }
  self->next_gen = first_gen;

  for (guint i = 0; i < gens->len; i++)
    {
      guint64          gen = g_array_index (gens, guint64, i);
      g_autofree char *file = ewn_store_journal_path (self->path, gen);

      if (gen < first_gen)
        {
          /* Already in the snapshot: a compaction died before deleting it. */
          g_unlink (file);
          continue;
        }
      if (!ewn_store_read_journal (file, ewn_store_state_replay, &self->state, error))
        return FALSE;
      self->next_gen = gen + 1;
      self->dirty = TRUE;
    }
  return TRUE;
}

gboolean
ewn_item_store_load (EwnItemStore *self,
                     GError      **error)
{
  g_autoptr (GArray) gens = NULL;
  g_autoptr (GError) local_error = NULL;
  gboolean has_snapshot = FALSE;

  g_return_val_if_fail (EWN_IS_ITEM_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stop_worker (self);
  clear_state (self);

  if (g_mkdir_with_parents (self->path, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not create the state folder “%s”: %s", self->path, g_strerror (saved_errno));
      return FALSE;
    }
  gens = ewn_store_scan_folder (self->path, &has_snapshot, error);
  if (gens == NULL)
    return FALSE;

  if (!load_files (self, gens, has_snapshot, &local_error))
    {
      /* Start from nothing; the caller resyncs quietly. */
      g_debug ("state in %s unusable: %s", self->path, local_error->message);
      clear_state (self);
      ewn_store_move_aside (self->path, gens);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_debug ("loaded %u items from %s, last record %" G_GUINT64_FORMAT,
           g_hash_table_size (self->state.items), self->path, self->state.seq);
  return TRUE;
}

/* Committing */

/* Rotates to a new journal and lets the worker fold everything before it into a new
 * snapshot. Right after a commit, so the copy holds exactly the committed state. */
static void
maybe_compact (EwnItemStore *self)
{
  g_autoptr (GError) error = NULL;
  EwnStoreWorker       *worker = ensure_worker (self);
  EwnStoreSnapshotFile *snapshot;
  EwnStoreJournal      *next;

  /* Never before the journal is as large as the snapshot it would replace: the cost
   * of rewriting the snapshot stays proportional to what was journalled. During a
   * burst, not before it is several times larger: every snapshot would be out of
   * date a moment later. */
  gsize                 due = MAX (self->compact_threshold, self->snapshot_bytes);

  if (self->compaction_held)
    due *= HELD_COMPACT_FACTOR;
  if (self->journal == NULL || self->journal_bytes < due || ewn_store_worker_get_compacting (worker))
    return;
  snapshot = ewn_store_snapshot_file_new (self->path, &error);
  next = snapshot != NULL ? ewn_store_journal_create (self->path, &self->next_gen, &error) : NULL;
  if (next == NULL)
    {
      g_debug ("not compacting: %s", error->message);
      g_clear_pointer (&snapshot, ewn_store_snapshot_file_free);
      return;
    }
  /* Written here, where the state is; the worker syncs and installs it. */
  ewn_store_state_write_snapshot (&self->state, snapshot);
  if (ewn_store_snapshot_file_finish (snapshot, self->state.seq, next->gen, &error))
    {
      self->snapshot_bytes = ewn_store_snapshot_file_get_length (snapshot);
      ewn_store_worker_compact (worker, self->journal, snapshot, self->state.seq, next->gen);
    }
  else
    {
      /* the new journal simply goes on from the old one */
      g_debug ("not compacting: %s", error->message);
      ewn_store_snapshot_file_free (snapshot);
    }
  ewn_store_journal_unref (self->journal);
  self->journal = next;
  self->journal_bytes = EWN_STORE_JOURNAL_HEADER_SIZE;
}

gboolean
ewn_item_store_commit (EwnItemStore *self,
                       GError      **error)
{
  gsize length;

  g_return_val_if_fail (EWN_IS_ITEM_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!has_pending (self))
    return TRUE;
  if (self->journal == NULL)
    {
      self->journal = ewn_store_journal_create (self->path, &self->next_gen, error);
      if (self->journal == NULL)
        return FALSE;
      self->journal_bytes = EWN_STORE_JOURNAL_HEADER_SIZE;
    }

  length = self->pending->len;
  ewn_store_frame_record (self->pending->data, length, self->state.seq + 1);
  if (!ewn_store_write_all (self->journal->fd, self->pending->data, length))
    {
      int saved_errno = errno;

      /* The record may be half written: go on in a new journal. The mutations stay
       * pending, so the next commit carries them (and the caller's rollback). */
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not append to the journal in “%s”: %s", self->path, g_strerror (saved_errno));
      g_clear_pointer (&self->journal, ewn_store_journal_unref);
      return FALSE;
    }

  self->state.seq++;
  self->journal_bytes += length;
  self->dirty = TRUE;
  clear_pending (self);
  /* A burst's pages are large; the next trickle's are not. */
  if (self->pending->len < 64 * 1024 && length > 256 * 1024)
    {
      g_byte_array_unref (self->pending);
      self->pending = g_byte_array_sized_new (4096);
      clear_pending (self);
    }

  ewn_store_worker_sync (ensure_worker (self), self->journal);
  maybe_compact (self);
  return TRUE;
}

gboolean
ewn_item_store_close (EwnItemStore *self,
                      GError      **error)
{
  EwnStoreSnapshotFile *snapshot;
  gboolean              installed;

  g_return_val_if_fail (EWN_IS_ITEM_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!ewn_item_store_commit (self, error))
    return FALSE;
  stop_worker (self);
  if (!self->dirty)
    return TRUE;

  snapshot = ewn_store_snapshot_file_new (self->path, error);
  if (snapshot == NULL)
    return FALSE;
  ewn_store_state_write_snapshot (&self->state, snapshot);
  installed = ewn_store_snapshot_file_finish (snapshot, self->state.seq, self->next_gen, error) && ewn_store_snapshot_file_install (snapshot, self->path, error);
  self->snapshot_bytes = ewn_store_snapshot_file_get_length (snapshot);
  ewn_store_snapshot_file_free (snapshot);
  if (!installed)
    return FALSE;
  g_clear_pointer (&self->journal, ewn_store_journal_unref);
  self->journal_bytes = 0;
  self->dirty = FALSE;
  ewn_store_delete_journals_below (self->path, self->next_gen);
  return TRUE;
}

void
ewn_item_store_set_compact_threshold (EwnItemStore *self,
                                      gsize         journal_bytes)
{
  g_return_if_fail (EWN_IS_ITEM_STORE (self));

  self->compact_threshold = journal_bytes;
}

/**
 * ewn_item_store_hold_compaction:
 * @self: an #EwnItemStore
 * @hold: %TRUE while commits come in a burst
 *
 * While held, the journal is folded into a new snapshot only once it has grown
 * several times further than it otherwise would: a burst of commits does not
 * rewrite the whole store again and again. Letting go compacts at once if it is due.
 */
void
ewn_item_store_hold_compaction (EwnItemStore *self,
                                gboolean      hold)
{
  g_return_if_fail (EWN_IS_ITEM_STORE (self));

  if (self->compaction_held == !!hold)
    return;
  self->compaction_held = !!hold;
  /* only right after a commit: the snapshot holds exactly the committed state */
  if (!hold && !has_pending (self))
    maybe_compact (self);
}
