/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ewn-account"

#include "config.h"

#include <glib/gi18n.h>

#include "ewn-account-private.h"
#include "ewn-item-store.h"
#include "ewn-sync-engine.h"
#include "ewn-system-watch.h"

/* An account's run: start, reconnect, pause and resume, stop. */

/**
 * ewn_account_start:
 * @self: an #EwnAccount
 *
 * Loads the saved state (a damaged one means a quiet full resync), frees the
 * subscriptions a previous run left on the server, then resolves, subscribes, catches
 * up and streams.
 */
void
ewn_account_start (EwnAccount *self)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) stale = NULL;

  g_return_if_fail (EWN_IS_ACCOUNT (self));
  g_return_if_fail (!self->running);

  self->running = TRUE;

  /* One subscription per mailbox, and a connection carries at most 200 of them:
   * refusing is better than leaving some mailboxes silently unwatched. */
  if (self->mailboxes != NULL && g_strv_length (self->mailboxes) + 1 > MAX_SUBSCRIPTIONS_PER_CONNECTION)
    {
      g_autofree char *reason = g_strdup_printf (_("Too many mailboxes: one connection watches at most %u, this account has %u"),
                                                    MAX_SUBSCRIPTIONS_PER_CONNECTION, g_strv_length (self->mailboxes) + 1);

      ewn_account_set_state (self, EWN_ACCOUNT_STATE_ERROR, reason);
      return;
    }

  if (!ewn_item_store_load (self->store, &error))
    g_message ("%s: the saved state could not be read (%s); starting afresh", self->id, error->message);
  self->store_loaded = TRUE;

  stale = ewn_item_store_dup_subscription_ids (self->store);
  for (guint i = 0; stale != NULL && stale[i] != NULL; i++)
    ews_client_unsubscribe_async (self->client, stale[i], NULL, NULL, NULL);
  ewn_item_store_set_subscription_ids (self->store, NULL);

  if (self->watch_system)
    {
      if (self->system == NULL)
        self->system = ewn_system_watch_get_default ();
      ewn_account_follow_system (self);
    }

  ewn_account_resolve (self);
}

/**
 * ewn_account_reconnect:
 * @self: an #EwnAccount
 *
 * Drops the connection and picks up at once (new credentials, network back, wake-up):
 * the subscriptions are reused when still alive, and a catch-up sync closes the gap.
 */
void
ewn_account_reconnect (EwnAccount *self)
{
  g_return_if_fail (EWN_IS_ACCOUNT (self));

  if (!self->running || self->paused)
    return;

  ewn_account_halt (self);
  self->backoff_ms = 0;
  ewn_account_restart (self);
}

void
ewn_account_pause (EwnAccount *self)
{
  g_return_if_fail (EWN_IS_ACCOUNT (self));

  if (!self->running || self->paused)
    return;

  self->paused = TRUE;
  ewn_account_halt (self);
  ewn_sync_engine_cancel (self->engine);
  ewn_account_set_state (self, EWN_ACCOUNT_STATE_PAUSED, NULL);
}

void
ewn_account_resume (EwnAccount *self)
{
  g_return_if_fail (EWN_IS_ACCOUNT (self));

  if (!self->running || !self->paused)
    return;

  self->paused = FALSE;
  ewn_account_reconnect (self);
}

static void
on_unsubscribed (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  guint *pending = g_task_get_task_data (task);

  if (!ews_client_unsubscribe_finish (EWS_CLIENT (source), result, &error))
    g_debug ("Unsubscribe failed: %s", error->message);

  if (--(*pending) == 0)
    g_task_return_boolean (task, TRUE);
}

/**
 * ewn_account_stop_async:
 * @self: an #EwnAccount
 * @callback: called when done
 * @user_data: for @callback
 *
 * Stops watching: cancels everything, saves the state and frees the server's
 * subscriptions (so the next start has nothing stale to clean up).
 */
void
ewn_account_stop_async (EwnAccount         *self,
                        GAsyncReadyCallback callback,
                        gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  guint *pending;

  g_return_if_fail (EWN_IS_ACCOUNT (self));

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, ewn_account_stop_async);
  pending = g_new0 (guint, 1);
  g_task_set_task_data (task, pending, g_free);

  self->running = FALSE;
  g_cancellable_cancel (self->cancellable);
  ewn_account_halt (self);
  ewn_sync_engine_cancel (self->engine);

  if (self->store_loaded)
    {
      ewn_item_store_set_subscription_ids (self->store, NULL);
      if (!ewn_item_store_close (self->store, &error))
        g_message ("%s: cannot save the state: %s", self->id, error->message);
      self->store_loaded = FALSE;
    }
  ewn_account_set_state (self, EWN_ACCOUNT_STATE_OFFLINE, NULL);

  for (guint i = 0; i < self->subscriptions->len; i++)
    {
      EwsSubscription *subscription = g_ptr_array_index (self->subscriptions, i);

      (*pending)++;
      ews_client_unsubscribe_async (self->client, subscription->id, NULL, on_unsubscribed,
                                    g_object_ref (task));
    }
  g_ptr_array_set_size (self->subscriptions, 0);

  if (*pending == 0)
    g_task_return_boolean (task, TRUE);
}

gboolean
ewn_account_stop_finish (EwnAccount   *self,
                         GAsyncResult *result,
                         GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
