/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ews-client"

#include "config.h"

#include <string.h>

#include "ews-client.h"
#include "ews-client-private.h"
#include "ews-error.h"
#include "ews-request.h"
#include "ews-response.h"

G_DEFINE_FINAL_TYPE (EwsClient, ews_client, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_URL,
  PROP_USER_AGENT,
  PROP_SERVER_VERSION,
  PROP_ANCHOR_MAILBOX,
  PROP_AUTH_MECHANISM,
  PROP_PROXY_RESOLVER,
  PROP_TRACE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_AUTHENTICATE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

GType
ews_auth_mechanism_get_type (void)
{
  static gsize type = 0;

  if (g_once_init_enter (&type))
    {
      static const GEnumValue values[] = {
        { EWS_AUTH_BASIC, "EWS_AUTH_BASIC", "basic" },
        { EWS_AUTH_NTLM, "EWS_AUTH_NTLM", "ntlm" },
        { EWS_AUTH_NEGOTIATE, "EWS_AUTH_NEGOTIATE", "negotiate" },
        { EWS_AUTH_AUTOMATIC, "EWS_AUTH_AUTOMATIC", "automatic" },
        { 0, NULL, NULL },
      };
      GType id = g_enum_register_static (g_intern_static_string ("EwsAuthMechanism"), values);

      g_once_init_leave (&type, id);
    }
  return type;
}

static void
apply_auth_mechanism (EwsClient *self)
{
  AuthSchemes wanted = ews_auth_schemes_for_mechanism (self->auth_mechanism, self->password,
                                                       self->url != NULL && g_ascii_strncasecmp (self->url, "https:", 6) == 0,
                                                       self->have_ticket);

  ews_session_set_auth_schemes (self->session, &self->session_schemes, wanted);
  ews_session_set_auth_schemes (self->stream_session, &self->stream_session_schemes, wanted);
}

/* How long a request trusts the last look for a Kerberos ticket, by default. */
#define TICKET_RECHECK_US (30 * G_USEC_PER_SEC)

/* What a look for a ticket said: the schemes the client offers from now on. */
static void
learn_ticket (EwsClient *self,
              gboolean   have_ticket,
              gboolean   unanswered)
{
  self->have_ticket = have_ticket;
  self->kerberos_unanswered = unanswered;
  self->ticket_looked_us = g_get_monotonic_time ();
  g_debug ("Kerberos ticket: %s", have_ticket ? "yes" : "none");
  if (self->session != NULL)
    apply_auth_mechanism (self);
}

static void
renewed_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (EwsClient) self = user_data;
  gboolean unanswered = FALSE;
  gboolean have_ticket = ews_kerberos_look_finish (result, &unanswered, NULL);

  self->looking = FALSE;
  learn_ticket (self, have_ticket, unanswered);
}

/* The host Negotiate signs in to: the service ticket a look fetches is for it. */
static char *
dup_host (EwsClient *self)
{
  g_autoptr (GUri) uri = self->url != NULL ? g_uri_parse (self->url, G_URI_FLAGS_NONE, NULL) : NULL;

  return uri != NULL && g_uri_get_host (uri) != NULL ? g_strdup (g_uri_get_host (uri)) : NULL;
}

/* A request waiting for a look. */
typedef struct
{
  GTask                 *task;
  EwsClientAuthReadyFunc ready;
} AuthWaiter;

static void
looked_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  AuthWaiter            *waiter = user_data;
  GTask                 *task = waiter->task;
  EwsClientAuthReadyFunc ready = waiter->ready;
  GError                *error = NULL;
  gboolean               unanswered = FALSE;
  gboolean               have_ticket = ews_kerberos_look_finish (result, &unanswered, &error);

  g_free (waiter);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  /* The task keeps the client alive. */
  learn_ticket (g_task_get_source_object (task), have_ticket, unanswered);
  ready (task);
}

/**
 * ews_client_when_auth_ready:
 * @connecting: whether the request opens the way to the server (a subscription,
 *   the stream, the folders, the sign-in check): a sign-in the user may just have
 *   fixed with kinit
 * @task: (transfer full): the request's task, whose source object is @self
 * @ready: sends the request; gets @task
 *
 * Offers Negotiate when a Kerberos ticket has come, and stops when it has gone,
 * then calls @ready. The credential cache is asked in a thread, which also gets the
 * server's service ticket into it: a connecting request waits for its answer (at
 * most the client's Kerberos wait, and only until it is cancelled), and so does
 * any request while Negotiate is offered on a look older than 30 seconds; any other
 * goes at once, while the look is renewed for the next.
 */
