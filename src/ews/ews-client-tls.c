/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ews-client"

#include "config.h"

#include <string.h>

#include "ews-client-private.h"
#include "ews-error.h"

void
ews_client_trust_clear (EwsClientTrust *trust)
{
  g_clear_pointer (&trust->extra_cas, g_ptr_array_unref);
  g_clear_pointer (&trust->pinned_sha256, g_free);
}

/**
 * ews_client_trust_load_ca_file:
 * @trust: the trust settings
 * @path: (nullable): a PEM file with one or more CA certificates; %NULL removes them
 * @error: return location for an error
 *
 * Returns: %TRUE when the file held at least one certificate
 */
gboolean
ews_client_trust_load_ca_file (EwsClientTrust *trust,
                               const char     *path,
                               GError        **error)
{
  g_autoptr (GPtrArray) cas = NULL;
  GList *list;

  if (path == NULL)
    {
      g_clear_pointer (&trust->extra_cas, g_ptr_array_unref);
      return TRUE;
    }

  list = g_tls_certificate_list_new_from_file (path, error);
  if (list == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, EWS_ERROR, EWS_ERROR_TLS, "No certificate found in %s", path);
      return FALSE;
    }

  cas = g_ptr_array_new_with_free_func (g_object_unref);
  for (GList *l = list; l != NULL; l = l->next)
    g_ptr_array_add (cas, l->data);
  g_list_free (list);

  g_clear_pointer (&trust->extra_cas, g_ptr_array_unref);
  trust->extra_cas = g_steal_pointer (&cas);
  return TRUE;
}

/**
 * ews_client_trust_set_pin:
 * @trust: the trust settings
 * @sha256_fingerprint: (nullable): hex digits, with or without colons
 */
void
ews_client_trust_set_pin (EwsClientTrust *trust,
                          const char     *sha256_fingerprint)
{
  g_autoptr (GString) hex = NULL;

  g_clear_pointer (&trust->pinned_sha256, g_free);
  if (sha256_fingerprint == NULL)
    return;

  hex = g_string_new (NULL);
  for (const char *p = sha256_fingerprint; *p != '\0'; p++)
    {
      if (g_ascii_isxdigit (*p))
        g_string_append_c (hex, g_ascii_tolower (*p));
      else if (*p != ':' && !g_ascii_isspace (*p))
        break;
    }

  if (hex->len != 64)
    {
      g_warning ("Ignoring a pinned certificate fingerprint that is not SHA-256");
      return;
    }
  trust->pinned_sha256 = g_string_free (g_steal_pointer (&hex), FALSE);
}

static char *
certificate_sha256 (GTlsCertificate *certificate)
{
  g_autoptr (GByteArray) der = NULL;

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return NULL;
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
}

/**
 * ews_client_certificate_fingerprint:
 * @certificate: a certificate
 *
 * Returns: (transfer full): its SHA-256 fingerprint as "AA:BB:…", as browsers show it
 */
char *
ews_client_certificate_fingerprint (GTlsCertificate *certificate)
{
  g_autofree char *hex = certificate_sha256 (certificate);
  GString         *out = g_string_new (NULL);

  for (gsize i = 0; hex != NULL && hex[i] != '\0'; i += 2)
    {
      if (i > 0)
        g_string_append_c (out, ':');
      g_string_append_c (out, g_ascii_toupper (hex[i]));
      g_string_append_c (out, g_ascii_toupper (hex[i + 1]));
    }
  return g_string_free (out, FALSE);
}

/**
 * ews_client_trust_accepts:
 * @trust: the trust settings
 * @uri: the server's URI (for the identity check)
 * @certificate: the certificate the system store did not accept
 *
 * Returns: %TRUE when @certificate is pinned or fully verifies against one of the
 *   extra CAs (validity and host name included)
 */
gboolean
ews_client_trust_accepts (EwsClientTrust  *trust,
                          GUri            *uri,
                          GTlsCertificate *certificate)
{
  g_autoptr (GSocketConnectable) identity = NULL;

  if (trust->pinned_sha256 != NULL)
    {
      g_autofree char *actual = certificate_sha256 (certificate);

      if (g_strcmp0 (actual, trust->pinned_sha256) == 0)
        return TRUE;
    }

  if (trust->extra_cas == NULL)
    return FALSE;

  identity = g_network_address_new (g_uri_get_host (uri), (guint16)g_uri_get_port (uri));
  for (guint i = 0; i < trust->extra_cas->len; i++)
    if (g_tls_certificate_verify (certificate, identity, g_ptr_array_index (trust->extra_cas, i)) == 0)
      return TRUE;
  return FALSE;
}

