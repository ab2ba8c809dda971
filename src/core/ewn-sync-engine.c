/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ewn-sync"

#include "config.h"

#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "ews-error.h"
#include "ews-string-private.h"
#include "ewn-sync-engine.h"
#include "ewn-sync-engine-private.h"

/* Once this many deltas were applied since the last time, the memory their pages
 * took is handed back to the system when the engine comes to rest: glibc otherwise
 * keeps for the process whatever a burst freed. */
#define TRIM_AFTER_DELTAS 2048

/* Page requests in flight at once, as many as libsoup opens connections to a host:
 * the others wait in the engine, in turn, rather than in libsoup's queue, which is
 * gone through whole whenever a request can start. A folder that needs its next page
 * goes behind those already waiting, so one busy folder cannot hold up the rest. */
#define MAX_PAGES_IN_FLIGHT 2

/* Events are hints; SyncFolderItems is the truth. A hint starts a sync of its folder
 * at once; hints that arrive after the last page request was sent ask for exactly one
 * trailing sync. Each page is applied to the store and committed before its changes
 * are announced. */

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
  STORE_PROBLEM,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint       signals[N_SIGNALS];

static void        start_chain (EwnSyncFolder *folder);
static void        send_page (EwnSyncFolder *folder);
static void        send_waiting (EwnSyncEngine *self);
static void        handle_page (EwnSyncFolder *folder,
                                EwsSyncResult *sync,
                                const GError  *error);

static void
move_hint_free (EwnSyncMoveHint *hint)
{
  g_free (hint->new_id);
  g_free (hint);
}

EwnSyncFolder *
ewn_sync_engine_find_folder (EwnSyncEngine *self,
                             const char    *folder_id)
{
  return folder_id != NULL ? g_hash_table_lookup (self->folder_map, folder_id) : NULL;
}

static void
update_busy (EwnSyncEngine *self)
{
  gboolean busy = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (self->n_syncing) && !busy; i++)
    busy = self->n_syncing[i] > 0;

  if (!busy)
    {
      /* At rest, no page request is out or waiting its turn, and no sync counts as
       * one that may report an item gone. */
      g_warn_if_fail (self->pages_in_flight == 0 && g_queue_is_empty (&self->waiting));
      for (guint i = 0; i < G_N_ELEMENTS (self->n_removing); i++)
        g_warn_if_fail (self->n_removing[i] == 0);
      /* Every hinted move has been seen by both its folders (or will be caught up by
       * the next round, which pairs by content). */
      g_hash_table_remove_all (self->moves_back);
      g_hash_table_remove_all (self->moves);
    }

  if (self->busy == busy)
    return;
  /* A burst's pages are committed one after another: the store's snapshot waits
   * until the engine rests. */
  ewn_item_store_hold_compaction (self->store, busy);
  if (!busy && self->deltas_since_trim >= TRIM_AFTER_DELTAS)
    {
#ifdef __GLIBC__
      malloc_trim (0);
#endif
      self->deltas_since_trim = 0;
    }
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

void
ewn_sync_engine_emit_change (EwnSyncEngine *self,
                             EwnChange     *change)
{
  g_autoptr (EwnChange) owned = change;

  /* g_debug() formats its message even when it is dropped: not once per change. */
  if (self->debug_changes)
    g_debug ("%s: %s", ewn_change_kind_to_string (owned->kind), owned->folder_id);
  g_signal_emit (self, signals[CHANGE], 0, owned);
}

static void
end_chain (EwnSyncFolder *folder,
           const GError  *error)
{
  EwnSyncEngine *self = folder->engine;

  ewn_sync_folder_set_syncing (folder, FALSE);
  if (error != NULL)
    {
      folder->dirty = TRUE;
      folder->again = FALSE;
      ewn_sync_folder_set_removal (folder, FALSE, FALSE);
      ewn_sync_engine_flush_deferred (self);
      update_busy (self);
      g_signal_emit (self, signals[SYNC_ERROR], 0, folder->id, error);
      return;
    }

  folder->mode = EWN_SYNC_MODE_NORMAL;
  g_clear_pointer (&folder->seen, g_hash_table_unref);
  if (folder->again)
    {
      start_chain (folder);
      return;
    }
  ewn_sync_folder_set_removal (folder, FALSE, FALSE);
  ewn_sync_engine_flush_deferred (self);
  update_busy (self);
  g_signal_emit (self, signals[FOLDER_SYNCED], 0, folder->id);
}

