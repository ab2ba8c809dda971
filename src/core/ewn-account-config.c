/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ewn-account-config"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ews-error.h"
#include "ewn-account-config.h"

#define ACCOUNT_SCHEMA_ID APPLICATION_ID ".Account"
#define ACCOUNTS_PATH     "/io/github/ewsnotifier/EwsNotifier/accounts/"

/* Auth mechanism nicks of the schema's enum, in the order of its values. */
enum
{
  CONFIG_AUTH_BASIC,
  CONFIG_AUTH_NTLM,
  CONFIG_AUTH_NEGOTIATE,
  CONFIG_AUTH_AUTOMATIC,
};

/**
 * ewn_account_config_settings:
 * @account_id: an account id from the `accounts` key
 *
 * Returns: (transfer full): the account's settings
 */
GSettings *
ewn_account_config_settings (const char *account_id)
{
  g_autofree char *path = g_strconcat (ACCOUNTS_PATH, account_id, "/", NULL);

  g_return_val_if_fail (account_id != NULL && *account_id != '\0', NULL);

  return g_settings_new_with_path (ACCOUNT_SCHEMA_ID, path);
}

/**
 * ewn_account_config_new_id:
 * @app_settings: the application's settings
 * @email: the account's e-mail address
 *
 * Returns: (transfer full): an id made from @email that no configured account uses,
 *   such as "alice-example-com"; usable in a settings path and as a file name
 */
char *
ewn_account_config_new_id (GSettings  *app_settings,
                           const char *email)
{
  g_auto (GStrv) taken = g_settings_get_strv (app_settings, "accounts");
  g_autofree char *lower = g_ascii_strdown (email != NULL && *email != '\0' ? email : "account", -1);
  g_autofree char *base = g_strcanon (g_steal_pointer (&lower), "abcdefghijklmnopqrstuvwxyz0123456789", '-');
  char            *id = g_strdup (base);

  for (guint n = 2; g_strv_contains ((const char *const *)taken, id); n++)
    {
      g_free (id);
      id = g_strdup_printf ("%s-%u", base, n);
    }
  return id;
}

/**
 * ewn_account_config_state_dir:
 *
 * Returns: (transfer full): where the account's item store lives
 */
char *
ewn_account_config_state_dir (const char *account_id)
{
  return g_build_filename (g_get_user_state_dir (), "ews-notifier", account_id, NULL);
}

/**
 * ewn_account_config_dup_user:
 *
 * Returns: (transfer full): the user name to sign in with: the one set, else the e-mail address
 */
char *
ewn_account_config_dup_user (GSettings *account_settings)
{
  g_autofree char *user = g_settings_get_string (account_settings, "username");

  if (*user != '\0')
    return g_steal_pointer (&user);
  return g_settings_get_string (account_settings, "email");
}

/**
 * ewn_account_config_dup_server:
 *
 * Returns: (transfer full): the host of the EWS URL, else the e-mail domain
 */
char *
ewn_account_config_dup_server (GSettings *account_settings)
{
  g_autofree char *url = g_settings_get_string (account_settings, "ews-url");
  g_autofree char *email = g_settings_get_string (account_settings, "email");
  g_autoptr (GUri) uri = *url != '\0' ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;
  const char *at = strrchr (email, '@');

  if (uri != NULL && g_uri_get_host (uri) != NULL)
    return g_strdup (g_uri_get_host (uri));
  return g_strdup (at != NULL ? at + 1 : email);
}

/**
 * ewn_account_config_needs_password:
 *
 * Returns: %FALSE for Kerberos, which signs in with the session's ticket
 */
gboolean
ewn_account_config_needs_password (GSettings *account_settings)
{
  return g_settings_get_enum (account_settings, "auth-mechanism") != CONFIG_AUTH_NEGOTIATE;
}

static EwsAuthMechanism
auth_mechanism (GSettings *account_settings)
{
  switch (g_settings_get_enum (account_settings, "auth-mechanism"))
    {
    case CONFIG_AUTH_BASIC:
      return EWS_AUTH_BASIC;
    case CONFIG_AUTH_NTLM:
      return EWS_AUTH_NTLM;
    case CONFIG_AUTH_NEGOTIATE:
      return EWS_AUTH_NEGOTIATE;
    case CONFIG_AUTH_AUTOMATIC:
    default:
      return EWS_AUTH_AUTOMATIC;
    }
}

/**
 * ewn_account_config_new_client:
 * @account_settings: the account's settings
 * @error: return location for an error
 *
 * A client for the account's EWS URL with its sign-in method, user and trust set;
 * the password comes from the keyring, separately.
 *
 * Returns: (transfer full): the client, or %NULL when the settings cannot work (no
 *   or a bad EWS URL, an unreadable CA file)
 */
