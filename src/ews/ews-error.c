/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include "ews-error.h"

typedef struct
{
  char                *response_code;
  guint                back_off_ms;
  GTlsCertificate     *peer_certificate;
  GTlsCertificateFlags peer_errors;
} EwsErrorPrivate;

static void
ews_error_private_init (EwsErrorPrivate *priv)
{
  priv->response_code = NULL;
  priv->back_off_ms = 0;
  priv->peer_certificate = NULL;
  priv->peer_errors = 0;
}

static void
ews_error_private_copy (const EwsErrorPrivate *src,
                        EwsErrorPrivate       *dest)
{
  dest->response_code = g_strdup (src->response_code);
  dest->back_off_ms = src->back_off_ms;
  dest->peer_certificate = src->peer_certificate != NULL ? g_object_ref (src->peer_certificate) : NULL;
  dest->peer_errors = src->peer_errors;
}

static void
ews_error_private_clear (EwsErrorPrivate *priv)
{
  g_clear_pointer (&priv->response_code, g_free);
  g_clear_object (&priv->peer_certificate);
}

G_DEFINE_EXTENDED_ERROR (EwsError, ews_error)

static const struct
{
  const char *response_code;
  EwsError    code;
} response_codes[] = {
  { "ErrorSubscriptionNotFound", EWS_ERROR_SUBSCRIPTION_DEAD },
  { "ErrorInvalidSubscription", EWS_ERROR_SUBSCRIPTION_DEAD },
  { "ErrorExpiredSubscription", EWS_ERROR_SUBSCRIPTION_DEAD },
  { "ErrorInvalidWatermark", EWS_ERROR_SUBSCRIPTION_DEAD },
  { "ErrorSubscriptionUnsubscribed", EWS_ERROR_SUBSCRIPTION_DEAD },
  { "ErrorSubscriptionAccessDenied", EWS_ERROR_SUBSCRIPTION_DEAD },
  { "ErrorMissedNotificationEvents", EWS_ERROR_MISSED_EVENTS },
  { "ErrorServerBusy", EWS_ERROR_SERVER_BUSY },
  { "ErrorTooManyObjectsOpened", EWS_ERROR_SERVER_BUSY },
  { "ErrorExceededConnectionCount", EWS_ERROR_THROTTLED },
  { "ErrorExceededSubscriptionCount", EWS_ERROR_THROTTLED },
  { "ErrorInvalidSyncStateData", EWS_ERROR_INVALID_SYNC_STATE },
  { "ErrorInvalidSyncState", EWS_ERROR_INVALID_SYNC_STATE },
  { "ErrorItemNotFound", EWS_ERROR_ITEM_NOT_FOUND },
  { "ErrorReadEventsFailed", EWS_ERROR_REDISCOVER },
  { "ErrorProxyRequestNotAllowed", EWS_ERROR_REDISCOVER },
  { "ErrorMailboxMoveInProgress", EWS_ERROR_REDISCOVER },
  { "ErrorInvalidRequest", EWS_ERROR_PROTOCOL },
  { "ErrorSchemaValidation", EWS_ERROR_PROTOCOL },
  { "ErrorInvalidServerVersion", EWS_ERROR_NOT_SUPPORTED },
  { "ErrorInvalidSubscriptionRequest", EWS_ERROR_PROTOCOL },
  { "ErrorUnauthorized", EWS_ERROR_AUTH },
};

/**
 * ews_error_code_from_response_code:
 * @response_code: an EWS ResponseCode such as "ErrorServerBusy"
 *
 * Returns: what a caller must do about @response_code
 */
EwsError
ews_error_code_from_response_code (const char *response_code)
{
  if (response_code == NULL)
    return EWS_ERROR_FAILED;

  for (gsize i = 0; i < G_N_ELEMENTS (response_codes); i++)
    if (g_str_equal (response_codes[i].response_code, response_code))
      return response_codes[i].code;

  return EWS_ERROR_FAILED;
}

/**
 * ews_error_new_from_response:
 * @response_code: the raw ResponseCode (or a SOAP fault's code)
 * @message_text: (nullable): the server's MessageText
 * @back_off_ms: BackOffMilliseconds from MessageXml, or 0
 *
 * Returns: (transfer full): a #GError in %EWS_ERROR keeping the raw code
 */
GError *
ews_error_new_from_response (const char *response_code,
                             const char *message_text,
                             guint       back_off_ms)
{
  EwsErrorPrivate *priv;
  GError          *error;
  EwsError         code;

  g_return_val_if_fail (response_code != NULL, NULL);

  code = ews_error_code_from_response_code (response_code);
  if (message_text != NULL && *message_text != '\0')
    error = g_error_new (EWS_ERROR, code, "%s (%s)", message_text, response_code);
  else
    error = g_error_new (EWS_ERROR, code, "%s", response_code);

  priv = ews_error_get_private (error);
  priv->response_code = g_strdup (response_code);
  priv->back_off_ms = back_off_ms;

  return error;
}

/**
 * ews_error_get_back_off_ms:
 * @error: a #GError
 *
 * Returns: how long the server asked us to wait, or 0 when it did not say
 */
guint
ews_error_get_back_off_ms (const GError *error)
{
  EwsErrorPrivate *priv;

  if (error == NULL || error->domain != EWS_ERROR)
    return 0;

  priv = ews_error_get_private (error);
  return priv != NULL ? priv->back_off_ms : 0;
}

/**
 * ews_error_dup_response_code:
 * @error: a #GError
 *
 * Returns: (transfer full) (nullable): the raw EWS ResponseCode, if the error came from one
 */
char *
ews_error_dup_response_code (const GError *error)
{
  EwsErrorPrivate *priv;

  if (error == NULL || error->domain != EWS_ERROR)
    return NULL;

  priv = ews_error_get_private (error);
  return priv != NULL ? g_strdup (priv->response_code) : NULL;
}

/**
 * ews_error_get_peer_certificate:
 * @error: a #GError
 * @errors: (out) (optional): why the certificate was refused
 *
 * An %EWS_ERROR_TLS error keeps the certificate the server presented, so a
 * person can look at it (ews_client_describe_certificate()) and pin it.
 *
 * Returns: (transfer none) (nullable): the refused certificate
 */
GTlsCertificate *
ews_error_get_peer_certificate (const GError         *error,
                                GTlsCertificateFlags *errors)
{
  EwsErrorPrivate *priv = NULL;

  if (error != NULL && error->domain == EWS_ERROR)
    priv = ews_error_get_private (error);
  if (errors != NULL)
    *errors = priv != NULL ? priv->peer_errors : 0;
  return priv != NULL ? priv->peer_certificate : NULL;
}

/**
 * ews_error_set_peer_certificate:
 * @error: an %EWS_ERROR error
 * @certificate: (nullable): the certificate the server presented
 * @errors: why it was refused
 *
 * For the protocol layer, when it makes an %EWS_ERROR_TLS error.
 */
void
ews_error_set_peer_certificate (GError              *error,
                                GTlsCertificate     *certificate,
                                GTlsCertificateFlags errors)
{
  EwsErrorPrivate *priv;

  g_return_if_fail (error != NULL && error->domain == EWS_ERROR);
  g_return_if_fail (certificate == NULL || G_IS_TLS_CERTIFICATE (certificate));

  priv = ews_error_get_private (error);
  g_set_object (&priv->peer_certificate, certificate);
  priv->peer_errors = errors;
}
