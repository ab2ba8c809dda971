/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* How long a keyring call may take before the account says so instead of waiting. */
#define EWN_SECRET_DEFAULT_TIMEOUT_MS 8000
/* Storing may ask a person to unlock or create a keyring: time for them to answer. */
#define EWN_SECRET_PROMPT_TIMEOUT_MS 120000

#define EWN_SECRET_ERROR (ewn_secret_error_quark ())
GQuark ewn_secret_error_quark (void);

/**
 * EwnSecretError:
 * @EWN_SECRET_ERROR_NOT_FOUND: the keyring holds no password for the account
 * @EWN_SECRET_ERROR_LOCKED: the password is in a locked keyring
 * @EWN_SECRET_ERROR_UNAVAILABLE: no Secret Service on the session bus
 * @EWN_SECRET_ERROR_TIMEOUT: the Secret Service did not answer in time
 * @EWN_SECRET_ERROR_FAILED: the Secret Service refused (its message says why)
 */
typedef enum
{
  EWN_SECRET_ERROR_NOT_FOUND,
  EWN_SECRET_ERROR_LOCKED,
  EWN_SECRET_ERROR_UNAVAILABLE,
  EWN_SECRET_ERROR_TIMEOUT,
  EWN_SECRET_ERROR_FAILED,
} EwnSecretError;

void     ewn_secret_lookup_async (const char         *account_id,
                                  guint               timeout_ms,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data);
char    *ewn_secret_lookup_finish (GAsyncResult *result,
                                   GError      **error);

void     ewn_secret_store_async (const char         *account_id,
                                 const char         *user,
                                 const char         *server,
                                 const char         *password,
                                 guint               timeout_ms,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data);
gboolean ewn_secret_store_finish (GAsyncResult *result,
                                  GError      **error);

void     ewn_secret_clear_async (const char         *account_id,
                                 guint               timeout_ms,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data);
gboolean ewn_secret_clear_finish (GAsyncResult *result,
                                  GError      **error);

void     ewn_secret_unlock_async (const char         *account_id,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data);
gboolean ewn_secret_unlock_finish (GAsyncResult *result,
                                   GError      **error);

void     ewn_secret_free (char *password);

G_END_DECLS