static void
start_chain (EwnSyncFolder *folder)
{
  EwnSyncEngine *self = folder->engine;
  const char    *state = ewn_item_store_get_sync_state (self->store, folder->id);

  ewn_sync_folder_set_syncing (folder, TRUE);
  folder->dirty = FALSE;
  folder->chain++;
  folder->started_seq = ++self->chain_seq;

  if (ewn_item_store_get_primed (self->store, folder->id))
    folder->mode = EWN_SYNC_MODE_NORMAL;
  else if (state == NULL && folder->mode != EWN_SYNC_MODE_FILL && ewn_item_store_get_n_items (self->store, folder->id) > 0)
    folder->mode = EWN_SYNC_MODE_RESYNC;
  else if (folder->mode != EWN_SYNC_MODE_RESYNC)
    folder->mode = EWN_SYNC_MODE_FILL;

  if (folder->mode == EWN_SYNC_MODE_RESYNC && (state == NULL || folder->seen == NULL))
    {
      g_clear_pointer (&folder->seen, g_hash_table_unref);
      folder->seen = g_hash_table_new_full (ews_id_hash, g_str_equal, g_free, NULL);
    }
  if (folder->mode != EWN_SYNC_MODE_RESYNC)
    g_clear_pointer (&folder->seen, g_hash_table_unref);
  /* This chain reports what was taken out before it began; the end of a resync,
   * what the server no longer lists. A first sync announces nothing. */
  ewn_sync_folder_set_removal (folder, FALSE, (folder->may_remove && folder->mode != EWN_SYNC_MODE_FILL) || folder->mode == EWN_SYNC_MODE_RESYNC);

  /* Whether debug messages go out is looked up in the environment: once a chain, not
   * once a change (every change is announced within a chain). */
  self->debug_changes = !g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN);
  /* A chain that starts again ends the wait of what was held back before it. */
  ewn_sync_engine_flush_deferred (self);

  if (!g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN))
    g_debug ("sync %s (%s)", folder->id, folder->mode == EWN_SYNC_MODE_NORMAL ? "normal" : folder->mode == EWN_SYNC_MODE_FILL ? "fill"
                                                                                                                              : "resync");
  update_busy (self);
  send_page (folder);
}

