/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ews-simulator"

#include "config.h"

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <string.h>

#include "ews-sim-private.h"

/* Kerberos sign-in (RFC 4559, "Negotiate") as IIS does it in front of Exchange with
 * Windows authentication's usual providers, Negotiate and NTLM: a request without
 * credentials gets 401 with "WWW-Authenticate: Negotiate" and "NTLM" (and Basic);
 * the client sends a SPNEGO token wrapping its Kerberos AP-REQ for the HTTP service;
 * the server accepts it with its keytab and answers with its own token (the AP-REP,
 * for mutual authentication) on the response. The connection then stays signed in,
 * as with IIS's default authPersistNonNTLM. NTLM and Basic go on to ews-sim-ntlm.c. */

struct _EwsSimKerberos
{
  gss_cred_id_t credential;
};

/* A connection's sign-in: attached to its GSocket, so it ends with it. */
typedef struct
{
  gss_ctx_id_t context;
  char        *user; /* signed in, or NULL */
} Connection;

static void
delete_context (Connection *connection)
{
  OM_uint32 minor;

  if (connection->context != GSS_C_NO_CONTEXT)
    gss_delete_sec_context (&minor, &connection->context, GSS_C_NO_BUFFER);
}

static void
connection_free (Connection *connection)
{
  delete_context (connection);
  g_free (connection->user);
  g_free (connection);
}

static Connection *
connection_for (SoupServerMessage *msg)
{
  return ews_sim_connection_data (msg, "ews-sim-negotiate-connection", sizeof (Connection), (GDestroyNotify)connection_free);
}

/* The GSSAPI status @major, @minor in words, for the simulator's debug output. */
static char *
describe_status (OM_uint32 major,
                 OM_uint32 minor)
{
  GString *text = g_string_new (NULL);

  for (int pass = 0; pass < 2; pass++)
    {
      OM_uint32 context = 0;

      do
        {
          OM_uint32       status_minor;
          gss_buffer_desc message = GSS_C_EMPTY_BUFFER;

          if (GSS_ERROR (gss_display_status (&status_minor, pass == 0 ? major : minor,
                                             pass == 0 ? GSS_C_GSS_CODE : GSS_C_MECH_CODE,
                                             GSS_C_NO_OID, &context, &message)))
            break;
          if (text->len > 0)
            g_string_append (text, "; ");
          g_string_append_len (text, message.value, (gssize)message.length);
          gss_release_buffer (&status_minor, &message);
        }
      while (context != 0);
    }
  return g_string_free (text, FALSE);
}

/**
 * ews_sim_kerberos_new:
 * @keytab: the keytab holding the key of the service principal HTTP/host
 * @error: where to put an error
 *
 * Returns: (transfer full): the acceptor, or %NULL with @error set
 */
EwsSimKerberos *
ews_sim_kerberos_new (const char *keytab,
                      GError    **error)
{
  g_autofree char           *store_value = g_strdup (keytab);
  gss_key_value_element_desc element = { "keytab", store_value };
  gss_key_value_set_desc     store = { 1, &element };
  EwsSimKerberos            *kerberos = g_new0 (EwsSimKerberos, 1);
  OM_uint32                  major, minor;

  major = gss_acquire_cred_from (&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE, GSS_C_NO_OID_SET, GSS_C_ACCEPT, &store,
                                 &kerberos->credential, NULL, NULL);
  if (GSS_ERROR (major))
    {
      g_autofree char *status = describe_status (major, minor);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot use the keytab %s: %s", keytab, status);
      g_free (kerberos);
      return NULL;
    }
  return kerberos;
}

void
ews_sim_kerberos_free (EwsSimKerberos *kerberos)
{
  OM_uint32 minor;

  if (kerberos == NULL)
    return;
  gss_release_cred (&minor, &kerberos->credential);
  g_free (kerberos);
}