void
ews_client_when_auth_ready (EwsClient             *self,
                            gboolean               connecting,
                            GTask                 *task,
                            EwsClientAuthReadyFunc ready)
{
  gboolean         kerberos = self->auth_mechanism == EWS_AUTH_AUTOMATIC || self->auth_mechanism == EWS_AUTH_NEGOTIATE;
  gboolean         known = self->ticket_looked_us != 0;
  gboolean         fresh = known && g_get_monotonic_time () - self->ticket_looked_us < self->ticket_recheck_us;
  g_autofree char *host = NULL;
  AuthWaiter      *waiter;

  if (!kerberos || (fresh && !connecting))
    {
      ready (task);
      return;
    }
  /* While Negotiate is offered, any request may open a connection on which libsoup
   * signs in with the service ticket, and asks the KDC for it on the main loop when
   * the cache has lost it (a kinit, a renewal): each waits for a look that is not
   * fresh. Without a ticket, a request goes at once and the look runs beside it. */
  if (!connecting && known && !self->have_ticket)
    {
      if (!self->looking)
        {
          self->looking = TRUE;
          host = dup_host (self);
          ews_kerberos_look_async (host, self->kerberos_wait_ms, NULL, renewed_cb, g_object_ref (self));
        }
      ready (task);
      return;
    }
  waiter = g_new (AuthWaiter, 1);
  waiter->task = task;
  waiter->ready = ready;
  host = dup_host (self);
  ews_kerberos_look_async (host, self->kerberos_wait_ms, g_task_get_cancellable (task), looked_cb, waiter);
}

/**
 * ews_client_set_kerberos_wait:
 * @self: a client
 * @wait_ms: how long a sign-in waits for the Kerberos credential cache (3 s by default)
 *
 * A cache (KCM, sssd, a file on a network share) that does not answer in time
 * counts as one without a ticket: the sign-in goes on with the other schemes.
 * Until the look that hangs answers, later sign-ins go on without Kerberos at once.
 */
void
ews_client_set_kerberos_wait (EwsClient *self,
                              guint      wait_ms)
{
  g_return_if_fail (EWS_IS_CLIENT (self));
  g_return_if_fail (wait_ms > 0);

  self->kerberos_wait_ms = wait_ms;
}

static void
ews_client_constructed (GObject *object)
{
  EwsClient *self = EWS_CLIENT (object);

  G_OBJECT_CLASS (ews_client_parent_class)->constructed (object);

  if (self->proxy_resolver == NULL)
    self->proxy_resolver = g_object_ref (g_proxy_resolver_get_default ());

  self->session = soup_session_new_with_options ("user-agent", self->user_agent,
                                                 "proxy-resolver", self->proxy_resolver,
                                                 NULL);
  /* A quiet stream must not be killed by libsoup: the caller runs a watchdog. */
  self->stream_session = soup_session_new_with_options ("user-agent", self->user_agent,
                                                        "proxy-resolver", self->proxy_resolver,
                                                        "timeout", 0,
                                                        "idle-timeout", 0,
                                                        NULL);
  self->session_schemes = EWS_SESSION_DEFAULT_SCHEMES;
  self->stream_session_schemes = EWS_SESSION_DEFAULT_SCHEMES;
  apply_auth_mechanism (self);
}

static void
ews_client_dispose (GObject *object)
{
  EwsClient *self = EWS_CLIENT (object);

  if (self->session != NULL)
    soup_session_abort (self->session);
  if (self->stream_session != NULL)
    soup_session_abort (self->stream_session);
  g_clear_object (&self->session);
  g_clear_object (&self->stream_session);
  g_clear_object (&self->proxy_resolver);

  G_OBJECT_CLASS (ews_client_parent_class)->dispose (object);
}

void
ews_client_clear_secret (char **secret)
{
  if (*secret != NULL)
    memset (*secret, 0, strlen (*secret));
  g_clear_pointer (secret, g_free);
}

