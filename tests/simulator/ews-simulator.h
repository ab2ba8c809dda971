/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* For the tests that check an item's times (microseconds since the epoch, UTC, as
 * EwsItem keeps them): the hour of @time, in UTC. */
static inline int
ews_sim_utc_hour (gint64 time)
{
  return (int)(time / G_USEC_PER_SEC % 86400 / 3600);
}

/**
 * EwsSimFault:
 * @EWS_SIM_FAULT_DROP_STREAM: the next (or an open) stream is cut after half an envelope
 * @EWS_SIM_FAULT_STALL_STREAM: the next (or an open) stream stays open but sends nothing more
 * @EWS_SIM_FAULT_HTTP_500: the next request gets a bare HTTP 500
 * @EWS_SIM_FAULT_HTTP_503: the next request gets a bare HTTP 503
 * @EWS_SIM_FAULT_SERVER_BUSY: the next request gets an ErrorServerBusy SOAP fault (HTTP 500);
 *   the parameter is BackOffMilliseconds
 * @EWS_SIM_FAULT_FORGET_SUBSCRIPTIONS: every subscription is forgotten at once (as after a
 *   server restart); the next GetStreamingEvents / GetEvents gets ErrorSubscriptionNotFound
 * @EWS_SIM_FAULT_EXPIRE_SUBSCRIPTIONS: every subscription expires now; open streams get
 *   ErrorSubscriptionNotFound and Closed at once
 * @EWS_SIM_FAULT_MISSED_EVENTS: the next envelope of a stream (or the next GetEvents) is
 *   ErrorMissedNotificationEvents
 * @EWS_SIM_FAULT_MALFORMED_XML: the next envelope of a stream is malformed XML
 * @EWS_SIM_FAULT_UNAUTHORIZED: the next request gets 401 whatever its credentials
 * @EWS_SIM_FAULT_CLOSE_CONNECTION: the next request is answered as usual, and its
 *   connection closed after the answer (the client opens a new one for the next)
 *
 * Each fault applies once (a count accumulates when injected repeatedly).
 */
typedef enum
{
  EWS_SIM_FAULT_DROP_STREAM,
  EWS_SIM_FAULT_STALL_STREAM,
  EWS_SIM_FAULT_HTTP_500,
  EWS_SIM_FAULT_HTTP_503,
  EWS_SIM_FAULT_SERVER_BUSY,
  EWS_SIM_FAULT_FORGET_SUBSCRIPTIONS,
  EWS_SIM_FAULT_EXPIRE_SUBSCRIPTIONS,
  EWS_SIM_FAULT_MISSED_EVENTS,
  EWS_SIM_FAULT_MALFORMED_XML,
  EWS_SIM_FAULT_UNAUTHORIZED,
  EWS_SIM_FAULT_CLOSE_CONNECTION,
} EwsSimFault;

/**
 * EwsSimTrafficFunc:
 * @operation: "GetFolder", "GetStreamingEvents", "SendNotification", "Autodiscover", …
 * @is_response: %FALSE for a body the simulator received (a request, or a push
 *   listener's SendNotificationResult), %TRUE for a body it wrote (a response, each
 *   streamed envelope separately, or a SendNotification it posted)
 * @body: the bytes
 *
 * Called on the simulator's context for every body it reads or writes.
 */
typedef void (*EwsSimTrafficFunc) (const char *operation,
                                   gboolean    is_response,
                                   GBytes     *body,
                                   gpointer    user_data);

/**
 * EwsSimCommitFunc:
 * @item_id: the ItemId of the item created, changed, moved (its new id) or deleted
 * @monotonic_us: g_get_monotonic_time() once the change is committed and its events
 *   are queued to the subscriptions, before any of them is written
 *
 * Called on the simulator's context for every item change, whoever makes it.
 */
typedef void (*EwsSimCommitFunc) (const char *item_id,
                                  gint64      monotonic_us,
                                  gpointer    user_data);

#define EWS_TYPE_SIMULATOR (ews_simulator_get_type ())
G_DECLARE_FINAL_TYPE (EwsSimulator, ews_simulator, EWS, SIMULATOR, GObject)

EwsSimulator    *ews_simulator_new (void);
EwsSimulator    *ews_simulator_new_in_thread (void);
void             ews_simulator_add_user (EwsSimulator *self,
                                         const char   *name,
                                         const char   *password);
gboolean         ews_simulator_listen (EwsSimulator *self,
                                       guint16       port,
                                       gboolean      tls,
                                       GError      **error);
const char      *ews_simulator_get_url (EwsSimulator *self);
GTlsCertificate *ews_simulator_get_certificate (EwsSimulator *self);
const char      *ews_simulator_get_certificate_file (EwsSimulator *self);
void             ews_simulator_set_keepalive_interval (EwsSimulator *self,
                                                       guint         ms);
void             ews_simulator_set_minute_ms (EwsSimulator *self,
                                              guint         ms);
void             ews_simulator_set_streaming (EwsSimulator *self,
                                              gboolean      streaming);
void             ews_simulator_set_ntlm (EwsSimulator *self,
                                         gboolean      ntlm);
guint            ews_simulator_get_ntlm_sign_ins (EwsSimulator *self);
gboolean         ews_simulator_set_kerberos (EwsSimulator *self,
                                             const char   *keytab,
                                             GError      **error);
guint            ews_simulator_get_kerberos_sign_ins (EwsSimulator *self);
guint            ews_simulator_get_refused_sign_ins (EwsSimulator *self);
void             ews_simulator_inject_fault (EwsSimulator *self,
                                             EwsSimFault   fault,
                                             guint         param);
void             ews_simulator_restart (EwsSimulator *self);
guint            ews_simulator_get_n_subscriptions (EwsSimulator *self);
guint            ews_simulator_get_n_streams (EwsSimulator *self);
void             ews_simulator_set_traffic_func (EwsSimulator     *self,
                                                 EwsSimTrafficFunc func,
                                                 gpointer          user_data,
                                                 GDestroyNotify    destroy);
void             ews_simulator_set_commit_func (EwsSimulator    *self,
                                                EwsSimCommitFunc func,
                                                gpointer         user_data,
                                                GDestroyNotify   destroy);
char           **ews_simulator_create_meetings (EwsSimulator *self,
                                                const char   *mailbox,
                                                const char   *organizer,
                                                const char   *subject,
                                                GDateTime    *start,
                                                guint         n);
gboolean         ews_simulator_reschedule (EwsSimulator *self,
                                           const char   *item_id,
                                           const char   *user,
                                           GDateTime    *start,
                                           GDateTime    *end);

G_END_DECLS
