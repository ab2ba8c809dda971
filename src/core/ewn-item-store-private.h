/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <string.h>

#include <gio/gio.h>

#include "ews-records.h"
#include "ewn-item-store.h"

G_BEGIN_DECLS

/* The on-disk format of EwnItemStore. All integers little-endian.
 *
 * items.snapshot (written atomically, never modified in place):
 *   "EWNS" | u32 version | u64 last_seq | u64 next_gen | u32 payload_len | u32 crc32
 *   | payload
 *   The CRC-32 (IEEE) covers the 28 header bytes before it, then the payload (version
 *   1), or the payload, then those 28 bytes (version 2: written as it is made).
 *   last_seq is the sequence number of the last journal record the snapshot contains;
 *   next_gen the first journal generation it does not contain.
 *
 * journal-<gen as 16 hex digits> (append only):
 *   "EWNJ" | u32 version, then records:
 *   u32 payload_len | u32 crc32 (of the seq bytes, then the payload) | u64 seq
 *   | payload
 *   Sequence numbers follow each other across files without a gap: a record whose seq
 *   is not the one expected ends that file's replay.
 *
 * Version 2 (written now): payloads in the compact form of ewn-item-store-format.c,
 *   described there. Version 1 (read, so the state of earlier releases loads):
 *   payloads are serialised GVariants in little-endian byte order, of type
 *   EWN_STORE_SNAPSHOT_TYPE and EWN_STORE_RECORD_TYPE. A version 1 snapshot and
 *   version 1 journals may be followed by version 2 journals; the next compaction
 *   writes a version 2 snapshot. */

#define EWN_STORE_FORMAT_VERSION   2
#define EWN_STORE_FORMAT_VERSION_1 1
#define EWN_STORE_SNAPSHOT_NAME    "items.snapshot"
#define EWN_STORE_JOURNAL_PREFIX   "journal-"
#define EWN_STORE_TEMP_PREFIX      EWN_STORE_SNAPSHOT_NAME ".tmp-"
#define EWN_STORE_CORRUPT_SUFFIX   ".corrupt"

#define EWN_STORE_SNAPSHOT_HEADER_SIZE 32
#define EWN_STORE_JOURNAL_HEADER_SIZE  8
#define EWN_STORE_RECORD_HEADER_SIZE   16

/* Version 1 types. kind, id, change_key, parent_folder_id, item_class, subject,
 * body_preview, last_modified_name, last_modified_time,
 * web_client_read_form_query_string, start, end, is_all_day, location,
 * organizer_name, organizer_email, is_cancelled, my_response_type, attendees (name,
 * email, response, required), due_date, task_start_date, status, percent_complete,
 * is_complete, error (domain, code, message). Times are microseconds since the Unix
 * epoch, UTC. */
#define EWN_STORE_ITEM_TYPE "(umsmsmsmsmsmsmsmxmsmxmxbmsmsmsbmsma(msmsmsb)mxmxuibm(sis))"
/* An item with the FolderId it is stored under. */
#define EWN_STORE_ENTRY_TYPE "(s" EWN_STORE_ITEM_TYPE ")"
/* id, mailbox, kind, sync state, primed */
#define EWN_STORE_FOLDER_TYPE   "(smsumsb)"
#define EWN_STORE_SNAPSHOT_TYPE "(a" EWN_STORE_FOLDER_TYPE "a" EWN_STORE_ENTRY_TYPE "as)"
/* One mutation: an EwnStoreOp, a key (FolderId or ItemId) and a value whose type
 * the op fixes. */
#define EWN_STORE_OP_TYPE     "(ysv)"
#define EWN_STORE_RECORD_TYPE "a" EWN_STORE_OP_TYPE

/* The mutations of a journal record, in both versions. */
typedef enum
{
  EWN_STORE_OP_FOLDER = 'f',        /* folder id, mailbox and kind */
  EWN_STORE_OP_SYNC_STATE = 's',    /* folder id, sync state or none */
  EWN_STORE_OP_PRIMED = 'p',        /* folder id, boolean */
  EWN_STORE_OP_PUT = 'i',           /* folder id (v1: inside the entry), item */
  EWN_STORE_OP_REMOVE = 'r',        /* item id */
  EWN_STORE_OP_SUBSCRIPTIONS = 'u', /* the subscription ids */
} EwnStoreOp;