static void
on_page (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  EwnSyncFolder *folder = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (EwsSyncResult) sync = NULL;
  g_autoptr (EwnSyncEngine) self = NULL;

  sync = ews_client_sync_folder_items_finish (EWS_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return; /* ewn_sync_engine_cancel() or dispose counted it out */

  self = g_object_ref (folder->engine);
  if (folder->page_sent)
    {
      folder->page_sent = FALSE;
      self->pages_in_flight--;
    }
  handle_page (folder, sync, error);
  send_waiting (self);
}

static void
handle_page (EwnSyncFolder *folder,
             EwsSyncResult *sync,
             const GError  *error)
{
  EwnSyncEngine *self = folder->engine;
  g_autoptr (GError) commit_error = NULL;
  g_auto (EwnSyncPage) page = { 0 };
  guint chain = folder->chain;

  if (sync == NULL)
    {
      if (g_error_matches (error, EWS_ERROR, EWS_ERROR_INVALID_SYNC_STATE) && ewn_item_store_get_sync_state (self->store, folder->id) != NULL)
        {
          /* Start over from nothing; the kept items make it a quiet comparison. */
          g_debug ("invalid sync state for %s: %s", folder->id, error->message);
          ewn_item_store_reset_folder (self->store, folder->id);
          ewn_sync_folder_set_syncing (folder, FALSE);
          start_chain (folder);
          return;
        }
      end_chain (folder, error);
      return;
    }

  ewn_sync_page_init (&page, folder);
  ewn_sync_page_apply (&page, sync);
  self->deltas_since_trim += sync->changes->len;

  ewn_item_store_set_sync_state (self->store, folder->id, sync->sync_state);
  if (sync->includes_last_item_in_range)
    ewn_item_store_set_primed (self->store, folder->id, TRUE);

  /* When the disk refuses (full, read-only, gone), going silent would lose every
   * change from now on; the engine carries on from memory instead and says so. The
   * page stays pending in the store for the next commit that works; a restart before
   * then may show some changes again. */
  if (!ewn_item_store_commit (self->store, &commit_error))
    {
      if (!self->store_failing)
        g_message ("%s: cannot save the state, carrying on without: %s", self->account_id, commit_error->message);
      self->store_failing = TRUE;
      g_signal_emit (self, signals[STORE_PROBLEM], 0, commit_error);
    }
  else if (self->store_failing)
    {
      g_message ("%s: the state is saved again", self->account_id);
      self->store_failing = FALSE;
      g_signal_emit (self, signals[STORE_PROBLEM], 0, NULL);
    }

  /* The whole page is announced even if a handler cancels meanwhile. */
  ewn_sync_page_announce (&page);
  if (folder->chain != chain)
    return; /* a handler cancelled or restarted the folder */

  if (!sync->includes_last_item_in_range)
    send_page (folder);
  else
    end_chain (folder, NULL);
}

static void
send_now (EwnSyncFolder *folder)
{
  EwnSyncEngine *self = folder->engine;

  /* This request sees every change the server had made when it was sent, so hints
   * received until now need no trailing sync. */
  folder->again = FALSE;
  folder->page_sent = TRUE;
  self->pages_in_flight++;
  ews_client_sync_folder_items_async (self->client, folder->ref, folder->kind,
                                      ewn_item_store_get_sync_state (self->store, folder->id),
                                      self->page_size, self->cancellable, on_page, folder);
}

/* The folder's next page request: sent now, or after those waiting. */
static void
send_page (EwnSyncFolder *folder)
{
  EwnSyncEngine *self = folder->engine;

  /* One page of a folder at a time: a handler may have restarted the folder's chain
   * (and sent its first page) while start_chain() emitted signals. */
  if (folder->page_sent || folder->waiting)
    return;
  if (self->pages_in_flight < MAX_PAGES_IN_FLIGHT && g_queue_is_empty (&self->waiting))
    send_now (folder);
  else
    {
      folder->waiting = TRUE;
      g_queue_push_tail (&self->waiting, folder);
    }
}

static void
send_waiting (EwnSyncEngine *self)
{
  while (self->pages_in_flight < MAX_PAGES_IN_FLIGHT && !g_queue_is_empty (&self->waiting))
    {
      EwnSyncFolder *folder = g_queue_pop_head (&self->waiting);

      folder->waiting = FALSE;
      if (folder->syncing)
        send_now (folder);
    }
}

/* Forgets the requests in flight (they were cancelled) and those waiting. */
static void
forget_pages (EwnSyncEngine *self)
{
  for (guint i = 0; i < self->folders->len; i++)
    {
      EwnSyncFolder *folder = g_ptr_array_index (self->folders, i);

      folder->page_sent = FALSE;
      folder->waiting = FALSE;
    }
  self->pages_in_flight = 0;
  g_queue_clear (&self->waiting);
}

static void
ewn_sync_engine_dispose (GObject *object)
{
  EwnSyncEngine *self = (EwnSyncEngine *)object;

  g_cancellable_cancel (self->cancellable);
  forget_pages (self);
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
  ewn_sync_engine_clear_deferred (self);
  g_hash_table_unref (self->deferred_by_key);
  g_byte_array_unref (self->scratch);
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

  /**
   * EwnSyncEngine::store-problem:
   * @error: (nullable): why the state could not be saved, or %NULL once it is again
   *
   * Emitted for every page whose commit failed (changes are announced all the same,
   * from memory), and once when a commit works again.
   */
  signals[STORE_PROBLEM] = g_signal_new ("store-problem", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 1,
                                         G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
ewn_sync_engine_init (EwnSyncEngine *self)
{
  self->page_size = EWN_SYNC_ENGINE_DEFAULT_PAGE_SIZE;
  self->folders = g_ptr_array_new_with_free_func ((GDestroyNotify)ewn_sync_folder_free);
  self->folder_map = g_hash_table_new (ews_id_hash, g_str_equal);
  self->moves = g_hash_table_new_full (ews_id_hash, g_str_equal, g_free, (GDestroyNotify)move_hint_free);
  self->moves_back = g_hash_table_new (ews_id_hash, g_str_equal);
  g_queue_init (&self->deferred);
  g_queue_init (&self->waiting);
  self->deferred_by_key = g_hash_table_new (ews_id_hash, g_str_equal);
  self->scratch = g_byte_array_new ();
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
  EwnSyncFolder *folder;

  g_return_if_fail (EWN_IS_SYNC_ENGINE (self));
  g_return_if_fail (folder_id != NULL);

  if (ewn_sync_engine_find_folder (self, folder_id) != NULL)
    return;
  if (!ewn_item_store_has_folder (self->store, folder_id))
    ewn_item_store_add_folder (self->store, folder_id, mailbox, kind);

  folder = ewn_sync_folder_new (self, folder_id, mailbox, kind);
  g_ptr_array_add (self->folders, folder);
  g_hash_table_insert (self->folder_map, folder->id, folder);
}

/* Syncs @folder now, or once more after the sync that runs; @may_remove: whether
 * what asks for the sync may have taken an item out of the folder. */
static void
sync_folder (EwnSyncFolder *folder,
             gboolean       may_remove)
{
  if (may_remove)
    ewn_sync_folder_set_removal (folder, TRUE, folder->chain_may_remove);
  if (folder->syncing)
    folder->again = TRUE;
  else
    start_chain (folder);
}

/* The events that leave every item of their ParentFolderId in place. */
static gboolean
event_only_adds (EwsEventType type)
{
  switch (type)
    {
    case EWS_EVENT_TYPE_CREATED:
    case EWS_EVENT_TYPE_MODIFIED:
    case EWS_EVENT_TYPE_NEW_MAIL:
    case EWS_EVENT_TYPE_COPIED:
    case EWS_EVENT_TYPE_MOVED:
      return TRUE;
    default:
      return FALSE;
    }
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
  EwnSyncFolder *to, *from;

  g_return_if_fail (EWN_IS_SYNC_ENGINE (self));
  g_return_if_fail (event != NULL);

  /* A folder's own ModifiedEvent comes with the item events that explain it: a
   * DeletedEvent or MovedEvent says when an item went. */
  if (event->is_folder)
    {
      to = ewn_sync_engine_find_folder (self, event->id);
      if (to != NULL)
        sync_folder (to, FALSE);
      return;
    }

  to = ewn_sync_engine_find_folder (self, event->parent_folder_id);
  from = ewn_sync_engine_find_folder (self, event->old_parent_folder_id);
  if (event->type == EWS_EVENT_TYPE_MOVED && to != NULL && from != NULL && event->id != NULL && event->old_id != NULL && !g_hash_table_contains (self->moves, event->old_id))
    {
      EwnSyncMoveHint *hint = g_new0 (EwnSyncMoveHint, 1);
      char            *old_id = g_strdup (event->old_id);

      hint->new_id = g_strdup (event->id);
      hint->to = to;
      g_hash_table_insert (self->moves, old_id, hint);
      g_hash_table_insert (self->moves_back, hint->new_id, old_id);
    }

  /* Only an event that takes an item out of a folder makes a creation elsewhere
   * wait for that folder's sync: a burst of new and changed items flows at once. */
  if (to != NULL)
    sync_folder (to, !event_only_adds (event->type));
  if (from != NULL && from != to)
    sync_folder (from, event->type != EWS_EVENT_TYPE_COPIED);
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
  EwnSyncFolder *folder;

  g_return_if_fail (EWN_IS_SYNC_ENGINE (self));

  folder = ewn_sync_engine_find_folder (self, folder_id);
  g_return_if_fail (folder != NULL);
  sync_folder (folder, TRUE);
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
    sync_folder (g_ptr_array_index (self->folders, i), TRUE);
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
  forget_pages (self);

  for (guint i = 0; i < self->folders->len; i++)
    {
      EwnSyncFolder *folder = g_ptr_array_index (self->folders, i);

      folder->dirty = folder->dirty || folder->syncing || folder->again;
      ewn_sync_folder_set_syncing (folder, FALSE);
      ewn_sync_folder_set_removal (folder, FALSE, FALSE);
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
