/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <gio/gio.h>

#include "ews-event-stream.h"
#include "ews-records.h"
#include "ews-types.h"

G_BEGIN_DECLS

/* The largest response body the client reads; anything longer is a protocol error. */
#define EWS_CLIENT_MAX_RESPONSE_SIZE (32 * 1024 * 1024)

#define EWS_TYPE_AUTH_MECHANISM (ews_auth_mechanism_get_type ())
GType ews_auth_mechanism_get_type (void) G_GNUC_CONST;

#define EWS_TYPE_CLIENT (ews_client_get_type ())
G_DECLARE_FINAL_TYPE (EwsClient, ews_client, EWS, CLIENT, GObject)

EwsClient       *ews_client_new (const char *url);

const char      *ews_client_get_url (EwsClient *self);
const char      *ews_client_get_user_agent (EwsClient *self);
void             ews_client_set_user_agent (EwsClient  *self,
                                            const char *user_agent);
const char      *ews_client_get_server_version (EwsClient *self);
void             ews_client_set_server_version (EwsClient  *self,
                                                const char *server_version);
const char      *ews_client_get_anchor_mailbox (EwsClient *self);
void             ews_client_set_anchor_mailbox (EwsClient  *self,
                                                const char *anchor_mailbox);
EwsAuthMechanism ews_client_get_auth_mechanism (EwsClient *self);
void             ews_client_set_auth_mechanism (EwsClient       *self,
                                                EwsAuthMechanism mechanism);
void             ews_client_set_kerberos_wait (EwsClient *self,
                                               guint      wait_ms);
GProxyResolver  *ews_client_get_proxy_resolver (EwsClient *self);
void             ews_client_set_proxy_resolver (EwsClient      *self,
                                                GProxyResolver *resolver);
gboolean         ews_client_get_trace (EwsClient *self);
void             ews_client_set_trace (EwsClient *self,
                                       gboolean   trace);

void             ews_client_set_credentials (EwsClient  *self,
                                             const char *username,
                                             const char *password);
gboolean         ews_client_withholds_password (EwsClient *self);
gboolean         ews_client_get_kerberos_unanswered (EwsClient *self);
gboolean         ews_password_fits_ntlm (const char *password);
gboolean         ews_auth_withholds_password (EwsAuthMechanism mechanism,
                                              const char      *password);
gboolean         ews_client_set_ca_file (EwsClient  *self,
                                         const char *path,
                                         GError    **error);
void             ews_client_set_pinned_certificate (EwsClient  *self,
                                                    const char *sha256_fingerprint);
char            *ews_client_certificate_fingerprint (GTlsCertificate *certificate);
char            *ews_client_describe_certificate (GTlsCertificate     *certificate,
                                                  GTlsCertificateFlags errors);

void             ews_client_check_async (EwsClient          *self,
                                         GCancellable       *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data);
gboolean         ews_client_check_finish (EwsClient    *self,
                                          GAsyncResult *result,
                                          char        **server_version,
                                          GError      **error);

void             ews_client_get_folders_async (EwsClient          *self,
                                               GPtrArray          *folder_refs,
                                               GCancellable       *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer            user_data);
GPtrArray       *ews_client_get_folders_finish (EwsClient    *self,
                                                GAsyncResult *result,
                                                GError      **error);

void             ews_client_subscribe_streaming_async (EwsClient          *self,
                                                       GPtrArray          *folder_refs,
                                                       EwsEventMask        mask,
                                                       GCancellable       *cancellable,
                                                       GAsyncReadyCallback callback,
                                                       gpointer            user_data);
void             ews_client_subscribe_pull_async (EwsClient          *self,
                                                  GPtrArray          *folder_refs,
                                                  EwsEventMask        mask,
                                                  const char         *watermark,
                                                  guint               timeout_minutes,
                                                  GCancellable       *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer            user_data);
void             ews_client_subscribe_push_async (EwsClient          *self,
                                                  GPtrArray          *folder_refs,
                                                  EwsEventMask        mask,
                                                  const char         *watermark,
                                                  const char         *url,
                                                  guint               status_frequency_minutes,
                                                  GCancellable       *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer            user_data);
EwsSubscription *ews_client_subscribe_finish (EwsClient    *self,
                                              GAsyncResult *result,
                                              GError      **error);

void             ews_client_unsubscribe_async (EwsClient          *self,
                                               const char         *subscription_id,
                                               GCancellable       *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer            user_data);
gboolean         ews_client_unsubscribe_finish (EwsClient    *self,
                                                GAsyncResult *result,
                                                GError      **error);

void             ews_client_get_events_async (EwsClient          *self,
                                              const char         *subscription_id,
                                              const char         *watermark,
                                              GCancellable       *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer            user_data);
EwsNotification *ews_client_get_events_finish (EwsClient    *self,
                                               GAsyncResult *result,
                                               GError      **error);

void             ews_client_sync_folder_items_async (EwsClient          *self,
                                                     const EwsFolderRef *folder,
                                                     EwsFolderKind       kind,
                                                     const char         *sync_state,
                                                     guint               max_changes,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
EwsSyncResult   *ews_client_sync_folder_items_finish (EwsClient    *self,
                                                      GAsyncResult *result,
                                                      GError      **error);

void             ews_client_get_items_async (EwsClient          *self,
                                             const char *const  *item_ids,
                                             GCancellable       *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer            user_data);
GPtrArray       *ews_client_get_items_finish (EwsClient    *self,
                                              GAsyncResult *result,
                                              GError      **error);

void             ews_client_stream_events_async (EwsClient          *self,
                                                 const char *const  *subscription_ids,
                                                 guint               connection_timeout_minutes,
                                                 EwsEventStream     *stream,
                                                 GCancellable       *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer            user_data);
gboolean         ews_client_stream_events_finish (EwsClient    *self,
                                                  GAsyncResult *result,
                                                  GError      **error);

G_END_DECLS
