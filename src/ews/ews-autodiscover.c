/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ews-autodiscover"

#include "config.h"

#include "ews-autodiscover.h"

#include "ews-autodiscover-private.h"

/* The Autodiscover object and its configuration; the discovery itself is in
 * ews-autodiscover-run.c. */

#define SESSION_TIMEOUT       30
#define PORTS_ENVIRONMENT_VAR "EWS_AUTODISCOVER_PORTS"

G_DEFINE_FINAL_TYPE (EwsAutodiscover, ews_autodiscover, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (EwsAutodiscoverSettings, ews_autodiscover_settings, ews_autodiscover_settings_copy, ews_autodiscover_settings_free)

enum
{
  PROP_0,
  PROP_AUTH_MECHANISM,
  PROP_PROXY_RESOLVER,
  PROP_USER_AGENT,
  PROP_RESOLVER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/**
 * ews_autodiscover_settings_copy:
 * @settings: settings
 *
 * Returns: (transfer full): a copy
 */
EwsAutodiscoverSettings *
ews_autodiscover_settings_copy (const EwsAutodiscoverSettings *settings)
{
  EwsAutodiscoverSettings *copy = g_new0 (EwsAutodiscoverSettings, 1);

  copy->ews_url = g_strdup (settings->ews_url);
  copy->internal_ews_url = g_strdup (settings->internal_ews_url);
  copy->display_name = g_strdup (settings->display_name);
  copy->smtp_address = g_strdup (settings->smtp_address);
  copy->grouping_information = g_strdup (settings->grouping_information);
  copy->autodiscover_url = g_strdup (settings->autodiscover_url);
  return copy;
}

void
ews_autodiscover_settings_free (EwsAutodiscoverSettings *settings)
{
  if (settings == NULL)
    return;
  g_free (settings->ews_url);
  g_free (settings->internal_ews_url);
  g_free (settings->display_name);
  g_free (settings->smtp_address);
  g_free (settings->grouping_information);
  g_free (settings->autodiscover_url);
  g_free (settings);
}

/* Credentials only ever go over https: Autodiscover never sends them in the clear. */
void
ews_autodiscover_apply_auth (EwsAutodiscover *self)
{
  ews_session_set_auth_schemes (self->session, &self->session_schemes,
                                ews_auth_schemes_for_mechanism (self->auth_mechanism, self->password, TRUE, self->have_ticket));
}

static void
ews_autodiscover_constructed (GObject *object)
{
  EwsAutodiscover *self = EWS_AUTODISCOVER (object);

  G_OBJECT_CLASS (ews_autodiscover_parent_class)->constructed (object);

  if (self->proxy_resolver == NULL)
    self->proxy_resolver = g_object_ref (g_proxy_resolver_get_default ());
  if (self->resolver == NULL)
    self->resolver = g_resolver_get_default ();

  self->session = soup_session_new_with_options ("user-agent", self->user_agent,
                                                 "proxy-resolver", self->proxy_resolver,
                                                 "timeout", SESSION_TIMEOUT,
                                                 NULL);
  self->session_schemes = EWS_SESSION_DEFAULT_SCHEMES;
  ews_autodiscover_apply_auth (self);
}

static void
ews_autodiscover_dispose (GObject *object)
{
  EwsAutodiscover *self = EWS_AUTODISCOVER (object);

  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  g_clear_object (&self->proxy_resolver);
  g_clear_object (&self->resolver);

  G_OBJECT_CLASS (ews_autodiscover_parent_class)->dispose (object);
}

static void
ews_autodiscover_finalize (GObject *object)
{
  EwsAutodiscover *self = EWS_AUTODISCOVER (object);

  g_free (self->username);
  ews_client_clear_secret (&self->password);
  ews_client_trust_clear (&self->trust);
  g_free (self->user_agent);
  g_ptr_array_unref (self->attempts);

  G_OBJECT_CLASS (ews_autodiscover_parent_class)->finalize (object);
}

static void
ews_autodiscover_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  EwsAutodiscover *self = EWS_AUTODISCOVER (object);

  switch (prop_id)
    {
    case PROP_AUTH_MECHANISM:
      g_value_set_enum (value, self->auth_mechanism);
      break;
    case PROP_PROXY_RESOLVER:
      g_value_set_object (value, self->proxy_resolver);
      break;
    case PROP_USER_AGENT:
      g_value_set_string (value, self->user_agent);
      break;
    case PROP_RESOLVER:
      g_value_set_object (value, self->resolver);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ews_autodiscover_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  EwsAutodiscover *self = EWS_AUTODISCOVER (object);

  switch (prop_id)
    {
    case PROP_AUTH_MECHANISM:
      ews_autodiscover_set_auth_mechanism (self, g_value_get_enum (value));
      break;
    case PROP_PROXY_RESOLVER:
      ews_autodiscover_set_proxy_resolver (self, g_value_get_object (value));
      break;
    case PROP_USER_AGENT:
      ews_autodiscover_set_user_agent (self, g_value_get_string (value));
      break;
    case PROP_RESOLVER:
      ews_autodiscover_set_resolver (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ews_autodiscover_class_init (EwsAutodiscoverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ews_autodiscover_constructed;
  object_class->dispose = ews_autodiscover_dispose;
  object_class->finalize = ews_autodiscover_finalize;
  object_class->get_property = ews_autodiscover_get_property;
  object_class->set_property = ews_autodiscover_set_property;

  properties[PROP_AUTH_MECHANISM] = g_param_spec_enum ("auth-mechanism", NULL, NULL, EWS_TYPE_AUTH_MECHANISM, EWS_AUTH_BASIC,
                                                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROXY_RESOLVER] = g_param_spec_object ("proxy-resolver", NULL, NULL, G_TYPE_PROXY_RESOLVER,
                                                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_USER_AGENT] = g_param_spec_string ("user-agent", NULL, NULL, "ews-notifier/" PACKAGE_VERSION,
                                                     G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RESOLVER] = g_param_spec_object ("resolver", NULL, NULL, G_TYPE_RESOLVER,
                                                   G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

/* EWS_AUTODISCOVER_PORTS="HTTPS[:HTTP]" moves the candidates off 443 and 80, so the
 * whole application can be tried against a local server (tests, demos). */
static void
read_ports_from_environment (EwsAutodiscover *self)
{
  const char *value = g_getenv (PORTS_ENVIRONMENT_VAR);
  g_auto (GStrv) parts = NULL;
  guint64 https_port = 0;
  guint64 http_port = self->http_port;

  if (value == NULL || *value == '\0')
    return;
  parts = g_strsplit (value, ":", 2);
  if (!g_ascii_string_to_unsigned (parts[0], 10, 1, G_MAXUINT16, &https_port, NULL) || (parts[1] != NULL && !g_ascii_string_to_unsigned (parts[1], 10, 1, G_MAXUINT16, &http_port, NULL)))
    {
      g_message ("Ignoring %s=%s: expected HTTPS[:HTTP] port numbers", PORTS_ENVIRONMENT_VAR, value);
      return;
    }
  self->https_port = (guint16)https_port;
  self->http_port = (guint16)http_port;
}

static void
ews_autodiscover_init (EwsAutodiscover *self)
{
  self->auth_mechanism = EWS_AUTH_BASIC;
  self->https_port = EWS_AUTODISCOVER_DEFAULT_HTTPS_PORT;
  self->http_port = EWS_AUTODISCOVER_DEFAULT_HTTP_PORT;
  self->kerberos_wait_ms = EWS_KERBEROS_DEFAULT_WAIT_MS;
  self->attempts = g_ptr_array_new_null_terminated (1, g_free, TRUE);
  read_ports_from_environment (self);
}

/**
 * ews_autodiscover_new:
 *
 * The ports default to 443 and 80, or to what the environment variable
 * `EWS_AUTODISCOVER_PORTS` ("HTTPS[:HTTP]", a test hook) says.
 *
 * Returns: (transfer full): a new #EwsAutodiscover
 */
EwsAutodiscover *
ews_autodiscover_new (void)
{
  return g_object_new (EWS_TYPE_AUTODISCOVER, NULL);
}

/**
 * ews_autodiscover_set_credentials:
 * @self: an autodiscover
 * @username: (nullable): "DOMAIN\\user", a UPN, or %NULL / "" for the e-mail address
 * @password: (nullable): the password, kept in memory only
 *
 * The credentials are only ever sent over https.
 */
void
ews_autodiscover_set_credentials (EwsAutodiscover *self,
                                  const char      *username,
                                  const char      *password)
{
  SoupSessionFeature *manager;

  g_return_if_fail (EWS_IS_AUTODISCOVER (self));

  g_free (self->username);
  self->username = username != NULL && *username != '\0' ? g_strdup (username) : NULL;
  ews_client_clear_secret (&self->password);
  self->password = g_strdup (password);
  if (self->session != NULL)
    ews_autodiscover_apply_auth (self);

  manager = soup_session_get_feature (self->session, SOUP_TYPE_AUTH_MANAGER);
  if (manager != NULL)
    soup_auth_manager_clear_cached_credentials (SOUP_AUTH_MANAGER (manager));
}

EwsAuthMechanism
ews_autodiscover_get_auth_mechanism (EwsAutodiscover *self)
{
  g_return_val_if_fail (EWS_IS_AUTODISCOVER (self), EWS_AUTH_BASIC);
  return self->auth_mechanism;
}

void
ews_autodiscover_set_auth_mechanism (EwsAutodiscover *self,
                                     EwsAuthMechanism mechanism)
{
  g_return_if_fail (EWS_IS_AUTODISCOVER (self));

  if (self->auth_mechanism == mechanism)
    return;
  self->auth_mechanism = mechanism;
  if (self->session != NULL)
    ews_autodiscover_apply_auth (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTH_MECHANISM]);
}

/**
 * ews_autodiscover_set_kerberos_wait:
 * @self: an autodiscover
 * @wait_ms: how long a discovery with Automatic or Kerberos waits for the Kerberos
 *   credential cache before it goes on without Kerberos (3 s by default)
 */
void
ews_autodiscover_set_kerberos_wait (EwsAutodiscover *self,
                                    guint            wait_ms)
{
  g_return_if_fail (EWS_IS_AUTODISCOVER (self));
  g_return_if_fail (wait_ms > 0);

  self->kerberos_wait_ms = wait_ms;
}

/**
 * ews_autodiscover_set_ca_file:
 * @self: an autodiscover
 * @path: (nullable): PEM file with CA certificates trusted in addition to the system store
 * @error: return location for an error
 *
 * Returns: %TRUE when the file was loaded (or @path is %NULL)
 */
gboolean
ews_autodiscover_set_ca_file (EwsAutodiscover *self,
                              const char      *path,
                              GError         **error)
{
  g_return_val_if_fail (EWS_IS_AUTODISCOVER (self), FALSE);

  return ews_client_trust_load_ca_file (&self->trust, path, error);
}

/**
 * ews_autodiscover_set_pinned_certificate:
 * @self: an autodiscover
 * @sha256_fingerprint: (nullable): a server certificate's SHA-256, hex with or without colons
 */
void
ews_autodiscover_set_pinned_certificate (EwsAutodiscover *self,
                                         const char      *sha256_fingerprint)
{
  g_return_if_fail (EWS_IS_AUTODISCOVER (self));

  ews_client_trust_set_pin (&self->trust, sha256_fingerprint);
}

GProxyResolver *
ews_autodiscover_get_proxy_resolver (EwsAutodiscover *self)
{
  g_return_val_if_fail (EWS_IS_AUTODISCOVER (self), NULL);
  return self->proxy_resolver;
}

/**
 * ews_autodiscover_set_proxy_resolver:
 * @self: an autodiscover
 * @resolver: (nullable): the proxy resolver; %NULL for the system default
 */
void
ews_autodiscover_set_proxy_resolver (EwsAutodiscover *self,
                                     GProxyResolver  *resolver)
{
  g_return_if_fail (EWS_IS_AUTODISCOVER (self));
  g_return_if_fail (resolver == NULL || G_IS_PROXY_RESOLVER (resolver));

  if (resolver == NULL && self->session != NULL)
    resolver = g_proxy_resolver_get_default ();
  if (!g_set_object (&self->proxy_resolver, resolver))
    return;
  if (self->session != NULL)
    soup_session_set_proxy_resolver (self->session, resolver);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROXY_RESOLVER]);
}

const char *
ews_autodiscover_get_user_agent (EwsAutodiscover *self)
{
  g_return_val_if_fail (EWS_IS_AUTODISCOVER (self), NULL);
  return self->user_agent;
}

void
ews_autodiscover_set_user_agent (EwsAutodiscover *self,
                                 const char      *user_agent)
{
  g_return_if_fail (EWS_IS_AUTODISCOVER (self));

  if (user_agent == NULL)
    user_agent = "ews-notifier/" PACKAGE_VERSION;
  if (g_strcmp0 (self->user_agent, user_agent) == 0)
    return;
  g_free (self->user_agent);
  self->user_agent = g_strdup (user_agent);
  if (self->session != NULL)
    soup_session_set_user_agent (self->session, user_agent);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER_AGENT]);
}

GResolver *
ews_autodiscover_get_resolver (EwsAutodiscover *self)
{
  g_return_val_if_fail (EWS_IS_AUTODISCOVER (self), NULL);
  return self->resolver;
}

/**
 * ews_autodiscover_set_resolver:
 * @self: an autodiscover
 * @resolver: (nullable): the resolver for the SRV lookup; %NULL for g_resolver_get_default()
 *
 * Host names of the URLs are resolved by the connections, with the default resolver.
 */
void
ews_autodiscover_set_resolver (EwsAutodiscover *self,
                               GResolver       *resolver)
{
  g_autoptr (GResolver) fallback = NULL;

  g_return_if_fail (EWS_IS_AUTODISCOVER (self));
  g_return_if_fail (resolver == NULL || G_IS_RESOLVER (resolver));

  if (resolver == NULL && self->session != NULL)
    resolver = fallback = g_resolver_get_default ();
  if (g_set_object (&self->resolver, resolver))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESOLVER]);
}

