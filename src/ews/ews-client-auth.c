/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

/* Which sign-in schemes a session offers, and how a challenge is answered: the rules
 * that keep a password where it belongs and an account from being locked. */

#define G_LOG_DOMAIN "ews-client"

#include "config.h"

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>

#include "ews-client.h"
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

/* @password as libsoup's NTLM must be given it: in ISO-8859-1 (see
 * ews_password_fits_ntlm()); %NULL when it does not fit. Clear it with
 * ews_client_clear_secret(). */
static char *
dup_ntlm_password (const char *password)
{
  if (g_str_is_ascii (password))
    return g_strdup (password);
  return g_convert (password, -1, "ISO-8859-1", "UTF-8", NULL, NULL, NULL);
}

/**
 * ews_password_fits_ntlm:
 * @password: (nullable): a password, in UTF-8
 *
 * libsoup 3.2's NTLM hashes each byte of the password as a character of its own
 * (ISO-8859-1, Latin-1), where Windows hashes the password's characters (UTF-16).
 * A password with characters beyond Latin-1 (“Пароль”, “a€”) cannot be sent by it
 * at all: the hash would be wrong, and each attempt a failed sign-in that Active
 * Directory counts towards locking the account.
 *
 * Returns: whether NTLM can sign in with @password (%TRUE for %NULL: nothing to send)
 */
gboolean
ews_password_fits_ntlm (const char *password)
{
  char    *ntlm;
  gboolean fits;

  if (password == NULL)
    return TRUE;
  ntlm = dup_ntlm_password (password);
  fits = ntlm != NULL;
  ews_client_clear_secret (&ntlm);
  return fits;
}

/**
 * ews_auth_decline:
 * @auth: a challenge libsoup got
 *
 * Answers @auth with nothing: the request ends with the server's 401. Only
 * returning %FALSE from the handler is not enough for NTLM, where libsoup 3.2
 * would go on with an empty password: a failed sign-in that Active Directory
 * counts towards locking the account.
 *
 * Returns: %TRUE, for the handler to return
 */
gboolean
ews_auth_decline (SoupAuth *auth)
{
  soup_auth_cancel (auth);
  return TRUE;
}

/**
 * ews_auth_answer:
 * @auth: a challenge libsoup got
 * @username: the user name
 * @password: the password, in UTF-8
 *
 * Answers @auth with the credentials. NTLM gets a password with letters outside
 * ASCII (“Grüße”) in ISO-8859-1, the only way libsoup's NTLM hashes it right; one
 * that does not fit (see ews_password_fits_ntlm()) is not sent at all, so the
 * server ends the request with 401 without counting a failed sign-in.
 *
 * Returns: %TRUE, for the handler to return
 */
gboolean
ews_auth_answer (SoupAuth   *auth,
                 const char *username,
                 const char *password)
{
  char *ntlm;

  if (!G_TYPE_CHECK_INSTANCE_TYPE (auth, SOUP_TYPE_AUTH_NTLM))
    {
      soup_auth_authenticate (auth, username, password);
      return TRUE;
    }
  ntlm = dup_ntlm_password (password);
  if (ntlm == NULL)
    {
      g_message ("NTLM cannot sign in with this password: it has characters beyond ISO-8859-1 (Latin-1), "
                 "which libsoup's NTLM cannot send. Nothing was sent; sign in with Kerberos, or with Basic over https");
      return ews_auth_decline (auth);
    }
  soup_auth_authenticate (auth, username, ntlm);
  ews_client_clear_secret (&ntlm);
  return TRUE;
}

/**
 * ews_session_set_auth_schemes:
 * @session: a session
 * @current: (inout): the schemes @session offers now
 * @wanted: the schemes it should offer
 */
void
ews_session_set_auth_schemes (SoupSession *session,
                              AuthSchemes *current,
                              AuthSchemes  wanted)
{
  const struct
  {
    AuthSchemes scheme;
    GType       type;
  } schemes[] = {
    { AUTH_BASIC, SOUP_TYPE_AUTH_BASIC },
    { AUTH_DIGEST, SOUP_TYPE_AUTH_DIGEST },
    { AUTH_NTLM, SOUP_TYPE_AUTH_NTLM },
    { AUTH_NEGOTIATE, SOUP_TYPE_AUTH_NEGOTIATE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (schemes); i++)
    {
      gboolean have = (*current & schemes[i].scheme) != 0;
      gboolean want = (wanted & schemes[i].scheme) != 0;

      if (want && !have)
        soup_session_add_feature_by_type (session, schemes[i].type);
      else if (have && !want)
        soup_session_remove_feature_by_type (session, schemes[i].type);
    }
  *current = wanted;
}

/**
 * ews_auth_schemes_for_mechanism:
 * @mechanism: what the user chose
 * @password: (nullable): the password it will answer with
 * @secure: whether the server is reached over https
 *
 * Negotiate is offered only while the session has a Kerberos ticket: without one,
 * libsoup would fail a GSSAPI step, and log a warning, on every new connection.
 * Over https, Automatic leaves NTLM out for a password it cannot send, so that
 * Kerberos or Basic get their chance; over plain http it does not, lest such a
 * password go out in the clear with Basic where the server offers NTLM too.
 *
 * Returns: the libsoup schemes that answer @mechanism now
 */
AuthSchemes
ews_auth_schemes_for_mechanism (EwsAuthMechanism mechanism,
                                const char      *password,
                                gboolean         secure)
{
  AuthSchemes wanted = AUTH_BASIC;

  if (mechanism == EWS_AUTH_NTLM)
    wanted = AUTH_NTLM;
  else if (mechanism == EWS_AUTH_NEGOTIATE)
    {
      /* Kerberos through GSSAPI, with the session's ticket and nothing else: there
       * is no password, and an NTLM answer without one would only be a failed
       * sign-in that Active Directory counts towards locking the account. Without
       * a ticket nothing is sent at all, and the server's 401 says what is wrong. */
      wanted = 0;
      if (!soup_auth_negotiate_supported ())
        g_message ("Kerberos sign-in is not possible: this libsoup was built without GSSAPI");
      else if (ews_kerberos_has_ticket ())
        wanted = AUTH_NEGOTIATE;
    }
  else if (mechanism == EWS_AUTH_AUTOMATIC)
    {
      /* libsoup answers with the strongest scheme the server offers: Basic only
       * when it offers nothing else. */
      wanted = AUTH_BASIC;
      if (!secure || ews_password_fits_ntlm (password))
        wanted |= AUTH_NTLM;
      if (soup_auth_negotiate_supported () && ews_kerberos_has_ticket ())
        wanted |= AUTH_NEGOTIATE;
    }
  return wanted;
}
