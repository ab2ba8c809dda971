/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include "ewn-sync-engine.h"

G_BEGIN_DECLS

/* Shared by ewn-sync-engine.c (the object, its folders and their chains of page
 * requests), ewn-sync-engine-folder.c (a folder and the engine's counts of them) and
 * ewn-sync-engine-page.c (a page applied to the store, taken back or announced). */

typedef enum
{
  EWN_SYNC_MODE_NORMAL, /* primed: every delta is announced */
  EWN_SYNC_MODE_FILL,   /* first sync: fill the store silently */
  EWN_SYNC_MODE_RESYNC, /* from scratch over kept items: announce only real differences */
} EwnSyncMode;

typedef struct
{
  EwnSyncEngine *engine;
  char          *id;
  char          *mailbox;
  EwsFolderKind  kind;
  EwsFolderRef  *ref;
  guint          chain;       /* bumped by every start and cancel: stale callbacks stop */
  guint64        started_seq; /* the engine's chain_seq when the current chain began */
  gboolean       syncing;
  gboolean       page_sent; /* a page request is in flight */
  gboolean       waiting;   /* in the engine's queue of page requests not sent yet */
  gboolean       again;
  gboolean       dirty;
  gboolean       may_remove;       /* what asked for the next sync may have taken an item out */
  gboolean       chain_may_remove; /* the same, of the chain running */
  EwnSyncMode    mode;
  GHashTable    *seen; /* EWN_SYNC_MODE_RESYNC: the ids the server listed this round */
} EwnSyncFolder;

/* A MovedEvent between two watched folders. */
typedef struct
{
  char          *new_id;
  EwnSyncFolder *to;
} EwnSyncMoveHint;

/* A created or deleted item held back in case it is half of a move. In a burst over
 * many folders most of them wait a while, so one waits in a single block: the move
 * key, then the item in the compact form of the item store. */
typedef struct _EwnSyncDeferred EwnSyncDeferred;

struct _EwnSyncDeferred
{
  GList            link;          /* in the engine's queue; data is this */
  EwnSyncDeferred *next_same_key; /* the next one with this key, oldest first */
  EwnSyncDeferred *last_same_key; /* in the first one with a key: the newest */
  EwnSyncFolder   *folder;        /* where it was seen: the change's origin */
  guint64          seq;           /* chain_seq when it was deferred */
  gint64           time;          /* of the change, µs since the epoch */
  EwnChangeKind    kind;
  guint32          record_length;
  char             data[]; /* the key, NUL, the record */
};

typedef struct
{
  EwnSyncFolder *folder;
  GPtrArray     *changes; /* (element-type EwnChange) to announce after the commit */
} EwnSyncPage;

struct _EwnSyncEngine
{
  GObject       parent_instance;

  EwsClient    *client;
  EwnItemStore *store;
  char         *account_id;
  guint         page_size;
  GPtrArray    *folders;         /* (element-type EwnSyncFolder) */
  GHashTable   *folder_map;      /* id → EwnSyncFolder */
  GHashTable   *moves;           /* old ItemId → EwnSyncMoveHint */
  GHashTable   *moves_back;      /* new ItemId → old ItemId (borrowed from moves) */
  GQueue        deferred;        /* (element-type EwnSyncDeferred) halves of a move awaiting a partner, oldest first */
  GHashTable   *deferred_by_key; /* move key → the oldest EwnSyncDeferred with it */
  GByteArray   *scratch;
  guint         pages_in_flight; /* page requests sent and not answered */
  GQueue        waiting;         /* (element-type EwnSyncFolder) folders whose next page waits its turn */
  guint64       chain_seq;       /* counts chain starts */
  GCancellable *cancellable;
  gboolean      busy;
  gboolean      store_failing; /* the last commit failed */
  gboolean      debug_changes; /* each change goes to the debug log */
  guint         deltas_since_trim;
  guint         n_syncing[EWS_FOLDER_KIND_TASKS + 1];  /* folders syncing, by kind */
  guint         n_removing[EWS_FOLDER_KIND_TASKS + 1]; /* of those, the ones that may report an item gone */
};

/* ewn-sync-engine.c */

EwnSyncFolder *ewn_sync_engine_find_folder (EwnSyncEngine *self,
                                            const char    *folder_id);
/* Takes ownership of @change and emits EwnSyncEngine::change. */
void           ewn_sync_engine_emit_change (EwnSyncEngine *self,
                                            EwnChange     *change);

/* ewn-sync-engine-folder.c */

EwnSyncFolder *ewn_sync_folder_new (EwnSyncEngine *engine,
                                    const char    *folder_id,
                                    const char    *mailbox,
                                    EwsFolderKind  kind);
void           ewn_sync_folder_free (EwnSyncFolder *folder);
gboolean       ewn_sync_folder_is_removing (const EwnSyncFolder *folder);
void           ewn_sync_folder_set_syncing (EwnSyncFolder *folder,
                                            gboolean       syncing);
void           ewn_sync_folder_set_removal (EwnSyncFolder *folder,
                                            gboolean       asked,
                                            gboolean       running);

/* ewn-sync-engine-page.c */

void           ewn_sync_page_init (EwnSyncPage   *page,
                                   EwnSyncFolder *folder);
void           ewn_sync_page_clear (EwnSyncPage *page);
void           ewn_sync_page_apply (EwnSyncPage   *page,
                                    EwsSyncResult *sync);
void           ewn_sync_page_announce (EwnSyncPage *page);
void           ewn_sync_engine_flush_deferred (EwnSyncEngine *self);
void           ewn_sync_engine_clear_deferred (EwnSyncEngine *self);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (EwnSyncPage, ewn_sync_page_clear)

G_END_DECLS