static void
ews_client_finalize (GObject *object)
{
  EwsClient *self = EWS_CLIENT (object);

  g_free (self->url);
  g_free (self->user_agent);
  g_free (self->server_version);
  g_free (self->anchor_mailbox);
  g_free (self->username);
  ews_client_clear_secret (&self->password);
  ews_client_clear_secret (&self->affinity_cookie);
  ews_client_trust_clear (&self->trust);

  G_OBJECT_CLASS (ews_client_parent_class)->finalize (object);
}

static void
ews_client_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  EwsClient *self = EWS_CLIENT (object);

  switch (prop_id)
    {
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    case PROP_USER_AGENT:
      g_value_set_string (value, self->user_agent);
      break;
    case PROP_SERVER_VERSION:
      g_value_set_string (value, self->server_version);
      break;
    case PROP_ANCHOR_MAILBOX:
      g_value_set_string (value, self->anchor_mailbox);
      break;
    case PROP_AUTH_MECHANISM:
      g_value_set_enum (value, self->auth_mechanism);
      break;
    case PROP_PROXY_RESOLVER:
      g_value_set_object (value, self->proxy_resolver);
      break;
    case PROP_TRACE:
      g_value_set_boolean (value, self->trace);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ews_client_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  EwsClient *self = EWS_CLIENT (object);

  switch (prop_id)
    {
    case PROP_URL:
      self->url = g_value_dup_string (value);
      break;
    case PROP_USER_AGENT:
      ews_client_set_user_agent (self, g_value_get_string (value));
      break;
    case PROP_SERVER_VERSION:
      ews_client_set_server_version (self, g_value_get_string (value));
      break;
    case PROP_ANCHOR_MAILBOX:
      ews_client_set_anchor_mailbox (self, g_value_get_string (value));
      break;
    case PROP_AUTH_MECHANISM:
      ews_client_set_auth_mechanism (self, g_value_get_enum (value));
      break;
    case PROP_PROXY_RESOLVER:
      ews_client_set_proxy_resolver (self, g_value_get_object (value));
      break;
    case PROP_TRACE:
      ews_client_set_trace (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ews_client_class_init (EwsClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ews_client_constructed;
  object_class->dispose = ews_client_dispose;
  object_class->finalize = ews_client_finalize;
  object_class->get_property = ews_client_get_property;
  object_class->set_property = ews_client_set_property;

  properties[PROP_URL] = g_param_spec_string ("url", NULL, NULL, NULL,
                                              G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_USER_AGENT] = g_param_spec_string ("user-agent", NULL, NULL, "ews-notifier/" PACKAGE_VERSION,
                                                     G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SERVER_VERSION] = g_param_spec_string ("server-version", NULL, NULL, EWS_DEFAULT_SERVER_VERSION,
                                                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ANCHOR_MAILBOX] = g_param_spec_string ("anchor-mailbox", NULL, NULL, NULL,
                                                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_AUTH_MECHANISM] = g_param_spec_enum ("auth-mechanism", NULL, NULL, EWS_TYPE_AUTH_MECHANISM, EWS_AUTH_BASIC,
                                                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROXY_RESOLVER] = g_param_spec_object ("proxy-resolver", NULL, NULL, G_TYPE_PROXY_RESOLVER,
                                                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TRACE] = g_param_spec_boolean ("trace", NULL, NULL, FALSE,
                                                 G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EwsClient::authenticate:
   * @self: the client
   * @msg: the message that needs credentials
   * @auth: the #SoupAuth to answer
   * @retrying: %TRUE when earlier credentials were refused
   *
   * A handler that returns %TRUE takes over: it must later call
   * soup_auth_authenticate() or soup_auth_cancel() on @auth (it may ask the user
   * first). Without one, the credentials from ews_client_set_credentials() are
   * tried once.
   *
   * Returns: %TRUE when handled
   */
  signals[SIGNAL_AUTHENTICATE] = g_signal_new ("authenticate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                               g_signal_accumulator_true_handled, NULL, NULL,
                                               G_TYPE_BOOLEAN, 3, SOUP_TYPE_MESSAGE, SOUP_TYPE_AUTH, G_TYPE_BOOLEAN);
}

static void
ews_client_init (EwsClient *self)
{
  self->auth_mechanism = EWS_AUTH_BASIC;
  self->kerberos_wait_ms = EWS_KERBEROS_DEFAULT_WAIT_MS;
  self->ticket_recheck_us = TICKET_RECHECK_US;
}

/**
 * ews_client_new:
 * @url: the EWS endpoint, e.g. "https://mail.example.com/EWS/Exchange.asmx"
 *
 * Returns: (transfer full): a new client
 */
EwsClient *
ews_client_new (const char *url)
{
  g_return_val_if_fail (url != NULL, NULL);

  return g_object_new (EWS_TYPE_CLIENT, "url", url, NULL);
}

const char *
ews_client_get_url (EwsClient *self)
{
  g_return_val_if_fail (EWS_IS_CLIENT (self), NULL);
  return self->url;
}

static gboolean
replace_string (char      **field,
                const char *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

const char *
ews_client_get_user_agent (EwsClient *self)
{
  g_return_val_if_fail (EWS_IS_CLIENT (self), NULL);
  return self->user_agent;
}

void
ews_client_set_user_agent (EwsClient  *self,
                           const char *user_agent)
{
  g_return_if_fail (EWS_IS_CLIENT (self));

  if (user_agent == NULL)
    user_agent = "ews-notifier/" PACKAGE_VERSION;
  if (!replace_string (&self->user_agent, user_agent))
    return;
  if (self->session != NULL)
    {
      soup_session_set_user_agent (self->session, user_agent);
      soup_session_set_user_agent (self->stream_session, user_agent);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER_AGENT]);
}

const char *
ews_client_get_server_version (EwsClient *self)
{
  g_return_val_if_fail (EWS_IS_CLIENT (self), NULL);
  return self->server_version;
}

void
ews_client_set_server_version (EwsClient  *self,
                               const char *server_version)
{
  g_return_if_fail (EWS_IS_CLIENT (self));

  if (server_version == NULL)
    server_version = EWS_DEFAULT_SERVER_VERSION;
  if (replace_string (&self->server_version, server_version))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_VERSION]);
}

const char *
ews_client_get_anchor_mailbox (EwsClient *self)
{
  g_return_val_if_fail (EWS_IS_CLIENT (self), NULL);
  return self->anchor_mailbox;
}

/**
 * ews_client_set_anchor_mailbox:
 * @self: a client
 * @anchor_mailbox: (nullable): SMTP address sent as X-AnchorMailbox
 */
void
ews_client_set_anchor_mailbox (EwsClient  *self,
                               const char *anchor_mailbox)
{
  g_return_if_fail (EWS_IS_CLIENT (self));

  if (replace_string (&self->anchor_mailbox, anchor_mailbox))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ANCHOR_MAILBOX]);
}

