/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ewn-account"

#include "config.h"

#include <glib/gi18n.h>

#include "ews-error.h"
#include "ewn-account-private.h"

/* Finding the folders, subscribing to them, and polling when streaming is unavailable. */

/* Pull: the same engine, fed by GetEvents. A round of polls (one GetEvents per
 * subscription) lives under the stream cancellable, so that anything that drops the
 * connection also drops the polls in flight. */

typedef struct
{
  EwnAccount *self; /* unowned: the account cancels its polls before it goes */
  char       *subscription_id;
} Poll;

static void
poll_free (Poll *poll)
{
  g_free (poll->subscription_id);
  g_free (poll);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Poll, poll_free)

static EwsSubscription *
find_subscription (EwnAccount *self,
                   const char *id)
{
  for (guint i = 0; i < self->subscriptions->len; i++)
    {
      EwsSubscription *subscription = g_ptr_array_index (self->subscriptions, i);

      if (g_strcmp0 (subscription->id, id) == 0)
        return subscription;
    }
  return NULL;
}

static void
on_events (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (Poll) poll = user_data;
  EwnAccount      *self = poll->self;
  EwsSubscription *subscription;
  g_autoptr (GError) error = NULL;
  g_autoptr (EwsNotification) notification = NULL;

  notification = ews_client_get_events_finish (EWS_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->polls_in_flight--;
  if (notification == NULL)
    {
      /* The other polls of this round are dropped with it. */
      ewn_account_close_stream (self);
      ewn_account_handle_error (self, error);
      return;
    }

  subscription = find_subscription (self, poll->subscription_id);
  for (guint i = 0; subscription != NULL && i < notification->events->len; i++)
    {
      EwsEvent *event = g_ptr_array_index (notification->events, i);

      if (event->watermark != NULL)
        {
          g_free (subscription->watermark);
          subscription->watermark = g_strdup (event->watermark);
        }
      ewn_sync_engine_hint (self->engine, event);
    }
  if (notification->more_events)
    self->poll_more = TRUE;

  /* The round is over: the next one after the interval (or at once for more events),
   * whether or not the hints started a sync. */
  if (self->polls_in_flight == 0 && self->poll_id == 0 && (self->state == EWN_ACCOUNT_STATE_STREAMING || self->state == EWN_ACCOUNT_STATE_SYNCING))
    ewn_account_schedule_poll (self, self->poll_more ? 0 : self->timing.pull_interval_ms);
}

static gboolean
poll_cb (gpointer user_data)
{
  EwnAccount *self = user_data;

  self->poll_id = 0;
  ewn_account_close_stream (self);
  self->stream_cancellable = g_cancellable_new ();
  self->polls_in_flight = 0;
  self->poll_more = FALSE;
  ewn_account_set_state (self, EWN_ACCOUNT_STATE_STREAMING, NULL);
  ewn_account_update_live_state (self);
  for (guint i = 0; i < self->subscriptions->len; i++)
    {
      EwsSubscription *subscription = g_ptr_array_index (self->subscriptions, i);
      Poll            *poll = g_new0 (Poll, 1);

      poll->self = self;
      poll->subscription_id = g_strdup (subscription->id);
      self->polls_in_flight++;
      ews_client_get_events_async (self->client, subscription->id, subscription->watermark,
                                   self->stream_cancellable, on_events, poll);
    }
  return G_SOURCE_REMOVE;
}

void
ewn_account_schedule_poll (EwnAccount *self,
                           guint       delay_ms)
{
  g_clear_handle_id (&self->poll_id, g_source_remove);
  self->poll_id = g_timeout_add (delay_ms, poll_cb, self);
}

/* Subscribing */

static void
store_subscription_ids (EwnAccount *self)
{
  g_autoptr (GPtrArray) ids = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < self->subscriptions->len; i++)
    g_ptr_array_add (ids, ((EwsSubscription *)g_ptr_array_index (self->subscriptions, i))->id);
  g_ptr_array_add (ids, NULL);
  ewn_item_store_set_subscription_ids (self->store, (const char *const *)ids->pdata);
  if (!ewn_item_store_commit (self->store, &error))
    g_message ("%s: cannot save the subscription ids: %s", self->id, error->message);
}