/* Strings many items share (organizers, subjects of a series, item classes), kept
 * once in memory and named by an index in the items' records. */
typedef struct
{
  GHashTable *index; /* text → index + 1 */
  GArray     *slots; /* EwnStorePoolSlot by index */
  GArray     *free;  /* guint32 indices of empty slots */
} EwnStorePool;

void        ewn_store_pool_init (EwnStorePool *pool);
void        ewn_store_pool_clear (EwnStorePool *pool);
guint32     ewn_store_pool_ref (EwnStorePool *pool,
                                const char   *text);
void        ewn_store_pool_unref (EwnStorePool *pool,
                                  guint32       index);
const char *ewn_store_pool_get (EwnStorePool *pool,
                                guint32       index);

/* Items in the compact form (ewn-item-store-format.c). A record starts with the
 * ItemId and its NUL. In memory, shared strings are pool indices; on disk every
 * string is in the record. */
void        ewn_store_record_encode (GByteArray    *out,
                                     const EwsItem *item,
                                     const char    *folder_id,
                                     EwnStorePool  *pool);
EwsItem    *ewn_store_record_decode (const guint8 *record,
                                     gsize         length,
                                     const char   *folder_id,
                                     EwnStorePool *pool);
gboolean    ewn_store_record_check (const guint8 *record,
                                    gsize         length);
void        ewn_store_record_unpool (GByteArray   *out,
                                     const guint8 *record,
                                     gsize         length,
                                     EwnStorePool *pool);
void        ewn_store_record_pool (GByteArray   *out,
                                   const guint8 *record,
                                   gsize         length,
                                   EwnStorePool *pool);
void        ewn_store_record_release (const guint8 *record,
                                      gsize         length,
                                      EwnStorePool *pool);

/* Framing of the compact payloads. */
#define EWN_STORE_VARINT_MAX 10
guint ewn_store_encode_varint (guint8 *bytes,
                               guint64 value);
void  ewn_store_put_varint (GByteArray *out,
                            guint64     value);
void  ewn_store_put_string (GByteArray *out,
                            const char *text);
void  ewn_store_put_nullable (GByteArray *out,
                              const char *text);

/* Appends to a byte array through an offset, making room a chunk at a time: a record
 * is written a few bytes at a time, dozens of times, and for every item of every
 * snapshot. Ends with ewn_store_writer_finish(), which gives the array its real
 * length. A writer on %NULL writes nothing and must not be put to. */
typedef struct
{
  GByteArray *out;
  gsize       pos; /* where the next byte goes */
  gsize       end; /* the room made so far */
} EwnStoreWriter;

void ewn_store_writer_init (EwnStoreWriter *writer,
                            GByteArray     *out);
void ewn_store_writer_grow (EwnStoreWriter *writer,
                            gsize           length);
void ewn_store_writer_finish (EwnStoreWriter *writer);

static inline void
ewn_store_writer_put (EwnStoreWriter *writer,
                      const void     *data,
                      gsize           length)
{
  if (G_UNLIKELY (writer->end - writer->pos < length))
    ewn_store_writer_grow (writer, length);
  memcpy (writer->out->data + writer->pos, data, length);
  writer->pos += length;
}

static inline void
ewn_store_writer_put_varint (EwnStoreWriter *writer,
                             guint64         value)
{
  if (G_UNLIKELY (writer->end - writer->pos < EWN_STORE_VARINT_MAX))
    ewn_store_writer_grow (writer, EWN_STORE_VARINT_MAX);
  writer->pos += ewn_store_encode_varint (writer->out->data + writer->pos, value);
}

typedef struct
{
  const guint8 *pos;
  const guint8 *end;
  gboolean      failed;
} EwnStoreReader;

guint64                              ewn_store_read_varint (EwnStoreReader *reader);
guint8                               ewn_store_read_byte (EwnStoreReader *reader);
char                                *ewn_store_read_string (EwnStoreReader *reader,
                                                            gboolean        nullable);
const guint8                        *ewn_store_read_bytes (EwnStoreReader *reader,
                                                           gsize           length);

guint32                              ewn_store_crc32 (guint32       crc,
                                                      gconstpointer data,
                                                      gsize         length);

