/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <gio/gio.h>

#include "ews-records.h"
#include "ewn-item-store.h"

G_BEGIN_DECLS

/* The on-disk format of EwnItemStore, version 1. All integers little-endian; every
 * payload is a serialised GVariant in little-endian byte order.
 *
 * items.snapshot (written atomically, never modified in place):
 *   "EWNS" | u32 version | u64 last_seq | u64 next_gen | u32 payload_len | u32 crc32
 *   | payload of type EWN_STORE_SNAPSHOT_TYPE
 *   The CRC-32 (IEEE) covers the 28 header bytes before it, then the payload.
 *   last_seq is the sequence number of the last journal record the snapshot contains;
 *   next_gen the first journal generation it does not contain.
 *
 * journal-<gen as 16 hex digits> (append only):
 *   "EWNJ" | u32 version, then records:
 *   u32 payload_len | u32 crc32 (of the seq bytes, then the payload) | u64 seq
 *   | payload of type EWN_STORE_RECORD_TYPE
 *   Sequence numbers follow each other across files without a gap: a record whose seq
 *   is not the one expected ends that file's replay. */

#define EWN_STORE_FORMAT_VERSION 1
#define EWN_STORE_SNAPSHOT_NAME  "items.snapshot"
#define EWN_STORE_JOURNAL_PREFIX "journal-"
#define EWN_STORE_TEMP_PREFIX    EWN_STORE_SNAPSHOT_NAME ".tmp-"
#define EWN_STORE_CORRUPT_SUFFIX ".corrupt"

/* kind, id, change_key, parent_folder_id, item_class, subject, body_preview,
 * last_modified_name, last_modified_time, web_client_read_form_query_string, start,
 * end, is_all_day, location, organizer_name, organizer_email, is_cancelled,
 * my_response_type, attendees (name, email, response, required), due_date,
 * task_start_date, status, percent_complete, is_complete, error (domain, code,
 * message). Times are microseconds since the Unix epoch, UTC. */
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

typedef enum
{
  EWN_STORE_OP_FOLDER = 'f',        /* folder id, (msu) mailbox and kind */
  EWN_STORE_OP_SYNC_STATE = 's',    /* folder id, ms */
  EWN_STORE_OP_PRIMED = 'p',        /* folder id, b */
  EWN_STORE_OP_PUT = 'i',           /* item id, EWN_STORE_ENTRY_TYPE */
  EWN_STORE_OP_REMOVE = 'r',        /* item id, () */
  EWN_STORE_OP_SUBSCRIPTIONS = 'u', /* "", as */
} EwnStoreOp;

GVariant *ewn_store_entry_new (const char    *folder_id,
                               const EwsItem *item);
EwsItem  *ewn_store_entry_dup_item (GVariant *entry);

guint32   ewn_store_crc32 (guint32       crc,
                           gconstpointer data,
                           gsize         length);

guint8   *ewn_store_frame_record (guint64   seq,
                                  GVariant *payload,
                                  gsize    *length);
gboolean  ewn_store_write_all (int           fd,
                               gconstpointer data,
                               gsize         length);
gboolean  ewn_store_fsync_dir (const char *dir,
                               GError    **error);
gboolean  ewn_store_write_snapshot (const char *dir,
                                    GVariant   *payload,
                                    guint64     last_seq,
                                    guint64     next_gen,
                                    GError    **error);
GVariant *ewn_store_read_snapshot (const char *file,
                                   guint64    *last_seq,
                                   guint64    *next_gen,
                                   GError    **error);

/* Called for each intact record; returning FALSE ends the file's replay. */
typedef gboolean (*EwnStoreRecordFunc) (guint64   seq,
                                        GVariant *payload,
                                        gpointer  user_data);

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
  GHashTable   *item_ids; /* keys borrowed from the entries */
} EwnStoreFolder;

typedef struct
{
  EwsItem        *item;
  EwnStoreFolder *folder;
  GVariant       *serialised; /* EWN_STORE_ENTRY_TYPE */
} EwnStoreEntry;

typedef struct
{
  GHashTable *folders; /* id → EwnStoreFolder */
  GHashTable *items;   /* id → EwnStoreEntry */
  GStrv       subscription_ids;
  guint64     seq; /* of the last record applied */
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
void            ewn_store_state_put (EwnStoreState *state,
                                     const char    *folder_id,
                                     EwsItem       *item,
                                     GVariant      *serialised);
gboolean        ewn_store_state_remove (EwnStoreState *state,
                                        const char    *item_id);
void            ewn_store_state_apply_snapshot (EwnStoreState *state,
                                                GVariant      *payload);
gboolean        ewn_store_state_replay (guint64   seq,
                                        GVariant *payload,
                                        gpointer  state);
GVariant       *ewn_store_state_snapshot (EwnStoreState *state);

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
void                           ewn_store_worker_compact (EwnStoreWorker  *worker,
                                                         EwnStoreJournal *journal,
                                                         GVariant        *payload,
                                                         guint64          last_seq,
                                                         guint64          next_gen);

/* For tests: how many times the store's journals were flushed to the disk. */
guint                          ewn_item_store_get_n_syncs (EwnItemStore *self);

G_END_DECLS
