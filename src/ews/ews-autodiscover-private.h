/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include "ews-autodiscover.h"
#include "ews-client-private.h"

G_BEGIN_DECLS

#define EWS_AUTODISCOVER_DEFAULT_HTTPS_PORT 443
#define EWS_AUTODISCOVER_DEFAULT_HTTP_PORT  80

struct _EwsAutodiscover
{
  GObject          parent_instance;

  char            *username;
  char            *password;
  EwsAuthMechanism auth_mechanism;
  EwsClientTrust   trust;
  GProxyResolver  *proxy_resolver;
  char            *user_agent;
  GResolver       *resolver;
  guint16          https_port;
  guint16          http_port;

  SoupSession     *session;
  AuthSchemes      session_schemes;
  gboolean         have_ticket;         /* a Kerberos ticket at the last look (ews_kerberos_look_async()) */
  gboolean         kerberos_unanswered; /* a look of the last discovery was not answered in time */
  guint            kerberos_wait_ms;
  GPtrArray       *attempts; /* the last discovery's, NULL-terminated */
};

void ews_autodiscover_apply_auth (EwsAutodiscover *self);

G_END_DECLS
