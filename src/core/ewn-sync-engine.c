/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ewn-sync"

#include "config.h"

#include "ews-error.h"
#include "ewn-sync-engine.h"

/* Events are hints; SyncFolderItems is the truth. A hint starts a sync of its folder
 * at once; hints that arrive after the last page request was sent ask for exactly one
 * trailing sync. Each page is applied to the store and committed before its changes
 * are announced. */

typedef enum
{
  MODE_NORMAL, /* primed: every delta is announced */
  MODE_FILL,   /* first sync: fill the store silently */
  MODE_RESYNC, /* from scratch over kept items: announce only real differences */
} SyncMode;

typedef struct
{
  EwnSyncEngine *engine;
  char          *id;
  char          *mailbox;
  EwsFolderKind  kind;
  EwsFolderRef  *ref;
  guint          chain; /* bumped by every start and cancel: stale callbacks stop */
  gboolean       syncing;
  gboolean       again;
  gboolean       dirty;
  SyncMode       mode;
  GHashTable    *seen; /* MODE_RESYNC: the ids the server listed this round */
} Folder;

/* A MovedEvent between two watched folders. */
typedef struct
{
  char   *new_id;
  Folder *to;
} MoveHint;

/* How to take back one store mutation of a page whose commit failed. */
typedef struct
{
  const char    *remove_id;
  const char    *folder_id;
  const EwsItem *restore;
  EwsItem       *owned;
} Undo;

typedef struct
{
  Folder    *folder;
  GPtrArray *changes; /* (element-type EwnChange) to announce after the commit */
  GArray    *undo;
} Page;

struct _EwnSyncEngine
{
  GObject       parent_instance;

  EwsClient    *client;
  EwnItemStore *store;
  char         *account_id;
  guint         page_size;
  GPtrArray    *folders;    /* (element-type Folder) */
  GHashTable   *folder_map; /* id → Folder */
  GHashTable   *moves;      /* old ItemId → MoveHint */
  GHashTable   *moves_back; /* new ItemId → old ItemId (borrowed from moves) */
  GPtrArray    *deferred;   /* (element-type EwnChange) created / deleted awaiting a partner */
  GCancellable *cancellable;
  gboolean      busy;
};