void                                 ewn_store_frame_record (guint8 *record,
                                                             gsize   length,
                                                             guint64 seq);
gboolean                             ewn_store_write_all (int           fd,
                                                          gconstpointer data,
                                                          gsize         length);
gboolean                             ewn_store_fsync_dir (const char *dir,
                                                          GError    **error);
/* A new snapshot, written as it is made (ewn-item-store-file.c). */
typedef struct _EwnStoreSnapshotFile EwnStoreSnapshotFile;

EwnStoreSnapshotFile                *ewn_store_snapshot_file_new (const char *dir,
                                                                  GError    **error);
void                                 ewn_store_snapshot_file_free (EwnStoreSnapshotFile *file);
GByteArray                          *ewn_store_snapshot_file_get_buffer (EwnStoreSnapshotFile *file);
void                                 ewn_store_snapshot_file_flush (EwnStoreSnapshotFile *file,
                                                                    gboolean              all);
guint64                              ewn_store_snapshot_file_get_length (EwnStoreSnapshotFile *file);
gboolean                             ewn_store_snapshot_file_finish (EwnStoreSnapshotFile *file,
                                                                     guint64               last_seq,
                                                                     guint64               next_gen,
                                                                     GError              **error);
gboolean                             ewn_store_snapshot_file_install (EwnStoreSnapshotFile *file,
                                                                      const char           *dir,
                                                                      GError              **error);

/* Called for each intact record; returning FALSE ends the file's replay. */
typedef gboolean (*EwnStoreRecordFunc) (guint32  version,
                                        guint64  seq,
                                        GBytes  *payload,
                                        gpointer user_data);

GBytes  *ewn_store_read_snapshot (const char *file,
                                  guint32    *version,
                                  guint64    *last_seq,
                                  guint64    *next_gen,
                                  GError    **error);
/* FALSE only when the file cannot be read or its header is not ours; a torn or
 * damaged record just ends the replay. */
gboolean ewn_store_read_journal (const char        *file,
                                 EwnStoreRecordFunc func,
                                 gpointer           user_data,
                                 GError           **error);

/* The in-memory state (ewn-item-store-state.c) */

typedef struct
{
  char         *id;
  char         *mailbox;
  EwsFolderKind kind;
  char         *sync_state;
  gboolean      primed;
  guint32       index; /* in EwnStoreState.folder_list, named by the items */
  guint         n_items;
} EwnStoreFolder;

/* One item: a single block, its record in memory form. The record begins with the
 * ItemId, so @data is also the item's key. */
typedef struct
{
  guint32 folder;
  guint32 length;
  guint8  data[];
} EwnStoreEntry;

#define EWN_STORE_ENTRY(key) ((EwnStoreEntry *)((guint8 *)(key)-G_STRUCT_OFFSET (EwnStoreEntry, data)))

/* Where the entries live: slabs of their own, so that the many small blocks a store
 * keeps for long are not scattered among the short-lived allocations of a burst
 * (which pinned the process's heap at its highest), and a free block is reused by
 * the next entry of its size. */
#define EWN_STORE_ARENA_CLASSES 64 /* sizes up to 1 KiB, in steps of 16 bytes */

typedef struct
{
  GPtrArray *slabs;
  guint8    *next; /* unused rest of the newest slab */
  gsize      left;
  gpointer   free_lists[EWN_STORE_ARENA_CLASSES + 1];
} EwnStoreArena;

typedef struct
{
  GHashTable   *folders;     /* id → EwnStoreFolder (owned by folder_list) */
  GPtrArray    *folder_list; /* EwnStoreFolder by index */
  GHashTable   *items;       /* the set of EwnStoreEntry.data, that is ItemIds */
  EwnStorePool  pool;
  EwnStoreArena arena;
  GStrv         subscription_ids;
  guint64       seq; /* of the last record applied */
  GByteArray   *scratch;
} EwnStoreState;

void            ewn_store_state_init (EwnStoreState *state);
void            ewn_store_state_clear (EwnStoreState *state);
void            ewn_store_state_destroy (EwnStoreState *state);
EwnStoreFolder *ewn_store_state_ensure_folder (EwnStoreState *state,
                                               const char    *folder_id);
