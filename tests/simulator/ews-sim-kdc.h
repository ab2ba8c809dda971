/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define EWS_SIM_KDC_REALM "EWN.TEST"

typedef struct _EwsSimKdc EwsSimKdc;

EwsSimKdc                *ews_sim_kdc_start (const char *const *users,
                                             GError           **error);
const char               *ews_sim_kdc_get_service_keytab (EwsSimKdc *kdc);
const char               *ews_sim_kdc_get_config_file (EwsSimKdc *kdc);
const char               *ews_sim_kdc_get_cache (EwsSimKdc *kdc);
gboolean                  ews_sim_kdc_kinit (EwsSimKdc  *kdc,
                                             const char *user,
                                             GError    **error);
gboolean                  ews_sim_kdc_kdestroy (EwsSimKdc *kdc,
                                                GError   **error);
void                      ews_sim_kdc_set_answering (EwsSimKdc *kdc,
                                                     gboolean   answering);
gboolean                  ews_sim_kdc_has_service_ticket (EwsSimKdc  *kdc,
                                                          const char *host);
void                      ews_sim_kdc_stop (EwsSimKdc *kdc);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EwsSimKdc, ews_sim_kdc_stop)

G_END_DECLS