static char *
describe_errors (GTlsCertificateFlags errors)
{
  static const struct
  {
    GTlsCertificateFlags flag;
    const char          *text;
  } reasons[] = {
    { G_TLS_CERTIFICATE_UNKNOWN_CA, "issued by an unknown authority" },
    { G_TLS_CERTIFICATE_BAD_IDENTITY, "issued for another host name" },
    { G_TLS_CERTIFICATE_NOT_ACTIVATED, "not yet valid" },
    { G_TLS_CERTIFICATE_EXPIRED, "expired" },
    { G_TLS_CERTIFICATE_REVOKED, "revoked" },
    { G_TLS_CERTIFICATE_INSECURE, "uses an insecure algorithm" },
    { G_TLS_CERTIFICATE_GENERIC_ERROR, "could not be verified" },
  };
  g_autoptr (GPtrArray) parts = g_ptr_array_new ();

  for (gsize i = 0; i < G_N_ELEMENTS (reasons); i++)
    if (errors & reasons[i].flag)
      g_ptr_array_add (parts, (gpointer)reasons[i].text);
  if (parts->len == 0)
    g_ptr_array_add (parts, (gpointer) "could not be verified");
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (", ", (char **)parts->pdata);
}

/**
 * ews_client_tls_error_new:
 * @uri: the server's URI
 * @certificate: (nullable): the certificate it presented
 * @errors: why it was refused
 *
 * The message carries the fingerprint so a person can compare it with what the
 * administrator publishes before pinning it.
 *
 * Returns: (transfer full): an %EWS_ERROR_TLS error
 */
GError *
ews_client_tls_error_new (GUri                *uri,
                          GTlsCertificate     *certificate,
                          GTlsCertificateFlags errors)
{
  g_autofree char *reason = describe_errors (errors);
  g_autofree char *fingerprint = certificate != NULL ? ews_client_certificate_fingerprint (certificate) : NULL;
  GError          *error;

  if (fingerprint == NULL)
    error = g_error_new (EWS_ERROR, EWS_ERROR_TLS, "The certificate of %s is not trusted (%s)",
                         g_uri_get_host (uri), reason);
  else
    error = g_error_new (EWS_ERROR, EWS_ERROR_TLS, "The certificate of %s is not trusted (%s). SHA-256 fingerprint: %s",
                         g_uri_get_host (uri), reason, fingerprint);
  ews_error_set_peer_certificate (error, certificate, errors);
  return error;
}

static char *
format_date (GDateTime *date_time)
{
  return date_time != NULL ? g_date_time_format (date_time, "%Y-%m-%d %H:%M:%S UTC") : g_strdup ("unknown");
}

/**
 * ews_client_describe_certificate:
 * @certificate: a certificate, e.g. from ews_error_get_peer_certificate()
 * @errors: why it was refused, or 0
 *
 * One line per field: subject, issuer, validity, SHA-256 fingerprint and, when
 * @errors is set, what is wrong with it. The fingerprint is the one
 * ews_client_set_pinned_certificate() takes.
 *
 * Returns: (transfer full): the description, for people
 */
char *
ews_client_describe_certificate (GTlsCertificate     *certificate,
                                 GTlsCertificateFlags errors)
{
  g_autoptr (GDateTime) not_before = NULL;
  g_autoptr (GDateTime) not_after = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *issuer = NULL;
  g_autofree char *from = NULL;
  g_autofree char *until = NULL;
  g_autofree char *fingerprint = NULL;
  GString         *out;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  subject = g_tls_certificate_get_subject_name (certificate);
  issuer = g_tls_certificate_get_issuer_name (certificate);
  not_before = g_tls_certificate_get_not_valid_before (certificate);
  not_after = g_tls_certificate_get_not_valid_after (certificate);
  from = format_date (not_before);
  until = format_date (not_after);
  fingerprint = ews_client_certificate_fingerprint (certificate);

  out = g_string_new (NULL);
  g_string_append_printf (out, "Issued to: %s\n", subject != NULL ? subject : "unknown");
  g_string_append_printf (out, "Issued by: %s\n", issuer != NULL ? issuer : "unknown");
  g_string_append_printf (out, "Valid from %s until %s\n", from, until);
  g_string_append_printf (out, "SHA-256 fingerprint: %s", fingerprint);
  if (errors != 0)
    {
      g_autofree char *reason = describe_errors (errors);

      g_string_append_printf (out, "\nProblem: %s", reason);
    }
  return g_string_free (out, FALSE);
}
