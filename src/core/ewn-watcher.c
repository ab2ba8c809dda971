/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ewn-watcher"

#include "config.h"

#include <glib/gi18n.h>

#include "ews-client.h"
#include "ews-error.h"
#include "ews-event-stream.h"
#include "ewn-watcher.h"

/* A first, single-connection watcher: subscribe, stream, and turn every hint into a
 * SyncFolderItems of the folder it names. Events are hints; the sync is the truth. */

#define SYNC_PAGE_SIZE         512
#define CONNECTION_TIMEOUT_MIN 30
#define MAX_BACKOFF_MS         (5 * 60 * 1000)

typedef struct
{
  EwnWatcher   *watcher;
  EwsFolderRef *ref;
  EwsFolderKind kind;
  char         *mailbox;
  char         *sync_state;
  GHashTable   *items;
  guint         retry_id;
  gboolean      primed;
  gboolean      syncing;
  gboolean      again;
} WatchedFolder;

struct _EwnWatcher
{
  GObject         parent_instance;

  EwsClient      *client;
  GStrv           mailboxes;
  GPtrArray      *folders;
  GPtrArray      *subscription_ids;
  EwsEventStream *stream;
  GCancellable   *cancellable;
  guint           retry_id;
  guint           backoff_ms;
  guint           pending_subscribes;
  guint           pending_unsubscribes;
  gboolean        running;
  int             exit_status;
  char           *status;
};

G_DEFINE_FINAL_TYPE (EwnWatcher, ewn_watcher, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_RUNNING,
  PROP_STATUS,
  N_PROPS
};

