/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <libsoup/soup.h>

#include "ews-client.h"

G_BEGIN_DECLS

/* Certificate trust beyond the system store (ews-client-tls.c). */
typedef struct
{
  GPtrArray *extra_cas;     /* (element-type GTlsCertificate) (nullable) */
  char      *pinned_sha256; /* lower-case hex without colons, or NULL */
} EwsClientTrust;

void     ews_client_trust_clear (EwsClientTrust *trust);
gboolean ews_client_trust_load_ca_file (EwsClientTrust *trust,
                                        const char     *path,
                                        GError        **error);
void     ews_client_trust_set_pin (EwsClientTrust *trust,
                                   const char     *sha256_fingerprint);
gboolean ews_client_trust_accepts (EwsClientTrust  *trust,
                                   GUri            *uri,
                                   GTlsCertificate *certificate);
GError  *ews_client_tls_error_new (GUri                *uri,
                                   GTlsCertificate     *certificate,
                                   GTlsCertificateFlags errors);

/* Auth schemes a session currently offers, so they can be swapped safely. */
typedef enum
{
  AUTH_BASIC = 1 << 0,
  AUTH_DIGEST = 1 << 1,
  AUTH_NTLM = 1 << 2,
  AUTH_NEGOTIATE = 1 << 3,
} AuthSchemes;

/* libsoup sessions start with Basic and Digest. */
#define EWS_SESSION_DEFAULT_SCHEMES (AUTH_BASIC | AUTH_DIGEST)

/* How long a sign-in waits for the Kerberos credential cache and KDC, by default. */
#define EWS_KERBEROS_DEFAULT_WAIT_MS 3000

void        ews_kerberos_look_async (const char         *host,
                                     guint               wait_ms,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data);
void        ews_client_set_ticket_recheck (EwsClient *self,
                                           guint      ms);
gboolean    ews_kerberos_look_finish (GAsyncResult *result,
                                      gboolean     *unanswered,
                                      GError      **error);
AuthSchemes ews_auth_schemes_for_mechanism (EwsAuthMechanism mechanism,
                                            const char      *password,
                                            gboolean         secure,
                                            gboolean         have_ticket);
void        ews_session_set_auth_schemes (SoupSession *session,
                                          AuthSchemes *current,
                                          AuthSchemes  wanted);
gboolean    ews_auth_decline (SoupAuth *auth);
gboolean    ews_auth_answer (SoupAuth   *auth,
                             const char *username,
                             const char *password);

struct _EwsClient
{
  GObject          parent_instance;

  char            *url;
  char            *user_agent;
  char            *server_version;
  char            *anchor_mailbox;
  EwsAuthMechanism auth_mechanism;
  GProxyResolver  *proxy_resolver;
  gboolean         trace;

  char            *username;
  char            *password;
  EwsClientTrust   trust;
  char            *affinity_cookie;

  SoupSession     *session;        /* ordinary requests */
  SoupSession     *stream_session; /* the hanging GetStreamingEvents */
  AuthSchemes      session_schemes;
  AuthSchemes      stream_session_schemes;
  gboolean         have_ticket;         /* the last look's answer */
  gboolean         kerberos_unanswered; /* the last look's cache or KDC did not answer */
  gint64           ticket_recheck_us;   /* how long a look is trusted */
  gint64           ticket_looked_us;    /* when it came; 0 before the first */
  gboolean         looking;             /* renewing the look in the background */
  guint            kerberos_wait_ms;
};

void ews_client_clear_secret (char **secret);

typedef void (*EwsClientAuthReadyFunc) (GTask *task);

void ews_client_when_auth_ready (EwsClient             *self,
                                 gboolean               connecting,
                                 GTask                 *task,
                                 EwsClientAuthReadyFunc ready);

/* The HTTP exchange (ews-client-io.c), used by the operations (ews-client-ops.c). */
typedef gpointer (*EwsClientParseFunc) (const char *data,
                                        gsize       length,
                                        GError    **error);

GTask   *ews_client_new_task (EwsClient          *self,
                              gpointer            source_tag,
                              const char         *name,
                              EwsClientParseFunc  parse,
                              GDestroyNotify      result_free,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data);
void     ews_client_start_request (GTask       *task,
                                   SoupSession *session,
                                   GBytes      *body,
                                   gboolean     affinity);
gpointer ews_client_finish_pointer (EwsClient    *self,
                                    GAsyncResult *result,
                                    gpointer      source_tag,
                                    GError      **error);

/* Protocol traces with secrets removed (ews-client-trace.c). */
void     ews_client_trace_headers (const char         *direction,
                                   const char         *first_line,
                                   SoupMessageHeaders *headers,
                                   const char         *password);
void     ews_client_trace_body (const char *direction,
                                const char *data,
                                gsize       length,
                                const char *password);

G_END_DECLS
