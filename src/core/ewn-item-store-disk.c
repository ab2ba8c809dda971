/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#define G_LOG_DOMAIN "ewn-item-store"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ewn-item-store-private.h"

/* Journal files */

char *
ewn_store_journal_path (const char *dir,
                        guint64     gen)
{
  g_autofree char *name = g_strdup_printf (EWN_STORE_JOURNAL_PREFIX "%016" G_GINT64_MODIFIER "x", gen);

  return g_build_filename (dir, name, NULL);
}

/* The generation in a journal's file name, or FALSE when it is not one. */
static gboolean
parse_journal_name (const char *name,
                    guint64    *gen)
{
  if (!g_str_has_prefix (name, EWN_STORE_JOURNAL_PREFIX) || strlen (name) != strlen (EWN_STORE_JOURNAL_PREFIX) + 16)
    return FALSE;
  return g_ascii_string_to_unsigned (name + strlen (EWN_STORE_JOURNAL_PREFIX), 16, 0, G_MAXUINT64, gen, NULL);
}

/**
 * ewn_store_journal_create:
 * @next_gen: (inout): the generation to use; advanced past the one used
 *
 * A new journal, never an existing file: nothing is appended after a record that
 * may be torn.
 */
EwnStoreJournal *
ewn_store_journal_create (const char *dir,
                          guint64    *next_gen,
                          GError    **error)
{
  static const guint8 header[EWN_STORE_JOURNAL_HEADER_SIZE] = { 'E', 'W', 'N', 'J', EWN_STORE_FORMAT_VERSION, 0, 0, 0 };
  g_autofree char    *file = NULL;
  EwnStoreJournal    *journal;
  int                 fd = -1;
  int                 saved_errno = 0;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not create the state folder “%s”: %s", dir, g_strerror (saved_errno));
      return NULL;
    }
  for (guint attempt = 0; fd < 0 && attempt < 16; attempt++)
    {
      g_free (file);
      file = ewn_store_journal_path (dir, (*next_gen)++);
      fd = g_open (file, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
      if (fd < 0 && errno != EEXIST)
        break;
    }
  if (fd < 0 || !ewn_store_write_all (fd, header, sizeof header))
    {
      saved_errno = errno;
      if (fd >= 0)
        {
          close (fd);
          g_unlink (file);
        }
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not create the journal “%s”: %s", file, g_strerror (saved_errno));
      return NULL;
    }

  journal = g_new0 (EwnStoreJournal, 1);
  g_atomic_ref_count_init (&journal->ref);
  journal->fd = fd;
  journal->gen = *next_gen - 1;
  return journal;
}

EwnStoreJournal *
ewn_store_journal_ref (EwnStoreJournal *journal)
{
  g_atomic_ref_count_inc (&journal->ref);
  return journal;
}

void
ewn_store_journal_unref (EwnStoreJournal *journal)
{
  if (g_atomic_ref_count_dec (&journal->ref))
    {
      close (journal->fd);
      g_free (journal);
    }
}

void
ewn_store_delete_journals_below (const char *dir,
                                 guint64     gen)
{
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;
  guint64     found;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    if (parse_journal_name (name, &found) && found < gen)
      {
        g_autofree char *file = g_build_filename (dir, name, NULL);

        if (g_unlink (file) != 0)
          g_debug ("could not delete %s: %s", file, g_strerror (errno));
      }
}

static gint
compare_gen (gconstpointer a,
             gconstpointer b)
{
  guint64 x = *(const guint64 *)a;
  guint64 y = *(const guint64 *)b;

  return x < y ? -1 : x > y;
}

/**
 * ewn_store_scan_folder:
 *
 * Lists the journals and deletes the temp files a compaction left behind.
 *
 * Returns: (transfer full) (element-type guint64): the journal generations, sorted
 */
GArray *
ewn_store_scan_folder (const char *dir,
                       gboolean   *has_snapshot,
                       GError    **error)
{
  g_autoptr (GDir) listing = g_dir_open (dir, 0, error);
  g_autoptr (GArray) gens = g_array_new (FALSE, FALSE, sizeof (guint64));
  const char *name;
  guint64     gen;

  if (listing == NULL)
    return NULL;
  *has_snapshot = FALSE;
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      if (parse_journal_name (name, &gen))
        g_array_append_val (gens, gen);
      else if (g_str_equal (name, EWN_STORE_SNAPSHOT_NAME))
        *has_snapshot = TRUE;
      else if (g_str_has_prefix (name, EWN_STORE_TEMP_PREFIX))
        {
          g_autofree char *temp = g_build_filename (dir, name, NULL);

          g_unlink (temp);
        }
    }
  g_array_sort (gens, compare_gen);
  return g_steal_pointer (&gens);
}