enum
{
  CHANGE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint       signals[N_SIGNALS];

static void        connect_stream (EwnWatcher *self);
static void        subscribe (EwnWatcher *self);
static void        start_sync (WatchedFolder *folder);

static void
watched_folder_free (WatchedFolder *folder)
{
  g_clear_handle_id (&folder->retry_id, g_source_remove);
  ews_folder_ref_free (folder->ref);
  g_free (folder->mailbox);
  g_free (folder->sync_state);
  g_hash_table_unref (folder->items);
  g_free (folder);
}

static void
set_status (EwnWatcher *self,
            const char *status)
{
  if (g_strcmp0 (self->status, status) == 0)
    return;

  g_free (self->status);
  self->status = g_strdup (status);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

static void
set_running (EwnWatcher *self,
             gboolean    running)
{
  if (self->running == running)
    return;

  self->running = running;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
retry_later (EwnWatcher *self,
             guint       delay_ms,
             GSourceFunc func)
{
  g_clear_handle_id (&self->retry_id, g_source_remove);
  self->retry_id = g_timeout_add_full (G_PRIORITY_DEFAULT, delay_ms, func, self, NULL);
}

static guint
next_backoff (EwnWatcher *self)
{
  guint jitter;

  self->backoff_ms = self->backoff_ms == 0 ? 1000 : MIN (self->backoff_ms * 2, MAX_BACKOFF_MS);
  jitter = (guint)g_random_int_range (0, (gint32)(self->backoff_ms / 4 + 1));
  return self->backoff_ms + jitter;
}

static gboolean
resubscribe_cb (gpointer user_data)
{
  EwnWatcher *self = user_data;

  self->retry_id = 0;
  subscribe (self);
  return G_SOURCE_REMOVE;
}

static gboolean
reconnect_cb (gpointer user_data)
{
  EwnWatcher *self = user_data;

  self->retry_id = 0;
  /* Whatever happened while the connection was down is caught up by a sync. */
  for (guint i = 0; i < self->folders->len; i++)
    start_sync (g_ptr_array_index (self->folders, i));
  connect_stream (self);
  return G_SOURCE_REMOVE;
}

static void
fail (EwnWatcher   *self,
      const GError *error,
      GSourceFunc   recover)
{
  g_autofree char *status = NULL;
  guint            delay;

  if (g_error_matches (error, EWS_ERROR, EWS_ERROR_AUTH))
    {
      set_status (self, _("The server refused the user name or password"));
      self->exit_status = 1;
      ewn_watcher_stop (self);
      return;
    }

  if (g_error_matches (error, EWS_ERROR, EWS_ERROR_SUBSCRIPTION_DEAD) || g_error_matches (error, EWS_ERROR, EWS_ERROR_MISSED_EVENTS))
    {
      g_ptr_array_set_size (self->subscription_ids, 0);
      recover = resubscribe_cb;
    }

  if (g_error_matches (error, EWS_ERROR, EWS_ERROR_SERVER_BUSY) && ews_error_get_back_off_ms (error) > 0)
    delay = ews_error_get_back_off_ms (error);
  else
    delay = next_backoff (self);

  status = g_strdup_printf (_("%s — retrying in %u s"), error->message, (delay + 999) / 1000);
  set_status (self, status);
  retry_later (self, delay, recover);
}

static void
emit_change (WatchedFolder *folder,
             const EwsItem *before,
             const EwsItem *after)
{
  g_autoptr (EwnChange) change = NULL;

  if (!folder->primed)
    return;

  change = ewn_change_compute (before, after);
  if (change != NULL)
    g_signal_emit (folder->watcher, signals[CHANGE], 0, change);
}

static void
apply_change (WatchedFolder       *folder,
              const EwsSyncChange *change)
{
  EwsItem *known = g_hash_table_lookup (folder->items, change->item_id);

  switch (change->type)
    {
    case EWS_SYNC_CHANGE_CREATE:
    case EWS_SYNC_CHANGE_UPDATE:
      if (change->item == NULL)
        return;
      emit_change (folder, known, change->item);
      g_hash_table_replace (folder->items, g_strdup (change->item_id), ews_item_copy (change->item));
      break;

    case EWS_SYNC_CHANGE_DELETE:
      if (known == NULL)
        return;
      emit_change (folder, known, NULL);
      g_hash_table_remove (folder->items, change->item_id);
      break;

    case EWS_SYNC_CHANGE_READ_FLAG:
    default:
      break;
    }
}

static gboolean
retry_folder_sync_cb (gpointer user_data)
{
  WatchedFolder *folder = user_data;

  folder->retry_id = 0;
  start_sync (folder);
  return G_SOURCE_REMOVE;
}

static void sync_page (WatchedFolder *folder);

static void
on_sync_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  WatchedFolder *folder = user_data;
  EwnWatcher    *self;
  g_autoptr (GError) error = NULL;
  g_autoptr (EwsSyncResult) sync = NULL;

  sync = ews_client_sync_folder_items_finish (EWS_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = folder->watcher;
  if (sync == NULL)
    {
      folder->syncing = FALSE;
      if (g_error_matches (error, EWS_ERROR, EWS_ERROR_INVALID_SYNC_STATE))
        {
          /* Start over quietly: the known items stay, so nothing is announced twice. */
          g_clear_pointer (&folder->sync_state, g_free);
          g_hash_table_remove_all (folder->items);
          folder->primed = FALSE;
          start_sync (folder);
          return;
        }
      if (g_error_matches (error, EWS_ERROR, EWS_ERROR_AUTH))
        {
          fail (self, error, NULL);
          return;
        }
      g_warning ("Sync failed: %s", error->message);
      g_clear_handle_id (&folder->retry_id, g_source_remove);
      folder->retry_id = g_timeout_add (next_backoff (self), retry_folder_sync_cb, folder);
      return;
    }

  for (guint i = 0; i < sync->changes->len; i++)
    apply_change (folder, g_ptr_array_index (sync->changes, i));

  g_free (folder->sync_state);
  folder->sync_state = g_steal_pointer (&sync->sync_state);

  if (!sync->includes_last_item_in_range)
    {
      sync_page (folder);
      return;
    }

  folder->syncing = FALSE;
  folder->primed = TRUE;
  if (folder->again)
    {
      folder->again = FALSE;
      start_sync (folder);
    }
}

static void
sync_page (WatchedFolder *folder)
{
  EwnWatcher *self = folder->watcher;

  ews_client_sync_folder_items_async (self->client, folder->ref, folder->kind, folder->sync_state,
                                      SYNC_PAGE_SIZE, self->cancellable, on_sync_done, folder);
}

/* A sync while one runs only marks the folder: exactly one trailing sync follows. */
static void
start_sync (WatchedFolder *folder)
{
  if (folder->syncing)
    {
      folder->again = TRUE;
      return;
    }

  folder->syncing = TRUE;
  sync_page (folder);
}

static WatchedFolder *
find_folder (EwnWatcher *self,
             const char *folder_id)
{
  if (folder_id == NULL)
    return NULL;

  for (guint i = 0; i < self->folders->len; i++)
    {
      WatchedFolder *folder = g_ptr_array_index (self->folders, i);

      if (g_strcmp0 (folder->ref->id, folder_id) == 0)
        return folder;
    }
  return NULL;
}

static void
on_notification (EwsEventStream  *stream,
                 EwsNotification *notification,
                 EwnWatcher      *self)
{
  for (guint i = 0; i < notification->events->len; i++)
    {
      EwsEvent      *event = g_ptr_array_index (notification->events, i);
      WatchedFolder *folder;

      if (event->is_folder)
        folder = find_folder (self, event->id);
      else
        folder = find_folder (self, event->parent_folder_id);
      if (folder != NULL)
        start_sync (folder);

      folder = find_folder (self, event->old_parent_folder_id);
      if (folder != NULL)
        start_sync (folder);
    }
}

static void
on_stream_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  EwnWatcher *self = user_data;
  g_autoptr (GError) error = NULL;

  if (!ews_client_stream_events_finish (EWS_CLIENT (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      fail (self, error, reconnect_cb);
      return;
    }

  /* The server ended the connection normally: reissue at once with the same ids. */
  self->backoff_ms = 0;
  connect_stream (self);
}

static void
connect_stream (EwnWatcher *self)
{
  g_ptr_array_add (self->subscription_ids, NULL);
  ews_event_stream_reset (self->stream);
  set_status (self, _("Watching for changes"));
  ews_client_stream_events_async (self->client,
                                  (const char *const *)self->subscription_ids->pdata,
                                  CONNECTION_TIMEOUT_MIN, self->stream, self->cancellable,
                                  on_stream_done, self);
  g_ptr_array_set_size (self->subscription_ids, self->subscription_ids->len - 1);
}

static void
on_subscribed (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  EwnWatcher *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (EwsSubscription) subscription = NULL;

  subscription = ews_client_subscribe_finish (EWS_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->pending_subscribes--;
  if (subscription != NULL)
    g_ptr_array_add (self->subscription_ids, g_steal_pointer (&subscription->id));
  else
    g_warning ("Subscribe failed: %s", error->message);

  if (self->pending_subscribes > 0)
    return;

  if (self->subscription_ids->len == 0)
    {
      fail (self, error, resubscribe_cb);
      return;
    }

  reconnect_cb (self);
}

static void
subscribe (EwnWatcher *self)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  set_status (self, _("Subscribing"));
  g_ptr_array_set_size (self->subscription_ids, 0);

  /* One subscription per mailbox: a subscription may not span mailboxes. */
  for (guint i = 0; i < self->folders->len; i++)
    {
      WatchedFolder *folder = g_ptr_array_index (self->folders, i);
      const char    *mailbox = folder->mailbox != NULL ? folder->mailbox : "";
      g_autoptr (GPtrArray) refs = NULL;

      if (g_hash_table_contains (seen, mailbox))
        continue;
      g_hash_table_add (seen, (gpointer)mailbox);

      refs = g_ptr_array_new ();
      for (guint j = i; j < self->folders->len; j++)
        {
          WatchedFolder *other = g_ptr_array_index (self->folders, j);

          if (g_strcmp0 (other->mailbox, folder->mailbox) == 0)
            g_ptr_array_add (refs, other->ref);
        }

      self->pending_subscribes++;
      ews_client_subscribe_streaming_async (self->client, refs, EWS_EVENT_MASK_ITEMS,
                                            self->cancellable, on_subscribed, self);
    }
}

static gboolean resolve_cb (gpointer user_data);

static void
on_folders_resolved (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  EwnWatcher *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) folders = NULL;
  guint n_requested = 2 + (self->mailboxes != NULL ? g_strv_length (self->mailboxes) * 2 : 0);

  folders = ews_client_get_folders_finish (EWS_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (folders == NULL)
    {
      fail (self, error, resolve_cb);
      return;
    }

  for (guint i = 0; i < folders->len && i < n_requested; i++)
    {
      EwsFolder     *found = g_ptr_array_index (folders, i);
      WatchedFolder *folder;

      if (found->error != NULL)
        {
          g_printerr (_("Cannot watch a folder: %s\n"), found->error->message);
          continue;
        }

      folder = g_new0 (WatchedFolder, 1);
      folder->watcher = self;
      folder->ref = ews_folder_ref_new_id (found->id, found->change_key);
      folder->kind = i % 2 == 0 ? EWS_FOLDER_KIND_CALENDAR : EWS_FOLDER_KIND_TASKS;
      folder->mailbox = i >= 2 ? g_strdup (self->mailboxes[i / 2 - 1]) : NULL;
      folder->items = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify)ews_item_free);
      g_ptr_array_add (self->folders, folder);
    }

  if (self->folders->len == 0)
    {
      g_autoptr (GError) none = g_error_new (EWS_ERROR, EWS_ERROR_FAILED, _("No folder can be watched"));

      fail (self, none, resolve_cb);
      return;
    }

  subscribe (self);
}

static gboolean
resolve_cb (gpointer user_data)
{
  EwnWatcher *self = user_data;
  g_autoptr (GPtrArray) refs = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_folder_ref_free);

  self->retry_id = 0;
  set_status (self, _("Looking up folders"));

  g_ptr_array_add (refs, ews_folder_ref_new_distinguished ("calendar", NULL));
  g_ptr_array_add (refs, ews_folder_ref_new_distinguished ("tasks", NULL));
  for (guint i = 0; self->mailboxes != NULL && self->mailboxes[i] != NULL; i++)
    {
      g_ptr_array_add (refs, ews_folder_ref_new_distinguished ("calendar", self->mailboxes[i]));
      g_ptr_array_add (refs, ews_folder_ref_new_distinguished ("tasks", self->mailboxes[i]));
    }

  ews_client_get_folders_async (self->client, refs, self->cancellable, on_folders_resolved, self);
  return G_SOURCE_REMOVE;
}

static void
ewn_watcher_dispose (GObject *object)
{
  EwnWatcher *self = (EwnWatcher *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  if (self->stream != NULL)
    g_signal_handlers_disconnect_by_data (self->stream, self);
  g_clear_object (&self->stream);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (ewn_watcher_parent_class)->dispose (object);
}

static void
ewn_watcher_finalize (GObject *object)
{
  EwnWatcher *self = (EwnWatcher *)object;

  g_clear_object (&self->cancellable);
  g_strfreev (self->mailboxes);
  g_ptr_array_unref (self->folders);
  g_ptr_array_unref (self->subscription_ids);
  g_free (self->status);

  G_OBJECT_CLASS (ewn_watcher_parent_class)->finalize (object);
}

static void
ewn_watcher_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  EwnWatcher *self = EWN_WATCHER (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_STATUS:
      g_value_set_string (value, self->status);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ewn_watcher_class_init (EwnWatcherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ewn_watcher_dispose;
  object_class->finalize = ewn_watcher_finalize;
  object_class->get_property = ewn_watcher_get_property;

  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE,
                                                   G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATUS] = g_param_spec_string ("status", NULL, NULL, NULL,
                                                 G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EwnWatcher::change:
   * @change: the change
   *
   * Emitted once for every change of a watched item, after the first sync of its folder.
   */
  signals[CHANGE] = g_signal_new ("change", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                  NULL, NULL, NULL, G_TYPE_NONE, 1,
                                  EWN_TYPE_CHANGE | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
ewn_watcher_init (EwnWatcher *self)
{
  self->folders = g_ptr_array_new_with_free_func ((GDestroyNotify)watched_folder_free);
  self->subscription_ids = g_ptr_array_new_with_free_func (g_free);
  self->cancellable = g_cancellable_new ();
  self->stream = ews_event_stream_new ();
  g_signal_connect (self->stream, "notification", G_CALLBACK (on_notification), self);
}

EwnWatcher *
ewn_watcher_new (const char        *url,
                 const char        *username,
                 const char        *password,
                 const char *const *extra_mailboxes)
{
  EwnWatcher *self;

  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (username != NULL, NULL);
  g_return_val_if_fail (password != NULL, NULL);

  self = g_object_new (EWN_TYPE_WATCHER, NULL);
  self->client = ews_client_new (url);
  ews_client_set_credentials (self->client, username, password);
  self->mailboxes = g_strdupv ((char **)extra_mailboxes);
  return self;
}

/**
 * ewn_watcher_set_trace:
 * @self: an #EwnWatcher
 * @trace: whether to log the EWS messages (credentials and cookies removed)
 */
void
ewn_watcher_set_trace (EwnWatcher *self,
                       gboolean    trace)
{
  g_return_if_fail (EWN_IS_WATCHER (self));

  ews_client_set_trace (self->client, trace);
}

void
ewn_watcher_start (EwnWatcher *self)
{
  g_return_if_fail (EWN_IS_WATCHER (self));
  g_return_if_fail (!self->running);

  set_running (self, TRUE);
  resolve_cb (self);
}

static void
on_unsubscribed (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (EwnWatcher) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!ews_client_unsubscribe_finish (EWS_CLIENT (source), result, &error))
    g_debug ("Unsubscribe failed: %s", error->message);

  if (--self->pending_unsubscribes == 0)
    set_running (self, FALSE);
}

/**
 * ewn_watcher_stop:
 * @self: an #EwnWatcher
 *
 * Cancels everything, frees the server's subscriptions and clears #EwnWatcher:running
 * when done.
 */
void
ewn_watcher_stop (EwnWatcher *self)
{
  g_return_if_fail (EWN_IS_WATCHER (self));

  if (!self->running)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->retry_id, g_source_remove);

  for (guint i = 0; i < self->subscription_ids->len; i++)
    {
      self->pending_unsubscribes++;
      ews_client_unsubscribe_async (self->client, g_ptr_array_index (self->subscription_ids, i),
                                    NULL, on_unsubscribed, g_object_ref (self));
    }
  g_ptr_array_set_size (self->subscription_ids, 0);

  if (self->pending_unsubscribes == 0)
    set_running (self, FALSE);
}

gboolean
ewn_watcher_get_running (EwnWatcher *self)
{
  g_return_val_if_fail (EWN_IS_WATCHER (self), FALSE);

  return self->running;
}

const char *
ewn_watcher_get_status (EwnWatcher *self)
{
  g_return_val_if_fail (EWN_IS_WATCHER (self), NULL);

  return self->status;
}

int
ewn_watcher_get_exit_status (EwnWatcher *self)
{
  g_return_val_if_fail (EWN_IS_WATCHER (self), 1);

  return self->exit_status;
}