void            ewn_store_state_set_folder (EwnStoreState *state,
                                            const char    *folder_id,
                                            const char    *mailbox,
                                            EwsFolderKind  kind);
EwnStoreEntry  *ewn_store_state_lookup (EwnStoreState *state,
                                        const char    *item_id);
EwnStoreFolder *ewn_store_state_entry_folder (EwnStoreState *state,
                                              EwnStoreEntry *entry);
void            ewn_store_state_put (EwnStoreState *state,
                                     const char    *folder_id,
                                     const EwsItem *item);
void            ewn_store_state_put_record (EwnStoreState *state,
                                            const char    *folder_id,
                                            const guint8  *record,
                                            gsize          length);
gboolean        ewn_store_state_remove (EwnStoreState *state,
                                        const char    *item_id);
gboolean        ewn_store_state_load_snapshot (EwnStoreState *state,
                                               guint32        version,
                                               GBytes        *payload);
gboolean        ewn_store_state_replay (guint32  version,
                                        guint64  seq,
                                        GBytes  *payload,
                                        gpointer state);
void            ewn_store_state_write_snapshot (EwnStoreState        *state,
                                                EwnStoreSnapshotFile *file);

/* Version 1, only read (ewn-item-store-v1.c) */
gboolean        ewn_store_state_load_v1_snapshot (EwnStoreState *state,
                                                  GBytes        *bytes);
gboolean        ewn_store_state_replay_v1 (EwnStoreState *state,
                                           GBytes        *bytes);

/* Journals and the worker thread (ewn-item-store-disk.c) */

typedef struct
{
  gatomicrefcount ref;
  int             fd;
  guint64         gen;
  gboolean        dir_synced; /* worker only */
} EwnStoreJournal;

EwnStoreJournal               *ewn_store_journal_create (const char *dir,
                                                         guint64    *next_gen,
                                                         GError    **error);
EwnStoreJournal               *ewn_store_journal_ref (EwnStoreJournal *journal);
void                           ewn_store_journal_unref (EwnStoreJournal *journal);
char                          *ewn_store_journal_path (const char *dir,
                                                       guint64     gen);
void                           ewn_store_delete_journals_below (const char *dir,
                                                                guint64     gen);
GArray                        *ewn_store_scan_folder (const char *dir,
                                                      gboolean   *has_snapshot,
                                                      GError    **error);
void                           ewn_store_move_aside (const char *dir,
                                                     GArray     *gens);

typedef struct _EwnStoreWorker EwnStoreWorker;

EwnStoreWorker                *ewn_store_worker_new (const char *dir);
guint                          ewn_store_worker_stop (EwnStoreWorker *worker);
void                           ewn_store_worker_sync (EwnStoreWorker  *worker,
                                                      EwnStoreJournal *journal);
gboolean                       ewn_store_worker_get_compacting (EwnStoreWorker *worker);
guint                          ewn_store_worker_get_n_syncs (EwnStoreWorker *worker);
void                           ewn_store_worker_compact (EwnStoreWorker       *worker,
                                                         EwnStoreJournal      *journal,
                                                         EwnStoreSnapshotFile *snapshot,
                                                         guint64               last_seq,
                                                         guint64               next_gen);

/* The object itself, shared by ewn-item-store.c (loading, committing, compaction)
 * and ewn-item-store-access.c (folders, items, subscriptions). */
struct _EwnItemStore
{
  GObject          parent_instance;

  char            *path;
  EwnStoreState    state;
  GByteArray      *pending; /* a record header, then the ops not committed yet */

  EwnStoreJournal *journal; /* the newest, the only file appended to */
  gsize            journal_bytes;
  guint64          next_gen; /* of the next journal to create */
  gsize            compact_threshold;
  gboolean         compaction_held; /* a burst of commits runs */
  gsize            snapshot_bytes;  /* of the last snapshot made */
  gboolean         dirty;           /* journals exist that no snapshot contains */
  EwnStoreWorker  *worker;
  guint            n_syncs; /* of the workers stopped so far */
};

GByteArray *ewn_item_store_add_op (EwnItemStore *self,
                                   EwnStoreOp    op,
                                   const char   *key);

/* For tests: how many times the store's journals were flushed to the disk. */
guint       ewn_item_store_get_n_syncs (EwnItemStore *self);

G_END_DECLS
