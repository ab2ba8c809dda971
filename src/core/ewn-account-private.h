/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include "ews-event-stream.h"
#include "ewn-account.h"
#include "ewn-item-store.h"
#include "ewn-sync-engine.h"
#include "ewn-system-watch.h"

G_BEGIN_DECLS

#define MAX_SUBSCRIPTIONS_PER_CONNECTION 200

struct _EwnAccount
{
  GObject          parent_instance;

  char            *id;
  GStrv            mailboxes; /* extra mailboxes */
  char            *address;   /* the own mailbox (nullable) */
  char            *display_name;
  char            *owner_name;
  gboolean         watch_calendar;
  gboolean         watch_tasks;
  EwsClient       *client;
  EwnItemStore    *store;
  EwnSyncEngine   *engine;
  EwsEventStream  *stream;
  EwnSystemWatch  *system;
  EwnAccountTiming timing;

  GCancellable    *cancellable;        /* everything of the current run */
  GCancellable    *stream_cancellable; /* the open GetStreamingEvents */
  GPtrArray       *subscriptions;      /* (element-type EwsSubscription) */
  guint            pending_subscribes;
  GError          *subscribe_error; /* the first failure of a round of Subscribe requests */

  EwnAccountState  state;
  char            *state_reason;
  char            *warning;
  gboolean         running;
  gboolean         paused;
  gboolean         pull;
  gboolean         watch_system;
  gboolean         resolved;
  gboolean         stream_open;
  gboolean         store_loaded;

  guint            retry_id;
  guint            sync_retry_id;
  guint            watchdog_id;
  guint64          watchdog_bytes;
  guint            watchdog_silent_ticks;
  guint            poll_id;
  guint            backoff_ms;
  guint            polls_in_flight;
  gboolean         poll_more; /* a poll of this round said MoreEvents */
};

void     ewn_account_set_state (EwnAccount     *self,
                                EwnAccountState state,
                                const char     *reason);
void     ewn_account_update_live_state (EwnAccount *self);
void     ewn_account_set_warning (EwnAccount *self,
                                  const char *warning);
void     ewn_account_emit_change (EwnAccount *self,
                                  EwnChange  *change);

/* ewn-account-recover.c */
void     ewn_account_halt (EwnAccount *self);
void     ewn_account_follow_engine (EwnAccount *self);
void     ewn_account_follow_system (EwnAccount *self);
void     ewn_account_handle_error (EwnAccount   *self,
                                   const GError *error);
gboolean ewn_account_restart (gpointer user_data);

/* ewn-account-stream.c */
void     ewn_account_close_stream (EwnAccount *self);
void     ewn_account_open_stream (EwnAccount *self);
void     ewn_account_on_notification (EwsEventStream  *stream,
                                      EwsNotification *notification,
                                      EwnAccount      *self);

/* ewn-account-connect.c */
void     ewn_account_resolve (EwnAccount *self);
void     ewn_account_subscribe (EwnAccount *self);
void     ewn_account_schedule_poll (EwnAccount *self,
                                    guint       delay_ms);

G_END_DECLS
