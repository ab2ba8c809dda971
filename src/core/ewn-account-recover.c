/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ewn-account"

#include "config.h"

#include <glib/gi18n.h>

#include "ews-error.h"
#include "ewn-account-private.h"
#include "ewn-sync-engine.h"
#include "ewn-system-watch.h"

/* How an account recovers: what each failure comes down to (a retry at once, a
 * resubscription, a wait the server asked for, a back-off with jitter that never gives
 * up, a request for credentials), failed syncs retried, and the machine's sleep and
 * network changes turned into reconnects. */

static guint
next_backoff (EwnAccount *self)
{
  guint jitter;

  if (self->backoff_ms == 0)
    self->backoff_ms = self->timing.backoff_initial_ms;
  else
    self->backoff_ms = MIN (self->backoff_ms * 2, self->timing.backoff_max_ms);

  jitter = (guint)g_random_int_range (0, (gint32)MIN (self->backoff_ms / 4 + 1, G_MAXINT32));
  return MIN (self->backoff_ms + jitter, self->timing.backoff_max_ms + jitter);
}

/* Stops whatever is under way or due: the stream, a pending retry, sync or poll. */
void
ewn_account_halt (EwnAccount *self)
{
  ewn_account_close_stream (self);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_clear_handle_id (&self->sync_retry_id, g_source_remove);
  g_clear_handle_id (&self->poll_id, g_source_remove);
}

/* Picks the connection up again where it makes sense: with live subscriptions, reopen
 * the stream (or poll) and catch up; without, start over from resolving. */
gboolean
ewn_account_restart (gpointer user_data)
{
  EwnAccount *self = user_data;

  self->retry_id = 0;
  if (!self->running || self->paused)
    return G_SOURCE_REMOVE;

  if (!self->resolved)
    ewn_account_resolve (self);
  else if (self->subscriptions->len == 0)
    ewn_account_subscribe (self);
  else
    {
      ewn_sync_engine_catch_up (self->engine);
      if (self->pull)
        ewn_account_schedule_poll (self, 0);
      else
        ewn_account_open_stream (self);
    }
  return G_SOURCE_REMOVE;
}

/* Tries again after @delay_ms, meanwhile in @state (backing-off, or auth-needed for a
 * Kerberos ticket) with @reason and the wait in words. */
static void
retry_in (EwnAccount     *self,
          EwnAccountState state,
          guint           delay_ms,
          const char     *reason)
{
  g_autofree char *text = NULL;

  ewn_account_close_stream (self);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_clear_handle_id (&self->poll_id, g_source_remove);

  text = g_strdup_printf (_("%s — retrying in %u s"), reason, (delay_ms + 999) / 1000);
  ewn_account_set_state (self, state, text);
  self->retry_id = g_timeout_add (delay_ms, ewn_account_restart, self);
}

static void
forget_subscriptions (EwnAccount *self)
{
  g_ptr_array_set_size (self->subscriptions, 0);
  ewn_item_store_set_subscription_ids (self->store, NULL);
}

/* What every failure of the connection comes down to. */
void
ewn_account_handle_error (EwnAccount   *self,
                          const GError *error)
{
  if (g_error_matches (error, EWS_ERROR, EWS_ERROR_AUTH))
    {
      ewn_account_halt (self);
      if (ews_client_get_auth_mechanism (self->client) == EWS_AUTH_NEGOTIATE)
        {
          /* Kerberos has no password to ask for: the ticket comes from signing in to
           * the domain (or kinit), so the account keeps trying, slowly, as in an
           * outage. Trying costs nothing towards a lockout: without a valid ticket
           * the client sends no credentials at all. */
          retry_in (self, EWN_ACCOUNT_STATE_AUTH_NEEDED, next_backoff (self),
                    ews_client_get_kerberos_unanswered (self->client)
                    ? _("Kerberos could not sign in: the domain controller or the credential cache did not answer. "
                            "Check the network or VPN connection; the account tries again by itself")
                    : _("The server did not accept a Kerberos sign-in: your ticket is missing or has expired. "
                            "Sign in to the domain again (kinit)"));
          return;
        }
      if (ews_client_withholds_password (self->client))
        /* Not sent at all: NTLM cannot carry it, and a wrong hash would count towards
         * a lockout. Asked again all the same, as the password may just be mistyped. */
        ewn_account_set_state (self, EWN_ACCOUNT_STATE_AUTH_NEEDED,
                               _("The server refused the sign-in. This password has characters that NTLM sign-in cannot send "
                                 "(only Western European letters), so it was not sent: choose Kerberos, or Basic over https, "
                                 "in the account’s settings"));
      else
        ewn_account_set_state (self, EWN_ACCOUNT_STATE_AUTH_NEEDED, _("The server refused the user name or password"));
      g_signal_emit_by_name (self, "credentials-needed");
      return;
    }

  if (g_error_matches (error, EWS_ERROR, EWS_ERROR_SUBSCRIPTION_DEAD) || g_error_matches (error, EWS_ERROR, EWS_ERROR_MISSED_EVENTS))
    {
      /* The first resubscription is immediate; repeated failures back off. */
      forget_subscriptions (self);
      retry_in (self, EWN_ACCOUNT_STATE_BACKING_OFF, self->backoff_ms == 0 ? 0 : next_backoff (self), error->message);
      if (self->backoff_ms == 0)
        self->backoff_ms = self->timing.backoff_initial_ms / 2;
      return;
    }

  if (g_error_matches (error, EWS_ERROR, EWS_ERROR_REDISCOVER))
    self->resolved = FALSE;

  if (g_error_matches (error, EWS_ERROR, EWS_ERROR_NOT_SUPPORTED) && !self->pull)
    {
      /* A server before Exchange 2010 SP1, or one that refuses streaming. */
      g_message ("%s: streaming is not available (%s); polling instead", self->id, error->message);
      self->pull = TRUE;
      forget_subscriptions (self);
      ewn_account_halt (self);
      self->retry_id = g_idle_add (ewn_account_restart, self);
      return;
    }

  if (g_error_matches (error, EWS_ERROR, EWS_ERROR_SERVER_BUSY) && ews_error_get_back_off_ms (error) > 0)
    {
      retry_in (self, EWN_ACCOUNT_STATE_BACKING_OFF, ews_error_get_back_off_ms (error), error->message);
      return;
    }

  if (g_error_matches (error, EWS_ERROR, EWS_ERROR_TLS))
    {
      /* A person has to look at the certificate: say so, and only retry slowly (the
       * server may get its proper certificate back). */
      ewn_account_halt (self);
      ewn_account_set_state (self, EWN_ACCOUNT_STATE_ERROR, error->message);
      self->retry_id = g_timeout_add (self->timing.backoff_max_ms, ewn_account_restart, self);
      return;
    }

  retry_in (self, EWN_ACCOUNT_STATE_BACKING_OFF, next_backoff (self), error->message);
}

