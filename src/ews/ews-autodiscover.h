/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <gio/gio.h>

#include "ews-types.h"

G_BEGIN_DECLS

/* The most redirects (redirectAddr, redirectUrl, HTTP 301/302) one discovery follows. */
#define EWS_AUTODISCOVER_MAX_REDIRECTS 10

/**
 * EwsAutodiscoverSettings:
 * @ews_url: the EWS endpoint to use (EXPR's EwsUrl when present, else EXCH's)
 * @internal_ews_url: (nullable): EXCH's EwsUrl, for clients inside the network
 * @display_name: (nullable): the mailbox owner's name
 * @smtp_address: the address the settings are for (after any redirectAddr)
 * @grouping_information: (nullable): GroupingInformation, for subscription affinity
 * @autodiscover_url: the Autodiscover URL that answered
 */
typedef struct _EwsAutodiscoverSettings EwsAutodiscoverSettings;

struct _EwsAutodiscoverSettings
{
  char *ews_url;
  char *internal_ews_url;
  char *display_name;
  char *smtp_address;
  char *grouping_information;
  char *autodiscover_url;
};

#define EWS_TYPE_AUTODISCOVER_SETTINGS (ews_autodiscover_settings_get_type ())
GType                    ews_autodiscover_settings_get_type (void) G_GNUC_CONST;
EwsAutodiscoverSettings *ews_autodiscover_settings_copy (const EwsAutodiscoverSettings *settings);
void                     ews_autodiscover_settings_free (EwsAutodiscoverSettings *settings);

#define EWS_TYPE_AUTODISCOVER (ews_autodiscover_get_type ())
G_DECLARE_FINAL_TYPE (EwsAutodiscover, ews_autodiscover, EWS, AUTODISCOVER, GObject)

EwsAutodiscover         *ews_autodiscover_new (void);

void                     ews_autodiscover_set_credentials (EwsAutodiscover *self,
                                                           const char      *username,
                                                           const char      *password);
EwsAuthMechanism         ews_autodiscover_get_auth_mechanism (EwsAutodiscover *self);
void                     ews_autodiscover_set_auth_mechanism (EwsAutodiscover *self,
                                                              EwsAuthMechanism mechanism);
void                     ews_autodiscover_set_kerberos_wait (EwsAutodiscover *self,
                                                             guint            wait_ms);
gboolean                 ews_autodiscover_set_ca_file (EwsAutodiscover *self,
                                                       const char      *path,
                                                       GError         **error);
void                     ews_autodiscover_set_pinned_certificate (EwsAutodiscover *self,
                                                                  const char      *sha256_fingerprint);
GProxyResolver          *ews_autodiscover_get_proxy_resolver (EwsAutodiscover *self);
void                     ews_autodiscover_set_proxy_resolver (EwsAutodiscover *self,
                                                              GProxyResolver  *resolver);
const char              *ews_autodiscover_get_user_agent (EwsAutodiscover *self);
void                     ews_autodiscover_set_user_agent (EwsAutodiscover *self,
                                                          const char      *user_agent);
GResolver               *ews_autodiscover_get_resolver (EwsAutodiscover *self);
void                     ews_autodiscover_set_resolver (EwsAutodiscover *self,
                                                        GResolver       *resolver);
void                     ews_autodiscover_get_ports (EwsAutodiscover *self,
                                                     guint16         *https_port,
                                                     guint16         *http_port);
void                     ews_autodiscover_set_ports (EwsAutodiscover *self,
                                                     guint16          https_port,
                                                     guint16          http_port);

void                     ews_autodiscover_run_async (EwsAutodiscover    *self,
                                                     const char         *email,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
EwsAutodiscoverSettings *ews_autodiscover_run_finish (EwsAutodiscover *self,
                                                      GAsyncResult    *result,
                                                      GError         **error);

const char *const       *ews_autodiscover_get_attempts (EwsAutodiscover *self);
gboolean                 ews_autodiscover_get_kerberos_unanswered (EwsAutodiscover *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EwsAutodiscoverSettings, ews_autodiscover_settings_free)

G_END_DECLS