EwsClient *
ewn_account_config_new_client (GSettings *account_settings,
                               GError   **error)
{
  g_autofree char *url = g_settings_get_string (account_settings, "ews-url");
  g_autofree char *email = g_settings_get_string (account_settings, "email");
  g_autofree char *user = ewn_account_config_dup_user (account_settings);
  g_autofree char *ca_file = g_settings_get_string (account_settings, "ca-file");
  g_autofree char *pin = g_settings_get_string (account_settings, "pinned-certificate");
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  g_autoptr (EwsClient) client = NULL;

  if (uri == NULL || (g_strcmp0 (g_uri_get_scheme (uri), "https") != 0 && g_strcmp0 (g_uri_get_scheme (uri), "http") != 0) || g_uri_get_host (uri) == NULL)
    {
      g_set_error (error, EWS_ERROR, EWS_ERROR_FAILED,
                   *url == '\0' ? _("No EWS address is set: sign in again in Preferences to find it")
                                : _("“%s” is not an EWS address: it should look like https://mail.example.com/EWS/Exchange.asmx"),
                                     url);
      return NULL;
    }

  client = ews_client_new (url);
  ews_client_set_auth_mechanism (client, auth_mechanism (account_settings));
  if (*ca_file != '\0' && !ews_client_set_ca_file (client, ca_file, error))
    return NULL;
  if (*pin != '\0')
    ews_client_set_pinned_certificate (client, pin);
  if (*email != '\0')
    ews_client_set_anchor_mailbox (client, email);
  /* Until the password arrives from the keyring (Kerberos needs none). */
  ews_client_set_credentials (client, user, NULL);
  return g_steal_pointer (&client);
}

/**
 * ewn_account_config_new_account:
 * @account_id: the account's id
 * @account_settings: its settings
 * @error: return location for an error
 *
 * Returns: (transfer full): an account that is not started yet, or %NULL when its
 *   settings cannot work
 */
EwnAccount *
ewn_account_config_new_account (const char *account_id,
                                GSettings  *account_settings,
                                GError    **error)
{
  g_autoptr (EwsClient) client = ewn_account_config_new_client (account_settings, error);
  g_autofree char *state_dir = ewn_account_config_state_dir (account_id);
  g_autofree char *email = g_settings_get_string (account_settings, "email");
  g_autofree char *name = g_settings_get_string (account_settings, "display-name");
  g_autofree char *owner = g_settings_get_string (account_settings, "owner-name");
  g_auto (GStrv) mailboxes = g_settings_get_strv (account_settings, "extra-mailboxes");
  g_autoptr (EwnAccount) account = NULL;

  if (client == NULL)
    return NULL;

  account = ewn_account_new (account_id, client, state_dir, (const char *const *)mailboxes);
  if (*email != '\0')
    ewn_account_set_address (account, email);
  ewn_account_set_display_name (account, name);
  ewn_account_set_owner_name (account, owner);
  ewn_account_set_folders (account, g_settings_get_boolean (account_settings, "watch-calendar"),
                           g_settings_get_boolean (account_settings, "watch-tasks"));
  ewn_account_set_pull (account, g_settings_get_enum (account_settings, "subscription-kind") == 1);
  return g_steal_pointer (&account);
}

/**
 * ewn_account_config_add:
 *
 * Lists @account_id in the `accounts` key (once).
 */
void
ewn_account_config_add (GSettings  *app_settings,
                        const char *account_id)
{
  g_auto (GStrv) ids = g_settings_get_strv (app_settings, "accounts");
  g_autoptr (GStrvBuilder) builder = NULL;
  g_auto (GStrv) updated = NULL;

  if (g_strv_contains ((const char *const *)ids, account_id))
    return;
  builder = g_strv_builder_new ();
  g_strv_builder_addv (builder, (const char **)ids);
  g_strv_builder_add (builder, account_id);
  updated = g_strv_builder_end (builder);
  g_settings_set_strv (app_settings, "accounts", (const char *const *)updated);
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else if (g_unlink (child) != 0)
        g_message ("Could not remove %s: %s", child, g_strerror (errno));
    }
  if (g_rmdir (path) != 0 && errno != ENOENT)
    g_message ("Could not remove %s: %s", path, g_strerror (errno));
}

/**
 * ewn_account_config_clear_state:
 *
 * Removes the account's saved items and sync states: the next start resyncs quietly.
 */
void
ewn_account_config_clear_state (const char *account_id)
{
  g_autofree char *state_dir = ewn_account_config_state_dir (account_id);

  remove_tree (state_dir);
}

/**
 * ewn_account_config_forget:
 *
 * Removes the account from the list and resets its settings. Its state files
 * (ewn_account_config_clear_state(), once it has stopped) and its keyring entry
 * (ewn_secret_clear_async()) are removed separately.
 */
void
ewn_account_config_forget (GSettings  *app_settings,
                           const char *account_id)
{
  g_autoptr (GSettings) account = ewn_account_config_settings (account_id);
  g_autoptr (GSettingsSchema) schema = NULL;
  g_auto (GStrv) keys = NULL;
  g_auto (GStrv) ids = g_settings_get_strv (app_settings, "accounts");
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) updated = NULL;

  for (guint i = 0; ids[i] != NULL; i++)
    if (!g_str_equal (ids[i], account_id))
      g_strv_builder_add (builder, ids[i]);
  updated = g_strv_builder_end (builder);
  g_settings_set_strv (app_settings, "accounts", (const char *const *)updated);

  g_object_get (account, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (account, keys[i]);
}