/* The simulator's user a Kerberos principal ("alice@EWN.TEST") is, if any. */
static char *
user_for_principal (EwsSimulator *self,
                    gss_name_t    principal)
{
  OM_uint32        minor;
  gss_buffer_desc  name = GSS_C_EMPTY_BUFFER;
  g_autofree char *text = NULL;
  char            *at;
  char            *user;

  if (GSS_ERROR (gss_display_name (&minor, principal, &name, NULL)))
    return NULL;
  text = g_strndup (name.value, name.length);
  gss_release_buffer (&minor, &name);
  at = strchr (text, '@');
  if (at != NULL)
    *at = '\0';
  user = g_ascii_strdown (text, -1);
  if (!g_hash_table_contains (self->passwords, user))
    {
      g_debug ("Kerberos: %s has no mailbox here", text);
      g_clear_pointer (&user, g_free);
    }
  return user;
}

/* "Negotiate" with the server's token when it has one: on a 401 (more to come) or
 * on the answer to the request. */
static void
add_negotiate (SoupServerMessage *msg,
               const char        *token)
{
  g_autofree char *value = token != NULL ? g_strconcat ("Negotiate ", token, NULL) : g_strdup ("Negotiate");

  soup_message_headers_append (soup_server_message_get_response_headers (msg), "WWW-Authenticate", value);
}

/* Takes the Kerberos token in @header ("Negotiate …") on @connection. */
static char *
accept_token (EwsSimulator      *self,
              SoupServerMessage *msg,
              Connection        *connection,
              const char        *header)
{
  g_autofree guint8 *token = NULL;
  gsize              token_size = 0;
  gss_buffer_desc    input, output = GSS_C_EMPTY_BUFFER;
  gss_name_t         source = GSS_C_NO_NAME;
  g_autofree char   *reply = NULL;
  OM_uint32          major, minor;
  char              *user = NULL;

  token = g_base64_decode (header + strlen ("Negotiate "), &token_size);
  input.value = token;
  input.length = token_size;
  g_clear_pointer (&connection->user, g_free);
  major = gss_accept_sec_context (&minor, &connection->context, self->kerberos->credential, &input,
                                  GSS_C_NO_CHANNEL_BINDINGS, &source, NULL, &output, NULL, NULL, NULL);
  if (output.length > 0)
    reply = g_base64_encode (output.value, output.length);
  gss_release_buffer (&minor, &output);

  if (major == GSS_S_CONTINUE_NEEDED)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_UNAUTHORIZED, NULL);
      add_negotiate (msg, reply);
      return NULL;
    }
  if (!GSS_ERROR (major))
    user = user_for_principal (self, source);
  else
    {
      g_autofree char *status = describe_status (major, minor);

      g_debug ("Kerberos: sign-in refused: %s", status);
    }
  gss_release_name (&minor, &source);
  delete_context (connection);

  if (user == NULL)
    {
      g_atomic_int_inc (&self->refused_sign_ins);
      ews_sim_ntlm_challenge (self, msg);
      return NULL;
    }
  /* The server's token goes on whatever the response turns out to be. */
  if (reply != NULL)
    add_negotiate (msg, reply);
  g_debug ("Kerberos: %s signed in", user);
  g_atomic_int_inc (&self->kerberos_sign_ins);
  connection->user = g_strdup (user);
  return user;
}

/**
 * ews_sim_negotiate_authenticate:
 * @self: an #EwsSimulator with Kerberos on
 * @msg: a request to /EWS or /autodiscover
 *
 * Returns: (transfer full) (nullable): the lower-case user name the request is
 *   from, or %NULL when @msg has been answered with 401
 */
char *
ews_sim_negotiate_authenticate (EwsSimulator      *self,
                                SoupServerMessage *msg)
{
  const char *header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");
  Connection *connection = connection_for (msg);

  if (header != NULL && connection != NULL && g_ascii_strncasecmp (header, "Negotiate ", 10) == 0)
    return accept_token (self, msg, connection, header);
  /* A connection Kerberos signed in needs no credentials any more. */
  if (header == NULL && connection != NULL && connection->user != NULL)
    return g_strdup (connection->user);

  /* NTLM, Basic, or none: the first challenge offers Negotiate too. */
  return ews_sim_ntlm_authenticate (self, msg);
}