/* Keeps bad files for a post-mortem, out of the next load's way. */
void
ewn_store_move_aside (const char *dir,
                      GArray     *gens)
{
  g_autofree char *snapshot = g_build_filename (dir, EWN_STORE_SNAPSHOT_NAME, NULL);
  g_autofree char *aside = g_strconcat (snapshot, EWN_STORE_CORRUPT_SUFFIX, NULL);

  if (g_rename (snapshot, aside) != 0 && errno != ENOENT)
    g_debug ("could not move %s aside: %s", snapshot, g_strerror (errno));
  for (guint i = 0; i < gens->len; i++)
    {
      g_autofree char *journal = ewn_store_journal_path (dir, g_array_index (gens, guint64, i));
      g_autofree char *journal_aside = g_strconcat (journal, EWN_STORE_CORRUPT_SUFFIX, NULL);

      if (g_rename (journal, journal_aside) != 0)
        g_debug ("could not move %s aside: %s", journal, g_strerror (errno));
    }
}

/* The worker thread: the only one touching files other than the newest journal. */

typedef enum
{
  JOB_SYNC,
  JOB_COMPACT,
  JOB_STOP,
} JobKind;

typedef struct
{
  JobKind               kind;
  EwnStoreJournal      *journal;
  EwnStoreSnapshotFile *snapshot;
  guint64               last_seq;
  guint64               next_gen;
} Job;

/* Commits that follow each other within this time share one fdatasync: at a steady
 * trickle of changes, one per change would cost a thread wake-up and a disk flush
 * each. A machine that stops meanwhile loses at most this much of the journal, which
 * the gap rule turns into an older committed state (its changes are announced again
 * after the restart, never lost). */
#define SYNC_DELAY_US (G_USEC_PER_SEC / 2)

struct _EwnStoreWorker
{
  GThread         *thread;
  GAsyncQueue     *queue;
  char            *dir;
  gpointer         sync_queued; /* the journal a queued or pending sync will cover */
  int              compacting;
  guint            n_syncs;
  /* worker only */
  EwnStoreJournal *pending; /* to fdatasync at sync_due */
  gint64           sync_due;
};

static void
job_free (Job *job)
{
  g_clear_pointer (&job->journal, ewn_store_journal_unref);
  g_clear_pointer (&job->snapshot, ewn_store_snapshot_file_free);
  g_free (job);
}

static void
sync_journal (EwnStoreWorker  *worker,
              EwnStoreJournal *journal)
{
  g_autoptr (GError) error = NULL;

  g_atomic_int_inc (&worker->n_syncs);
  if (fdatasync (journal->fd) != 0)
    g_warning ("Could not sync the journal in “%s”: %s", worker->dir, g_strerror (errno));
  /* Durable records are no use if the file's name is not. */
  if (!journal->dir_synced && !ewn_store_fsync_dir (worker->dir, &error))
    g_warning ("%s", error->message);
  journal->dir_synced = TRUE;
}

static void
compact (EwnStoreWorker *worker,
         Job            *job)
{
  g_autoptr (GError) error = NULL;
  gint64 begin = g_get_monotonic_time ();

  /* The journal before the rotation; this also makes the new one's name durable. */
  sync_journal (worker, job->journal);
  if (!ewn_store_snapshot_file_install (job->snapshot, worker->dir, &error))
    {
      /* Nothing is lost: the old snapshot and all journals are still there. */
      g_warning ("Could not compact the item store: %s", error->message);
      return;
    }
  ewn_store_delete_journals_below (worker->dir, job->next_gen);
  g_debug ("compacted %s up to record %" G_GUINT64_FORMAT " in %" G_GINT64_FORMAT " µs",
           worker->dir, job->last_seq, g_get_monotonic_time () - begin);
}

/* The main thread asks again for a sync only once this one has begun: records it
 * appends before are covered by it, those after by the next. */
static void
sync_pending (EwnStoreWorker *worker,
              gboolean        now)
{
  EwnStoreJournal *journal = g_steal_pointer (&worker->pending);

  if (journal == NULL)
    return;
  g_atomic_pointer_compare_and_exchange (&worker->sync_queued, journal, NULL);
  if (now)
    sync_journal (worker, journal);
  ewn_store_journal_unref (journal);
}