EwsAuthMechanism
ews_client_get_auth_mechanism (EwsClient *self)
{
  g_return_val_if_fail (EWS_IS_CLIENT (self), EWS_AUTH_BASIC);
  return self->auth_mechanism;
}

/**
 * ews_client_set_auth_mechanism:
 * @self: a client
 * @mechanism: the scheme the client answers (Automatic: the strongest the server offers)
 */
void
ews_client_set_auth_mechanism (EwsClient       *self,
                               EwsAuthMechanism mechanism)
{
  g_return_if_fail (EWS_IS_CLIENT (self));

  if (self->auth_mechanism == mechanism)
    return;
  self->auth_mechanism = mechanism;
  if (self->session != NULL)
    apply_auth_mechanism (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTH_MECHANISM]);
}

GProxyResolver *
ews_client_get_proxy_resolver (EwsClient *self)
{
  g_return_val_if_fail (EWS_IS_CLIENT (self), NULL);
  return self->proxy_resolver;
}

/**
 * ews_client_set_proxy_resolver:
 * @self: a client
 * @resolver: (nullable): the resolver; %NULL for the system default
 */
void
ews_client_set_proxy_resolver (EwsClient      *self,
                               GProxyResolver *resolver)
{
  g_return_if_fail (EWS_IS_CLIENT (self));
  g_return_if_fail (resolver == NULL || G_IS_PROXY_RESOLVER (resolver));

  if (resolver == NULL && self->session != NULL)
    resolver = g_proxy_resolver_get_default ();
  if (!g_set_object (&self->proxy_resolver, resolver))
    return;
  if (self->session != NULL)
    {
      soup_session_set_proxy_resolver (self->session, resolver);
      soup_session_set_proxy_resolver (self->stream_session, resolver);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROXY_RESOLVER]);
}

