/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ewn-account"

#include "config.h"

#include "ewn-account-private.h"

/* The streaming connection and its no-data watchdog. */

static void
stop_watchdog (EwnAccount *self)
{
  g_clear_handle_id (&self->watchdog_id, g_source_remove);
}

void
ewn_account_close_stream (EwnAccount *self)
{
  stop_watchdog (self);
  g_cancellable_cancel (self->stream_cancellable);
  g_clear_object (&self->stream_cancellable);
  self->stream_open = FALSE;
}

void
ewn_account_on_notification (EwsEventStream  *stream,
                             EwsNotification *notification,
                             EwnAccount      *self)
{
  for (guint i = 0; i < notification->events->len; i++)
    ewn_sync_engine_hint (self->engine, g_ptr_array_index (notification->events, i));
}

/* The watchdog: every byte, keep-alives included, proves the connection alive. It
 * ticks at half the allowed silence, so a dead connection is noticed between one and
 * one and a half times @watchdog_ms — and it never ticks faster than that needs. */
static gboolean
watchdog_cb (gpointer user_data)
{
  EwnAccount *self = user_data;
  guint64     bytes = ews_event_stream_get_bytes_received (self->stream);

  if (bytes != self->watchdog_bytes)
    {
      self->watchdog_bytes = bytes;
      self->watchdog_silent_ticks = 0;
      return G_SOURCE_CONTINUE;
    }

  if (++self->watchdog_silent_ticks < 2)
    return G_SOURCE_CONTINUE;

  self->watchdog_id = 0;
  g_message ("%s: no data for %u s, reconnecting", self->id, self->timing.watchdog_ms / 1000);
  ewn_account_close_stream (self);
  /* A silent connection is a gap: reconnect at once and catch up. */
  ewn_account_restart (self);
  return G_SOURCE_REMOVE;
}

static void
start_watchdog (EwnAccount *self)
{
  stop_watchdog (self);
  self->watchdog_bytes = G_MAXUINT64;
  self->watchdog_silent_ticks = 0;
  self->watchdog_id = g_timeout_add (MAX (self->timing.watchdog_ms / 2, 1), watchdog_cb, self);
}

static void
on_stream_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  EwnAccount *self = user_data;
  g_autoptr (GError) error = NULL;
  gboolean clean;

  clean = ews_client_stream_events_finish (EWS_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->stream_open = FALSE;
  stop_watchdog (self);
  if (!clean)
    {
      ewn_account_handle_error (self, error);
      return;
    }

  /* ConnectionStatus Closed or a clean end: reissue at once with the same ids. The
   * subscriptions buffered everything in between, so no catch-up is needed. */
  self->backoff_ms = 0;
  ewn_account_open_stream (self);
}

void
ewn_account_open_stream (EwnAccount *self)
{
  g_autoptr (GPtrArray) ids = g_ptr_array_new ();

  ewn_account_close_stream (self);
  for (guint i = 0; i < self->subscriptions->len && i < MAX_SUBSCRIPTIONS_PER_CONNECTION; i++)
    g_ptr_array_add (ids, ((EwsSubscription *)g_ptr_array_index (self->subscriptions, i))->id);
  g_ptr_array_add (ids, NULL);

  self->stream_cancellable = g_cancellable_new ();
  self->stream_open = TRUE;
  ewn_account_set_state (self, EWN_ACCOUNT_STATE_STREAMING, NULL);
  ewn_account_update_live_state (self);
  ews_client_stream_events_async (self->client, (const char *const *)ids->pdata,
                                  self->timing.connection_timeout_min, self->stream,
                                  self->stream_cancellable, on_stream_done, self);
  start_watchdog (self);
}
