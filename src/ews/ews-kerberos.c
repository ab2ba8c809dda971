/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ews"

#include "config.h"

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>

#include "ews-client-private.h"

/**
 * ews_kerberos_has_ticket:
 *
 * Whether the session has a Kerberos ticket it can sign in with: a credential
 * cache (KRB5CCNAME, or the system's default) with a ticket-granting ticket that
 * has not expired. Asks GSSAPI, as libsoup's Negotiate does; a few tens of
 * microseconds, a few milliseconds the first time in a process.
 *
 * Without one, offering Negotiate only makes libsoup fail a GSSAPI step, and say
 * so as a warning, on every new connection before it falls back to NTLM.
 *
 * Returns: %TRUE when there is a usable ticket
 */
gboolean
ews_kerberos_has_ticket (void)
{
  gss_OID_set_desc kerberos = { 1, (gss_OID)gss_mech_krb5 };
  gss_cred_id_t    credential = GSS_C_NO_CREDENTIAL;
  OM_uint32        major, minor;
  OM_uint32        lifetime = 0;

  major = gss_acquire_cred (&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE, &kerberos, GSS_C_INITIATE, &credential, NULL,
                            &lifetime);
  if (credential != GSS_C_NO_CREDENTIAL)
    gss_release_cred (&minor, &credential);
  return !GSS_ERROR (major) && lifetime > 0;
}