gboolean
ews_client_get_trace (EwsClient *self)
{
  g_return_val_if_fail (EWS_IS_CLIENT (self), FALSE);
  return self->trace;
}

/**
 * ews_client_set_trace:
 * @self: a client
 * @trace: whether to log requests and responses with g_debug()
 *
 * Authorization, cookie and authentication-challenge headers and the password
 * are removed from the trace.
 */
void
ews_client_set_trace (EwsClient *self,
                      gboolean   trace)
{
  g_return_if_fail (EWS_IS_CLIENT (self));

  trace = !!trace;
  if (self->trace == trace)
    return;
  self->trace = trace;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRACE]);
}

/**
 * ews_client_set_credentials:
 * @self: a client
 * @username: (nullable): user name ("DOMAIN\\user" or UPN for NTLM)
 * @password: (nullable): the password, kept in memory only
 */
void
ews_client_set_credentials (EwsClient  *self,
                            const char *username,
                            const char *password)
{
  SoupSession *sessions[2];

  g_return_if_fail (EWS_IS_CLIENT (self));

  g_free (self->username);
  self->username = g_strdup (username);
  ews_client_clear_secret (&self->password);
  self->password = g_strdup (password);
  if (self->session != NULL)
    apply_auth_mechanism (self);

  /* Both sessions would otherwise keep sending the credentials they cached. */
  sessions[0] = self->session;
  sessions[1] = self->stream_session;
  for (guint i = 0; i < G_N_ELEMENTS (sessions); i++)
    {
      SoupSessionFeature *manager = soup_session_get_feature (sessions[i], SOUP_TYPE_AUTH_MANAGER);

      if (manager != NULL)
        soup_auth_manager_clear_cached_credentials (SOUP_AUTH_MANAGER (manager));
    }
}

/**
 * ews_client_withholds_password:
 * @self: a client
 *
 * Returns: whether a refused sign-in of the client may come from NTLM withholding
 *   its password (see ews_auth_withholds_password())
 */
gboolean
ews_client_withholds_password (EwsClient *self)
{
  g_return_val_if_fail (EWS_IS_CLIENT (self), FALSE);
  return ews_auth_withholds_password (self->auth_mechanism, self->password);
}

/* For tests: how long a look for a ticket is trusted (30 s). */
void
ews_client_set_ticket_recheck (EwsClient *self,
                               guint      ms)
{
  g_return_if_fail (EWS_IS_CLIENT (self));
  self->ticket_recheck_us = (gint64)ms * 1000;
}

/**
 * ews_client_get_kerberos_unanswered:
 * @self: a client
 *
 * Returns: whether the last look for a Kerberos ticket went without Kerberos
 *   because the credential cache or the KDC did not answer in time (a hung KCM
 *   daemon, a domain controller behind a VPN that is down), rather than because
 *   there is no ticket
 */
gboolean
ews_client_get_kerberos_unanswered (EwsClient *self)
{
  g_return_val_if_fail (EWS_IS_CLIENT (self), FALSE);
  return self->kerberos_unanswered;
}

/**
 * ews_client_set_ca_file:
 * @self: a client
 * @path: (nullable): PEM file with CA certificates trusted in addition to the system store
 * @error: return location for an error
 *
 * Returns: %TRUE when the file was loaded (or @path is %NULL)
 */
gboolean
ews_client_set_ca_file (EwsClient  *self,
                        const char *path,
                        GError    **error)
{
  g_return_val_if_fail (EWS_IS_CLIENT (self), FALSE);

  return ews_client_trust_load_ca_file (&self->trust, path, error);
}

/**
 * ews_client_set_pinned_certificate:
 * @self: a client
 * @sha256_fingerprint: (nullable): the server certificate's SHA-256, hex with or without colons
 */
void
ews_client_set_pinned_certificate (EwsClient  *self,
                                   const char *sha256_fingerprint)
{
  g_return_if_fail (EWS_IS_CLIENT (self));

  ews_client_trust_set_pin (&self->trust, sha256_fingerprint);
}