static void
on_subscribed (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  EwnAccount *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (EwsSubscription) subscription = NULL;

  subscription = ews_client_subscribe_finish (EWS_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->pending_subscribes--;
  if (subscription != NULL)
    g_ptr_array_add (self->subscriptions, g_steal_pointer (&subscription));
  else if (self->subscribe_error == NULL)
    self->subscribe_error = g_steal_pointer (&error);

  if (self->pending_subscribes > 0)
    return;

  if (self->subscribe_error != NULL)
    {
      g_autoptr (GError) failure = g_steal_pointer (&self->subscribe_error);

      /* Partial success is not good enough: a mailbox would go unwatched. */
      for (guint i = 0; i < self->subscriptions->len; i++)
        ews_client_unsubscribe_async (self->client,
                                      ((EwsSubscription *)g_ptr_array_index (self->subscriptions, i))->id,
                                      NULL, NULL, NULL);
      g_ptr_array_set_size (self->subscriptions, 0);
      ewn_account_handle_error (self, failure);
      return;
    }

  store_subscription_ids (self);
  self->backoff_ms = 0;

  /* Everything before the subscription existed is caught up by a sync. */
  ewn_sync_engine_catch_up (self->engine);
  if (self->pull)
    ewn_account_schedule_poll (self, 0);
  else
    ewn_account_open_stream (self);
}

void
ewn_account_subscribe (EwnAccount *self)
{
  g_auto (GStrv) folder_ids = ewn_item_store_dup_folder_ids (self->store);
  g_autoptr (GHashTable) by_mailbox = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                             (GDestroyNotify)g_ptr_array_unref);
  GHashTableIter iter;
  GPtrArray     *refs;

  ewn_account_close_stream (self);
  ewn_account_set_state (self, EWN_ACCOUNT_STATE_SUBSCRIBING, NULL);
  g_ptr_array_set_size (self->subscriptions, 0);
  g_clear_error (&self->subscribe_error);
  self->pending_subscribes = 0;

  /* One subscription per mailbox: a subscription may not span mailboxes. */
  for (guint i = 0; folder_ids != NULL && folder_ids[i] != NULL; i++)
    {
      const char *mailbox = ewn_item_store_get_folder_mailbox (self->store, folder_ids[i]);

      refs = g_hash_table_lookup (by_mailbox, mailbox != NULL ? mailbox : "");
      if (refs == NULL)
        {
          refs = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_folder_ref_free);
          g_hash_table_insert (by_mailbox, (gpointer)(mailbox != NULL ? mailbox : ""), refs);
        }
      g_ptr_array_add (refs, ews_folder_ref_new_id (folder_ids[i], NULL));
    }

  g_hash_table_iter_init (&iter, by_mailbox);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&refs))
    {
      self->pending_subscribes++;
      if (self->pull)
        ews_client_subscribe_pull_async (self->client, refs, EWS_EVENT_MASK_ITEMS, NULL,
                                         self->timing.pull_timeout_min, self->cancellable,
                                         on_subscribed, self);
      else
        ews_client_subscribe_streaming_async (self->client, refs, EWS_EVENT_MASK_ITEMS,
                                              self->cancellable, on_subscribed, self);
    }
}

/* Resolving */

static void
on_folders (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  EwnAccount *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) folders = NULL;
  guint watched = 0;
  guint per_mailbox;

  folders = ews_client_get_folders_finish (EWS_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (folders == NULL)
    {
      ewn_account_handle_error (self, error);
      return;
    }

  /* Requested as (calendar, tasks) or the one chosen, for the own mailbox, then for
   * each extra one: see ewn_account_resolve(). */
  per_mailbox = (self->watch_calendar ? 1 : 0) + (self->watch_tasks ? 1 : 0);
  for (guint i = 0; i < folders->len; i++)
    {
      EwsFolder    *folder = g_ptr_array_index (folders, i);
      guint         slot = i / per_mailbox;
      const char   *mailbox = slot > 0 && self->mailboxes != NULL ? self->mailboxes[slot - 1] : self->address;
      EwsFolderKind kind = (per_mailbox == 2 ? i % 2 == 0 : self->watch_calendar) ? EWS_FOLDER_KIND_CALENDAR : EWS_FOLDER_KIND_TASKS;

      if (folder->error != NULL)
        {
          g_message ("%s: cannot watch the %s of %s: %s", self->id, kind == EWS_FOLDER_KIND_CALENDAR ? "calendar" : "task list",
                     mailbox != NULL ? mailbox : self->id, folder->error->message);
          continue;
        }
      ewn_sync_engine_add_folder (self->engine, folder->id, mailbox, kind);
      watched++;
    }

  if (watched == 0)
    {
      g_autoptr (GError) none = g_error_new_literal (EWS_ERROR, EWS_ERROR_FAILED,
                                                     _("None of the folders can be watched"));

      ewn_account_handle_error (self, none);
      return;
    }

  self->resolved = TRUE;
  ewn_account_subscribe (self);
}

void
ewn_account_resolve (EwnAccount *self)
{
  g_autoptr (GPtrArray) refs = g_ptr_array_new_with_free_func ((GDestroyNotify)ews_folder_ref_free);

  if (!self->watch_calendar && !self->watch_tasks)
    {
      ewn_account_set_state (self, EWN_ACCOUNT_STATE_ERROR, _("Nothing to watch: choose the calendar, the task list or both in Preferences"));
      return;
    }

  ewn_account_set_state (self, EWN_ACCOUNT_STATE_RESOLVING, NULL);
  for (guint i = 0; i == 0 || (self->mailboxes != NULL && self->mailboxes[i - 1] != NULL); i++)
    {
      const char *mailbox = i == 0 ? NULL : self->mailboxes[i - 1];

      if (self->watch_calendar)
        g_ptr_array_add (refs, ews_folder_ref_new_distinguished ("calendar", mailbox));
      if (self->watch_tasks)
        g_ptr_array_add (refs, ews_folder_ref_new_distinguished ("tasks", mailbox));
    }
  ews_client_get_folders_async (self->client, refs, self->cancellable, on_folders, self);
}