static gboolean
sync_retry_cb (gpointer user_data)
{
  EwnAccount *self = user_data;

  self->sync_retry_id = 0;
  if (self->running && !self->paused)
    ewn_sync_engine_catch_up (self->engine);
  return G_SOURCE_REMOVE;
}

static void
on_store_problem (EwnSyncEngine *engine,
                  const GError  *error,
                  EwnAccount    *self)
{
  g_autofree char *text = NULL;

  if (error != NULL)
    text = g_strdup_printf (_("Cannot save what has been seen (%s). Changes are still shown, "
                              "but some may be shown again after a restart."),
                               error->message);
  ewn_account_set_warning (self, text);
}

static void
on_sync_error (EwnSyncEngine *engine,
               const char    *folder_id,
               const GError  *error,
               EwnAccount    *self)
{
  guint delay;

  g_debug ("%s: sync of a folder failed: %s", self->id, error->message);

  if (g_error_matches (error, EWS_ERROR, EWS_ERROR_AUTH))
    {
      ewn_account_handle_error (self, error);
      return;
    }

  /* The folder stays marked in the engine; a later catch-up retries it. */
  if (self->sync_retry_id != 0)
    return;
  if (g_error_matches (error, EWS_ERROR, EWS_ERROR_SERVER_BUSY) && ews_error_get_back_off_ms (error) > 0)
    delay = ews_error_get_back_off_ms (error);
  else
    delay = next_backoff (self);
  self->sync_retry_id = g_timeout_add (delay, sync_retry_cb, self);
}

static void
on_engine_change (EwnSyncEngine *engine,
                  EwnChange     *change,
                  EwnAccount    *self)
{
  ewn_account_emit_change (self, change);
}

static void
on_engine_busy (EwnSyncEngine *engine,
                GParamSpec    *pspec,
                EwnAccount    *self)
{
  ewn_account_update_live_state (self);
}

/* The system */

static void
on_network_changed (EwnSystemWatch *system,
                    gboolean        available,
                    EwnAccount     *self)
{
  if (!self->running || self->paused)
    return;

  if (!available)
    {
      ewn_account_halt (self);
      ewn_account_set_state (self, EWN_ACCOUNT_STATE_OFFLINE, _("No network"));
      return;
    }

  ewn_account_reconnect (self);
}

static void
on_suspending (EwnSystemWatch *system,
               EwnAccount     *self)
{
  if (!self->running || self->paused)
    return;

  ewn_account_halt (self);
  ewn_account_set_state (self, EWN_ACCOUNT_STATE_OFFLINE, _("Sleeping"));
}

static void
on_resumed (EwnSystemWatch *system,
            EwnAccount     *self)
{
  if (self->running && !self->paused)
    ewn_account_reconnect (self);
}

/* Connects what the account follows: its engine, and the machine. */
void
ewn_account_follow_engine (EwnAccount *self)
{
  g_signal_connect (self->engine, "change", G_CALLBACK (on_engine_change), self);
  g_signal_connect (self->engine, "sync-error", G_CALLBACK (on_sync_error), self);
  g_signal_connect (self->engine, "store-problem", G_CALLBACK (on_store_problem), self);
  g_signal_connect (self->engine, "notify::busy", G_CALLBACK (on_engine_busy), self);
}

void
ewn_account_follow_system (EwnAccount *self)
{
  g_signal_handlers_disconnect_by_data (self->system, self); /* started again */
  g_signal_connect (self->system, "network-changed", G_CALLBACK (on_network_changed), self);
  g_signal_connect (self->system, "suspending", G_CALLBACK (on_suspending), self);
  g_signal_connect (self->system, "resumed", G_CALLBACK (on_resumed), self);
}