G_DEFINE_FINAL_TYPE (EwnSyncEngine, ewn_sync_engine, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

enum
{
  CHANGE,
  FOLDER_SYNCED,
  SYNC_ERROR,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint       signals[N_SIGNALS];

static void        send_page (Folder *folder);

static void
folder_free (Folder *folder)
{
  g_free (folder->id);
  g_free (folder->mailbox);
  ews_folder_ref_free (folder->ref);
  g_clear_pointer (&folder->seen, g_hash_table_unref);
  g_free (folder);
}

static void
move_hint_free (MoveHint *hint)
{
  g_free (hint->new_id);
  g_free (hint);
}

static void
undo_clear (Undo *undo)
{
  g_clear_pointer (&undo->owned, ews_item_free);
}

static Folder *
find_folder (EwnSyncEngine *self,
             const char    *folder_id)
{
  return folder_id != NULL ? g_hash_table_lookup (self->folder_map, folder_id) : NULL;
}

static gboolean
other_folder_syncing (EwnSyncEngine *self,
                      Folder        *folder)
{
  for (guint i = 0; i < self->folders->len; i++)
    {
      Folder *other = g_ptr_array_index (self->folders, i);

      if (other != folder && other->kind == folder->kind && other->syncing)
        return TRUE;
    }
  return FALSE;
}

static void
update_busy (EwnSyncEngine *self)
{
  gboolean busy = FALSE;

  for (guint i = 0; i < self->folders->len && !busy; i++)
    busy = ((Folder *)g_ptr_array_index (self->folders, i))->syncing;

  if (!busy)
    {
      /* Every hinted move has been seen by both its folders (or will be caught up by
       * the next round, which pairs by content). */
      g_hash_table_remove_all (self->moves_back);
      g_hash_table_remove_all (self->moves);
    }

  if (self->busy == busy)
    return;
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
emit_change (EwnSyncEngine *self,
             EwnChange     *change)
{
  g_autoptr (EwnChange) owned = change;

  g_debug ("%s: %s", ewn_change_kind_to_string (owned->kind), owned->folder_id);
  g_signal_emit (self, signals[CHANGE], 0, owned);
}

static gboolean
is_created (EwnChangeKind kind)
{
  return kind == EWN_CHANGE_CREATED || kind == EWN_CHANGE_TASK_CREATED;
}

static gboolean
is_deleted (EwnChangeKind kind)
{
  return kind == EWN_CHANGE_DELETED || kind == EWN_CHANGE_TASK_DELETED;
}

static gboolean
same_time (GDateTime *a,
           GDateTime *b)
{
  return a == NULL || b == NULL ? a == b : g_date_time_equal (a, b);
}

/* Without a MovedEvent, a move is a delete in one folder and a create in another of
 * the same meeting (subject, start, end) or task (subject, due date). */
static gboolean
looks_moved (const EwnChange *a,
             const EwnChange *b)
{
  const EwsItem *x = ewn_change_get_item (a);
  const EwsItem *y = ewn_change_get_item (b);

  if (is_created (a->kind) == is_created (b->kind) || g_strcmp0 (a->folder_id, b->folder_id) == 0)
    return FALSE;
  if (x->kind != y->kind || g_strcmp0 (x->subject, y->subject) != 0)
    return FALSE;
  if (x->kind == EWS_ITEM_KIND_TASK)
    return same_time (x->due_date, y->due_date);
  return same_time (x->start, y->start) && same_time (x->end, y->end);
}

/* Takes ownership of @change (already committed to the store). A created or deleted
 * item may be one half of a move: pair it with a waiting other half, or wait while
 * another folder of the same kind is still syncing. */
static void
announce (EwnSyncEngine *self,
          Folder        *folder,
          EwnChange     *change)
{
  g_autoptr (EwnChange) owned = change;
  g_autoptr (EwnChange) partner = NULL;
  const EwnChange *created, *deleted;
  EwnChange       *moved;

  if (!is_created (owned->kind) && !is_deleted (owned->kind))
    {
      emit_change (self, g_steal_pointer (&owned));
      return;
    }

  for (guint i = 0; i < self->deferred->len && partner == NULL; i++)
    if (looks_moved (g_ptr_array_index (self->deferred, i), owned))
      partner = g_ptr_array_steal_index (self->deferred, i);

  if (partner == NULL)
    {
      if (other_folder_syncing (self, folder))
        g_ptr_array_add (self->deferred, g_steal_pointer (&owned));
      else
        emit_change (self, g_steal_pointer (&owned));
      return;
    }

  created = is_created (owned->kind) ? owned : partner;
  deleted = created == owned ? partner : owned;
  g_debug ("moved from %s to %s", deleted->folder_id, created->folder_id);
  moved = ewn_change_compute (deleted->before, created->after);
  if (moved == NULL)
    return;
  ewn_change_set_origin (moved, created->account, created->mailbox, created->folder_id, created->folder_kind);
  emit_change (self, moved);
}

/* Announces the halves whose folder kind has nothing syncing any more. */
static void
flush_deferred (EwnSyncEngine *self)
{
  guint i = 0;

  while (i < self->deferred->len)
    {
      EwnChange *change = g_ptr_array_index (self->deferred, i);
      Folder    *folder = find_folder (self, change->folder_id);

      if (folder != NULL && other_folder_syncing (self, folder))
        {
          i++;
          continue;
        }
      emit_change (self, g_ptr_array_steal_index (self->deferred, i));
    }
}

static void
page_add (Page      *page,
          EwnChange *change)
{
  EwnSyncEngine *self = page->folder->engine;
  Folder        *folder = page->folder;

  if (change == NULL)
    return;
  ewn_change_set_origin (change, self->account_id, folder->mailbox, folder->id, folder->kind);
  g_ptr_array_add (page->changes, change);
}

static void
page_undo (Page          *page,
           const char    *remove_id,
           const char    *folder_id,
           const EwsItem *restore,
           EwsItem       *owned)
{
  Undo undo = { remove_id, folder_id, owned != NULL ? owned : restore, owned };

  g_array_append_val (page->undo, undo);
}

/* The folder's own id when the store's folder is one of ours: a string that lives as
 * long as the page. */
static const char *
stable_folder_id (Page       *page,
                  const char *folder_id)
{
  Folder *folder = find_folder (page->folder->engine, folder_id);

  return folder != NULL ? folder->id : page->folder->id;
}

/* The snapshot of an item moved by a hinted MoveItem, found under its old id. */
static const EwsItem *
lookup_moved_from (EwnSyncEngine *self,
                   const char    *new_id,
                   const char   **old_id,
                   const char   **folder_id)
{
  *old_id = g_hash_table_lookup (self->moves_back, new_id);
  return *old_id != NULL ? ewn_item_store_lookup (self->store, *old_id, folder_id) : NULL;
}

static void
apply_item (Page          *page,
            EwsSyncChange *delta)
{
  Folder        *folder = page->folder;
  EwnSyncEngine *self = folder->engine;
  const char    *known_folder = NULL;
  const char    *known_id = delta->item_id;
  const EwsItem *known = ewn_item_store_lookup (self->store, delta->item_id, &known_folder);
  gboolean       announce_it = folder->mode != MODE_FILL;
  EwnChange     *change = NULL;

  if (delta->item == NULL)
    return;
  if (folder->seen != NULL)
    g_hash_table_add (folder->seen, g_strdup (delta->item_id));
  if (known == NULL)
    known = lookup_moved_from (self, delta->item_id, &known_id, &known_folder);

  if (known == NULL)
    {
      if (announce_it)
        change = ewn_change_compute (NULL, delta->item);
      page_undo (page, delta->item_id, NULL, NULL, NULL);
    }
  else
    {
      const char *from = stable_folder_id (page, known_folder);
      gboolean    relocated = known_id != delta->item_id || g_strcmp0 (from, folder->id) != 0;

      /* A replayed create is compared like an update: never announced twice. */
      if (announce_it)
        change = ewn_change_compute (known, delta->item);
      /* An unchanged version needs no undo: comparing with it again gives nothing. */
      if (relocated)
        page_undo (page, delta->item_id, from, NULL, ews_item_copy (known));
      else if (change != NULL)
        page_undo (page, NULL, from, change->before, NULL);
      if (relocated)
        ewn_item_store_remove (self->store, known_id);
    }

  page_add (page, change);
  ewn_item_store_put (self->store, folder->id, g_steal_pointer (&delta->item));
}

static void
delete_item (Page       *page,
             const char *item_id)
{
  Folder        *folder = page->folder;
  EwnSyncEngine *self = folder->engine;
  const char    *known_folder = NULL;
  const EwsItem *known = ewn_item_store_lookup (self->store, item_id, &known_folder);
  MoveHint      *hint = g_hash_table_lookup (self->moves, item_id);
  const char    *from;

  /* Known in another folder: it moved there keeping its id, and that folder's sync
   * already took it over. */
  if (known == NULL || g_strcmp0 (known_folder, folder->id) != 0)
    return;

  from = stable_folder_id (page, known_folder);
  if (hint != NULL)
    {
      /* The destination's sync will compare its create with this snapshot. */
      EwsItem *moved = ews_item_copy (known);

      g_free (moved->id);
      moved->id = g_strdup (hint->new_id);
      g_free (moved->parent_folder_id);
      moved->parent_folder_id = g_strdup (hint->to->id);
      page_undo (page, hint->new_id, from, NULL, ews_item_copy (known));
      ewn_item_store_remove (self->store, item_id);
      ewn_item_store_put (self->store, hint->to->id, moved);
      return;
    }

  if (folder->mode != MODE_FILL)
    {
      EwnChange *change = ewn_change_compute (known, NULL);

      page_undo (page, NULL, from, change->before, NULL);
      page_add (page, change);
    }
  ewn_item_store_remove (self->store, item_id);
}

/* End of a resync: what the store kept and the server no longer listed is gone. */
static void
delete_unseen (Page *page)
{
  Folder        *folder = page->folder;
  EwnSyncEngine *self = folder->engine;
  g_autoptr (GPtrArray) ids = ewn_item_store_dup_item_ids (self->store, folder->id);

  for (guint i = 0; ids != NULL && i < ids->len; i++)
    if (!g_hash_table_contains (folder->seen, g_ptr_array_index (ids, i)))
      delete_item (page, g_ptr_array_index (ids, i));
}

static void
rollback (Page       *page,
          const char *old_state,
          gboolean    was_primed)
{
  EwnSyncEngine *self = page->folder->engine;

  for (guint i = page->undo->len; i > 0; i--)
    {
      Undo *undo = &g_array_index (page->undo, Undo, i - 1);

      if (undo->remove_id != NULL)
        ewn_item_store_remove (self->store, undo->remove_id);
      if (undo->restore != NULL)
        ewn_item_store_put (self->store, undo->folder_id, ews_item_copy (undo->restore));
    }
  ewn_item_store_set_sync_state (self->store, page->folder->id, old_state);
  ewn_item_store_set_primed (self->store, page->folder->id, was_primed);
}

static void
end_chain (Folder       *folder,
           const GError *error)
{
  EwnSyncEngine *self = folder->engine;

  folder->syncing = FALSE;
  if (error != NULL)
    {
      folder->dirty = TRUE;
      folder->again = FALSE;
      flush_deferred (self);
      update_busy (self);
      g_signal_emit (self, signals[SYNC_ERROR], 0, folder->id, error);
      return;
    }

  folder->mode = MODE_NORMAL;
  g_clear_pointer (&folder->seen, g_hash_table_unref);
  if (folder->again)
    {
      ewn_sync_engine_sync_folder (self, folder->id);
      return;
    }
  flush_deferred (self);
  update_busy (self);
  g_signal_emit (self, signals[FOLDER_SYNCED], 0, folder->id);
}

static void
start_chain (Folder *folder)
{
  EwnSyncEngine *self = folder->engine;
  const char    *state = ewn_item_store_get_sync_state (self->store, folder->id);

  folder->syncing = TRUE;
  folder->dirty = FALSE;
  folder->chain++;

  if (ewn_item_store_get_primed (self->store, folder->id))
    folder->mode = MODE_NORMAL;
  else if (state == NULL && folder->mode != MODE_FILL && ewn_item_store_get_n_items (self->store, folder->id) > 0)
    folder->mode = MODE_RESYNC;
  else if (folder->mode != MODE_RESYNC)
    folder->mode = MODE_FILL;

  if (folder->mode == MODE_RESYNC && (state == NULL || folder->seen == NULL))
    {
      g_clear_pointer (&folder->seen, g_hash_table_unref);
      folder->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    }
  if (folder->mode != MODE_RESYNC)
    g_clear_pointer (&folder->seen, g_hash_table_unref);

  g_debug ("sync %s (%s)", folder->id, folder->mode == MODE_NORMAL ? "normal" : folder->mode == MODE_FILL ? "fill"
                                                                                                          : "resync");
  update_busy (self);
  send_page (folder);
}

static void
on_page (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Folder *folder = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (EwsSyncResult) sync = NULL;
  g_autoptr (EwnSyncEngine) self = NULL;
  g_autoptr (GPtrArray) changes = NULL;
  g_autoptr (GArray) undo = NULL;
  g_autofree char *old_state = NULL;
  gboolean         was_primed;
  guint            chain;
  Page             page;

  sync = ews_client_sync_folder_items_finish (EWS_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = g_object_ref (folder->engine);
  chain = folder->chain;

  if (sync == NULL)
    {
      if (g_error_matches (error, EWS_ERROR, EWS_ERROR_INVALID_SYNC_STATE) && ewn_item_store_get_sync_state (self->store, folder->id) != NULL)
        {
          /* Start over from nothing; the kept items make it a quiet comparison. */
          g_debug ("invalid sync state for %s: %s", folder->id, error->message);
          ewn_item_store_reset_folder (self->store, folder->id);
          folder->syncing = FALSE;
          start_chain (folder);
          return;
        }
      end_chain (folder, error);
      return;
    }

  changes = g_ptr_array_new_with_free_func ((GDestroyNotify)ewn_change_free);
  undo = g_array_new (FALSE, FALSE, sizeof (Undo));
  g_array_set_clear_func (undo, (GDestroyNotify)undo_clear);
  page = (Page){ folder, changes, undo };

  for (guint i = 0; i < sync->changes->len; i++)
    {
      EwsSyncChange *delta = g_ptr_array_index (sync->changes, i);

      if (delta->type == EWS_SYNC_CHANGE_CREATE || delta->type == EWS_SYNC_CHANGE_UPDATE)
        apply_item (&page, delta);
      else if (delta->type == EWS_SYNC_CHANGE_DELETE)
        delete_item (&page, delta->item_id);
    }
  if (sync->includes_last_item_in_range && folder->mode == MODE_RESYNC)
    delete_unseen (&page);

  old_state = g_strdup (ewn_item_store_get_sync_state (self->store, folder->id));
  was_primed = ewn_item_store_get_primed (self->store, folder->id);
  ewn_item_store_set_sync_state (self->store, folder->id, sync->sync_state);
  if (sync->includes_last_item_in_range)
    ewn_item_store_set_primed (self->store, folder->id, TRUE);

  if (!ewn_item_store_commit (self->store, &error))
    {
      rollback (&page, old_state, was_primed);
      end_chain (folder, error);
      return;
    }

  /* Committed: the whole page is announced even if a handler cancels meanwhile. */
  for (guint i = 0; i < changes->len; i++)
    announce (self, folder, g_steal_pointer (&changes->pdata[i]));
  if (folder->chain != chain)
    return; /* a handler cancelled or restarted the folder */

  if (!sync->includes_last_item_in_range)
    send_page (folder);
  else
    end_chain (folder, NULL);
}

static void
send_page (Folder *folder)
{
  EwnSyncEngine *self = folder->engine;

  /* This request sees every change the server had made when it was sent, so hints
   * received until now need no trailing sync. */
  folder->again = FALSE;
  ews_client_sync_folder_items_async (self->client, folder->ref, folder->kind,
                                      ewn_item_store_get_sync_state (self->store, folder->id),
                                      self->page_size, self->cancellable, on_page, folder);
}

static void
ewn_sync_engine_dispose (GObject *object)
{
  EwnSyncEngine *self = (EwnSyncEngine *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->client);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (ewn_sync_engine_parent_class)->dispose (object);
}

static void
ewn_sync_engine_finalize (GObject *object)
{
  EwnSyncEngine *self = (EwnSyncEngine *)object;

  g_clear_object (&self->cancellable);
  g_hash_table_unref (self->moves_back);
  g_hash_table_unref (self->moves);
  g_hash_table_unref (self->folder_map);
  g_ptr_array_unref (self->folders);
  g_ptr_array_unref (self->deferred);
  g_free (self->account_id);

  G_OBJECT_CLASS (ewn_sync_engine_parent_class)->finalize (object);
}

static void
ewn_sync_engine_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  EwnSyncEngine *self = EWN_SYNC_ENGINE (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ewn_sync_engine_class_init (EwnSyncEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ewn_sync_engine_dispose;
  object_class->finalize = ewn_sync_engine_finalize;
  object_class->get_property = ewn_sync_engine_get_property;

  /**
   * EwnSyncEngine:busy:
   *
   * Whether a sync of any folder is in flight.
   */
  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                                                G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EwnSyncEngine::change:
   * @change: the change, its origin set
   *
   * Emitted for every change a person would notice, after the sync page that produced
   * it was committed to the store. Never during the first sync of a folder.
   */
  signals[CHANGE] = g_signal_new ("change", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                  NULL, NULL, NULL, G_TYPE_NONE, 1,
                                  EWN_TYPE_CHANGE | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * EwnSyncEngine::folder-synced:
   * @folder_id: the folder
   *
   * Emitted when a sync of the folder reached IncludesLastItemInRange and no further
   * sync of it is pending.
   */
  signals[FOLDER_SYNCED] = g_signal_new ("folder-synced", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 1,
                                         G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * EwnSyncEngine::sync-error:
   * @folder_id: the folder
   * @error: what failed
   *
   * Emitted when a sync of the folder failed. The engine does not retry by itself
   * (except after an invalid sync state): the next hint or catch-up does.
   */
  signals[SYNC_ERROR] = g_signal_new ("sync-error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                      NULL, NULL, NULL, G_TYPE_NONE, 2,
                                      G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                                      G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
ewn_sync_engine_init (EwnSyncEngine *self)
{
  self->page_size = EWN_SYNC_ENGINE_DEFAULT_PAGE_SIZE;
  self->folders = g_ptr_array_new_with_free_func ((GDestroyNotify)folder_free);
  self->folder_map = g_hash_table_new (g_str_hash, g_str_equal);
  self->moves = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)move_hint_free);
  self->moves_back = g_hash_table_new (g_str_hash, g_str_equal);
  self->deferred = g_ptr_array_new_with_free_func ((GDestroyNotify)ewn_change_free);
  self->cancellable = g_cancellable_new ();
}

/**
 * ewn_sync_engine_new:
 * @client: the account's client
 * @store: the account's item store, loaded
 * @account_id: (nullable): the account id recorded in every change
 *
 * Returns: (transfer full): a new engine watching no folder yet
 */
EwnSyncEngine *
ewn_sync_engine_new (EwsClient    *client,
                     EwnItemStore *store,
                     const char   *account_id)
{
  EwnSyncEngine *self;

  g_return_val_if_fail (EWS_IS_CLIENT (client), NULL);
  g_return_val_if_fail (EWN_IS_ITEM_STORE (store), NULL);

  self = g_object_new (EWN_TYPE_SYNC_ENGINE, NULL);
  self->client = g_object_ref (client);
  self->store = g_object_ref (store);
  self->account_id = g_strdup (account_id);
  return self;
}

/**
 * ewn_sync_engine_set_page_size:
 * @self: an #EwnSyncEngine
 * @max_changes: MaxChangesReturned, 1–512
 */
void
ewn_sync_engine_set_page_size (EwnSyncEngine *self,
                               guint          max_changes)
{
  g_return_if_fail (EWN_IS_SYNC_ENGINE (self));
  g_return_if_fail (max_changes >= 1 && max_changes <= 512);

  self->page_size = max_changes;
}

/**
 * ewn_sync_engine_add_folder:
 * @self: an #EwnSyncEngine
 * @folder_id: the real FolderId
 * @mailbox: (nullable): the SMTP address of another mailbox, %NULL for the own one
 * @kind: calendar or tasks
 *
 * Watches a folder; registers it in the store when the store does not know it.
 * Nothing is synced until a hint, ewn_sync_engine_sync_folder() or a catch-up.
 */
void
ewn_sync_engine_add_folder (EwnSyncEngine *self,
                            const char    *folder_id,
                            const char    *mailbox,
                            EwsFolderKind  kind)
{
  Folder *folder;

  g_return_if_fail (EWN_IS_SYNC_ENGINE (self));
  g_return_if_fail (folder_id != NULL);

  if (find_folder (self, folder_id) != NULL)
    return;
  if (!ewn_item_store_has_folder (self->store, folder_id))
    ewn_item_store_add_folder (self->store, folder_id, mailbox, kind);

  folder = g_new0 (Folder, 1);
  folder->engine = self;
  folder->id = g_strdup (folder_id);
  folder->mailbox = g_strdup (mailbox);
  folder->kind = kind;
  folder->ref = ews_folder_ref_new_id (folder_id, NULL);
  g_ptr_array_add (self->folders, folder);
  g_hash_table_insert (self->folder_map, folder->id, folder);
}

/**
 * ewn_sync_engine_hint:
 * @self: an #EwnSyncEngine
 * @event: an event from any hint source
 *
 * Syncs the watched folders the event names (ParentFolderId, OldParentFolderId, or
 * the FolderId of a folder event). A MovedEvent between two watched folders is
 * remembered so the move is not announced as a delete and a create.
 */
void
ewn_sync_engine_hint (EwnSyncEngine  *self,
                      const EwsEvent *event)
{
  Folder *to, *from;

  g_return_if_fail (EWN_IS_SYNC_ENGINE (self));
  g_return_if_fail (event != NULL);

  if (event->is_folder)
    {
      to = find_folder (self, event->id);
      if (to != NULL)
        ewn_sync_engine_sync_folder (self, to->id);
      return;
    }

  to = find_folder (self, event->parent_folder_id);
  from = find_folder (self, event->old_parent_folder_id);
  if (event->type == EWS_EVENT_TYPE_MOVED && to != NULL && from != NULL && event->id != NULL && event->old_id != NULL && !g_hash_table_contains (self->moves, event->old_id))
    {
      MoveHint *hint = g_new0 (MoveHint, 1);
      char     *old_id = g_strdup (event->old_id);

      hint->new_id = g_strdup (event->id);
      hint->to = to;
      g_hash_table_insert (self->moves, old_id, hint);
      g_hash_table_insert (self->moves_back, hint->new_id, old_id);
    }

  if (to != NULL)
    ewn_sync_engine_sync_folder (self, to->id);
  if (from != NULL && from != to)
    ewn_sync_engine_sync_folder (self, from->id);
}

/**
 * ewn_sync_engine_sync_folder:
 * @self: an #EwnSyncEngine
 * @folder_id: a watched folder
 *
 * Syncs the folder now; while a sync of it runs, asks for exactly one trailing sync.
 */
void
ewn_sync_engine_sync_folder (EwnSyncEngine *self,
                             const char    *folder_id)
{
  Folder *folder;

  g_return_if_fail (EWN_IS_SYNC_ENGINE (self));

  folder = find_folder (self, folder_id);
  g_return_if_fail (folder != NULL);

  if (folder->syncing)
    folder->again = TRUE;
  else
    start_chain (folder);
}

/**
 * ewn_sync_engine_catch_up:
 * @self: an #EwnSyncEngine
 *
 * Syncs every watched folder; for start-up and after every gap.
 */
void
ewn_sync_engine_catch_up (EwnSyncEngine *self)
{
  g_return_if_fail (EWN_IS_SYNC_ENGINE (self));

  for (guint i = 0; i < self->folders->len; i++)
    ewn_sync_engine_sync_folder (self, ((Folder *)g_ptr_array_index (self->folders, i))->id);
}

/**
 * ewn_sync_engine_cancel:
 * @self: an #EwnSyncEngine
 *
 * Stops every sync in flight. The folders stay marked; the next catch-up syncs them.
 */
void
ewn_sync_engine_cancel (EwnSyncEngine *self)
{
  g_return_if_fail (EWN_IS_SYNC_ENGINE (self));

  g_cancellable_cancel (self->cancellable);
  g_object_unref (self->cancellable);
  self->cancellable = g_cancellable_new ();

  for (guint i = 0; i < self->folders->len; i++)
    {
      Folder *folder = g_ptr_array_index (self->folders, i);

      folder->dirty = folder->dirty || folder->syncing || folder->again;
      folder->syncing = FALSE;
      folder->again = FALSE;
      folder->chain++;
    }
  update_busy (self);
}

gboolean
ewn_sync_engine_get_busy (EwnSyncEngine *self)
{
  g_return_val_if_fail (EWN_IS_SYNC_ENGINE (self), FALSE);

  return self->busy;
}