static Job *
next_job (EwnStoreWorker *worker)
{
  while (worker->pending != NULL)
    {
      gint64 wait = worker->sync_due - g_get_monotonic_time ();
      Job   *job = wait > 0 ? g_async_queue_timeout_pop (worker->queue, (guint64)wait) : NULL;

      if (job != NULL)
        return job;
      sync_pending (worker, TRUE);
    }
  return g_async_queue_pop (worker->queue);
}

static gpointer
worker_main (gpointer data)
{
  EwnStoreWorker *worker = data;

  for (;;)
    {
      Job    *job = next_job (worker);
      JobKind kind = job->kind;

      if (kind == JOB_SYNC)
        {
          if (worker->pending != NULL && worker->pending != job->journal)
            sync_pending (worker, TRUE);
          if (worker->pending == NULL)
            {
              worker->pending = ewn_store_journal_ref (job->journal);
              worker->sync_due = g_get_monotonic_time () + SYNC_DELAY_US;
            }
        }
      else if (kind == JOB_COMPACT)
        {
          /* The compaction syncs the journal it closes. */
          sync_pending (worker, worker->pending != job->journal);
          compact (worker, job);
          g_atomic_int_set (&worker->compacting, FALSE);
        }
      else
        sync_pending (worker, TRUE);
      job_free (job);
      if (kind == JOB_STOP)
        return NULL;
    }
}

EwnStoreWorker *
ewn_store_worker_new (const char *dir)
{
  EwnStoreWorker *worker = g_new0 (EwnStoreWorker, 1);

  worker->dir = g_strdup (dir);
  worker->queue = g_async_queue_new_full ((GDestroyNotify)job_free);
  worker->thread = g_thread_new ("ewn-item-store", worker_main, worker);
  return worker;
}

/* Takes @snapshot. */
static void
push_job (EwnStoreWorker       *worker,
          JobKind               kind,
          EwnStoreJournal      *journal,
          EwnStoreSnapshotFile *snapshot,
          guint64               last_seq,
          guint64               next_gen)
{
  Job *job = g_new0 (Job, 1);

  job->kind = kind;
  job->journal = journal != NULL ? ewn_store_journal_ref (journal) : NULL;
  job->snapshot = snapshot;
  job->last_seq = last_seq;
  job->next_gen = next_gen;
  g_async_queue_push (worker->queue, job);
}

/* Finishes the syncs and the compaction in flight, then frees @worker. Returns how
 * many times it flushed a journal to the disk. */
guint
ewn_store_worker_stop (EwnStoreWorker *worker)
{
  guint n_syncs;

  push_job (worker, JOB_STOP, NULL, NULL, 0, 0);
  g_thread_join (worker->thread);
  n_syncs = worker->n_syncs;
  g_async_queue_unref (worker->queue);
  g_free (worker->dir);
  g_free (worker);
  return n_syncs;
}

/* fdatasync soon (within SYNC_DELAY_US); a sync already queued covers this request
 * too. */
void
ewn_store_worker_sync (EwnStoreWorker  *worker,
                       EwnStoreJournal *journal)
{
  if (g_atomic_pointer_get (&worker->sync_queued) == journal)
    return;
  g_atomic_pointer_set (&worker->sync_queued, journal);
  push_job (worker, JOB_SYNC, journal, NULL, 0, 0);
}

/* How many times a journal was flushed to the disk. */
guint
ewn_store_worker_get_n_syncs (EwnStoreWorker *worker)
{
  return (guint)g_atomic_int_get (&worker->n_syncs);
}

gboolean
ewn_store_worker_get_compacting (EwnStoreWorker *worker)
{
  return g_atomic_int_get (&worker->compacting);
}

/* Installs @snapshot (finished, with everything up to record @last_seq and journals
 * below @next_gen; taken) as the new snapshot, then deletes those journals. @journal
 * is the one just closed. */
void
ewn_store_worker_compact (EwnStoreWorker       *worker,
                          EwnStoreJournal      *journal,
                          EwnStoreSnapshotFile *snapshot,
                          guint64               last_seq,
                          guint64               next_gen)
{
  g_atomic_int_set (&worker->compacting, TRUE);
  push_job (worker, JOB_COMPACT, journal, snapshot, last_seq, next_gen);
}