/**
 * ews_autodiscover_get_ports:
 * @self: an autodiscover
 * @https_port: (out) (optional): the port of the https candidates
 * @http_port: (out) (optional): the port of the plain-http candidate
 */
void
ews_autodiscover_get_ports (EwsAutodiscover *self,
                            guint16         *https_port,
                            guint16         *http_port)
{
  g_return_if_fail (EWS_IS_AUTODISCOVER (self));

  if (https_port != NULL)
    *https_port = self->https_port;
  if (http_port != NULL)
    *http_port = self->http_port;
}

/**
 * ews_autodiscover_set_ports:
 * @self: an autodiscover
 * @https_port: the port of the https candidates (and of usable SRV records); 0 for 443
 * @http_port: the port of the plain-http candidate; 0 for 80
 *
 * For tests: real servers listen on 443 and 80.
 */
void
ews_autodiscover_set_ports (EwsAutodiscover *self,
                            guint16          https_port,
                            guint16          http_port)
{
  g_return_if_fail (EWS_IS_AUTODISCOVER (self));

  self->https_port = https_port != 0 ? https_port : EWS_AUTODISCOVER_DEFAULT_HTTPS_PORT;
  self->http_port = http_port != 0 ? http_port : EWS_AUTODISCOVER_DEFAULT_HTTP_PORT;
}

/**
 * ews_autodiscover_get_attempts:
 * @self: an autodiscover
 *
 * What the last discovery tried, one "URL: what happened" per step, for the
 * details a person (or an administrator) needs when nothing was found.
 *
 * Returns: (transfer none) (array zero-terminated=1): the attempts
 */
const char *const *
ews_autodiscover_get_attempts (EwsAutodiscover *self)
{
  static const char *const none[] = { NULL };

  g_return_val_if_fail (EWS_IS_AUTODISCOVER (self), NULL);
  return self->attempts->pdata != NULL ? (const char *const *)self->attempts->pdata : none;
}

/**
 * ews_autodiscover_get_kerberos_unanswered:
 * @self: an autodiscover
 *
 * Returns: whether the last discovery went without Kerberos because the
 *   credential cache or the KDC did not answer in time, rather than for want of a
 *   ticket
 */
gboolean
ews_autodiscover_get_kerberos_unanswered (EwsAutodiscover *self)
{
  g_return_val_if_fail (EWS_IS_AUTODISCOVER (self), FALSE);
  return self->kerberos_unanswered;
}
