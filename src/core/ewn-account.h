/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <gio/gio.h>

#include "ews-client.h"
#include "ewn-change.h"
#include "ewn-system-watch.h"

G_BEGIN_DECLS

typedef enum
{
  EWN_ACCOUNT_STATE_OFFLINE,
  EWN_ACCOUNT_STATE_RESOLVING,
  EWN_ACCOUNT_STATE_SUBSCRIBING,
  EWN_ACCOUNT_STATE_STREAMING,
  EWN_ACCOUNT_STATE_SYNCING,
  EWN_ACCOUNT_STATE_BACKING_OFF,
  EWN_ACCOUNT_STATE_AUTH_NEEDED,
  EWN_ACCOUNT_STATE_PAUSED,
  EWN_ACCOUNT_STATE_ERROR,
} EwnAccountState;

#define EWN_TYPE_ACCOUNT_STATE (ewn_account_state_get_type ())
GType       ewn_account_state_get_type (void) G_GNUC_CONST;
const char *ewn_account_state_to_string (EwnAccountState state);
const char *ewn_account_describe_state (EwnAccountState state);

/**
 * EwnAccountTiming:
 * @watchdog_ms: silence (not even a keep-alive) after which a stream counts as dead
 * @backoff_initial_ms: first wait after a transport error; doubles up to @backoff_max_ms
 * @backoff_max_ms: the slow retry that always remains
 * @connection_timeout_min: ConnectionTimeout asked for each GetStreamingEvents (1–30)
 * @pull_interval_ms: how often GetEvents polls when the server cannot stream
 * @pull_timeout_min: the pull subscription's Timeout (1–1440)
 *
 * Intervals are settings so that tests never wait for real-world timeouts.
 */
typedef struct
{
  guint watchdog_ms;
  guint backoff_initial_ms;
  guint backoff_max_ms;
  guint connection_timeout_min;
  guint pull_interval_ms;
  guint pull_timeout_min;
} EwnAccountTiming;

#define EWN_TYPE_ACCOUNT (ewn_account_get_type ())
G_DECLARE_FINAL_TYPE (EwnAccount, ewn_account, EWN, ACCOUNT, GObject)

EwnAccount     *ewn_account_new (const char        *id,
                                 EwsClient         *client,
                                 const char        *state_dir,
                                 const char *const *extra_mailboxes);
const char     *ewn_account_get_id (EwnAccount *self);
EwsClient      *ewn_account_get_client (EwnAccount *self);
gboolean        ewn_account_is_waiting_for_password (EwnAccount *self);
const char     *ewn_account_describe (EwnAccount *self);
EwnAccountState ewn_account_get_state (EwnAccount *self);
const char     *ewn_account_get_state_reason (EwnAccount *self);
const char     *ewn_account_get_warning (EwnAccount *self);
guint           ewn_account_get_n_mailboxes (EwnAccount *self);
gboolean        ewn_account_get_pull (EwnAccount *self);
const char     *ewn_account_get_address (EwnAccount *self);
void            ewn_account_set_address (EwnAccount *self,
                                         const char *address);
const char     *ewn_account_get_display_name (EwnAccount *self);
void            ewn_account_set_display_name (EwnAccount *self,
                                              const char *display_name);
void            ewn_account_set_owner_name (EwnAccount *self,
                                            const char *owner_name);
gboolean        ewn_account_is_own_change (EwnAccount      *self,
                                           const EwnChange *change);
void            ewn_account_set_folders (EwnAccount *self,
                                         gboolean    calendar,
                                         gboolean    tasks);
void            ewn_account_set_pull (EwnAccount *self,
                                      gboolean    pull);
void            ewn_account_wait (EwnAccount *self,
                                  const char *reason);
void            ewn_account_wait_for_credentials (EwnAccount *self,
                                                  const char *reason);
gboolean        ewn_account_get_started (EwnAccount *self);
void            ewn_account_set_timing (EwnAccount             *self,
                                        const EwnAccountTiming *timing);
void            ewn_account_set_watch_system (EwnAccount *self,
                                              gboolean    watch_system);
void            ewn_account_set_system_watch (EwnAccount     *self,
                                              EwnSystemWatch *watch);
void            ewn_account_start (EwnAccount *self);
void            ewn_account_reconnect (EwnAccount *self);
void            ewn_account_pause (EwnAccount *self);
void            ewn_account_resume (EwnAccount *self);
void            ewn_account_stop_async (EwnAccount         *self,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
gboolean        ewn_account_stop_finish (EwnAccount   *self,
                                         GAsyncResult *result,
                                         GError      **error);

G_END_DECLS
