/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ews-error.h"
#include "ewn-account-config.h"

/* What an account's settings turn into: its id, user, server, client and account; bad
 * values are refused with a message that says what to fix. Settings in memory. */

static GSettings *
app_settings (void)
{
  return g_settings_new (APPLICATION_ID);
}

static void
test_new_id (void)
{
  g_autoptr (GSettings) app = app_settings ();
  g_autofree char *first = ewn_account_config_new_id (app, "Alice.Smith@Example.com");
  g_autofree char *second = NULL;
  g_autofree char *empty = ewn_account_config_new_id (app, "");

  g_assert_cmpstr (first, ==, "alice-smith-example-com");
  ewn_account_config_add (app, first);
  ewn_account_config_add (app, first); /* once only */
  second = ewn_account_config_new_id (app, "alice.smith@example.com");
  g_assert_cmpstr (second, ==, "alice-smith-example-com-2");
  g_assert_cmpstr (empty, ==, "account");
  {
    g_auto (GStrv) ids = g_settings_get_strv (app, "accounts");

    g_assert_cmpuint (g_strv_length (ids), ==, 1);
  }
  ewn_account_config_forget (app, first);
  {
    g_auto (GStrv) ids = g_settings_get_strv (app, "accounts");

    g_assert_cmpuint (g_strv_length (ids), ==, 0);
  }
}

static void
test_user_and_server (void)
{
  g_autoptr (GSettings) account = ewn_account_config_settings ("t-user");
  g_autofree char *user = NULL;
  g_autofree char *server = NULL;

  g_settings_set_string (account, "email", "alice@example.com");
  user = ewn_account_config_dup_user (account);
  server = ewn_account_config_dup_server (account);
  g_assert_cmpstr (user, ==, "alice@example.com"); /* no user name: the address */
  g_assert_cmpstr (server, ==, "example.com");     /* no EWS URL yet: the domain */
  g_clear_pointer (&user, g_free);
  g_clear_pointer (&server, g_free);

  g_settings_set_string (account, "username", "CONTOSO\\alice");
  g_settings_set_string (account, "ews-url", "https://mail.example.com/EWS/Exchange.asmx");
  user = ewn_account_config_dup_user (account);
  server = ewn_account_config_dup_server (account);
  g_assert_cmpstr (user, ==, "CONTOSO\\alice");
  g_assert_cmpstr (server, ==, "mail.example.com");

  g_assert_true (ewn_account_config_needs_password (account)); /* automatic, the default */
  g_settings_set_string (account, "auth-mechanism", "negotiate");
  g_assert_false (ewn_account_config_needs_password (account));
}

static void
test_client (void)
{
  g_autoptr (GSettings) account = ewn_account_config_settings ("t-client");
  g_autoptr (GError) error = NULL;
  g_autoptr (EwsClient) client = NULL;

  /* No address yet, then one that is not an EWS address: refused, saying what to do. */
  client = ewn_account_config_new_client (account, &error);
  g_assert_null (client);
  g_assert_error (error, EWS_ERROR, EWS_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "sign in again"));
  g_clear_error (&error);

  g_settings_set_string (account, "ews-url", "mail.example.com");
  client = ewn_account_config_new_client (account, &error);
  g_assert_null (client);
  g_assert_nonnull (strstr (error->message, "https://mail.example.com/EWS/Exchange.asmx"));
  g_clear_error (&error);

  /* An unreadable CA file is an error too, not a silent system-only trust. */
  g_settings_set_string (account, "ews-url", "https://mail.example.com/EWS/Exchange.asmx");
  g_settings_set_string (account, "ca-file", "/nonexistent/ca.pem");
  client = ewn_account_config_new_client (account, &error);
  g_assert_null (client);
  g_assert_nonnull (error);
  g_clear_error (&error);

  g_settings_set_string (account, "ca-file", "");
  g_settings_set_string (account, "auth-mechanism", "ntlm");
  g_settings_set_string (account, "email", "alice@example.com");
  client = ewn_account_config_new_client (account, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ews_client_get_url (client), ==, "https://mail.example.com/EWS/Exchange.asmx");
  g_assert_cmpint (ews_client_get_auth_mechanism (client), ==, EWS_AUTH_NTLM);
  g_assert_cmpstr (ews_client_get_anchor_mailbox (client), ==, "alice@example.com");
  g_clear_object (&client);

  g_settings_set_string (account, "auth-mechanism", "automatic");
  client = ewn_account_config_new_client (account, &error);
  g_assert_cmpint (ews_client_get_auth_mechanism (client), ==, EWS_AUTH_AUTOMATIC);
}

static EwnChange *
change_by (const char *who)
{
  g_autoptr (EwsItem) item = ews_item_new (EWS_ITEM_KIND_CALENDAR);

  item->id = g_strdup ("AAMk1");
  item->last_modified_name = g_strdup (who);
  return ewn_change_new (EWN_CHANGE_CREATED, NULL, item);
}

static void
test_account (void)
{
  g_autoptr (GSettings) settings = ewn_account_config_settings ("t-account");
  g_autoptr (GError) error = NULL;
  g_autoptr (EwnAccount) account = NULL;
  const char *const mailboxes[] = { "team@example.com", NULL };

  g_settings_set_string (settings, "email", "carol@example.com");
  g_settings_set_string (settings, "ews-url", "https://mail.example.com/EWS/Exchange.asmx");
  g_settings_set_string (settings, "owner-name", "Carol Jones");
  g_settings_set_strv (settings, "extra-mailboxes", mailboxes);
  account = ewn_account_config_new_account ("t-account", settings, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ewn_account_get_id (account), ==, "t-account");
  g_assert_cmpstr (ewn_account_get_address (account), ==, "carol@example.com");
  g_assert_cmpstr (ewn_account_get_display_name (account), ==, "carol@example.com"); /* no name given */
  g_assert_cmpuint (ewn_account_get_n_mailboxes (account), ==, 2);
  g_assert_false (ewn_account_get_started (account));

  /* Own changes: by the owner's name or address, in any case; not someone else's. */
  {
    g_autoptr (EwnChange) by_name = change_by ("carol JONES");
    g_autoptr (EwnChange) by_address = change_by ("Carol@Example.com");
    g_autoptr (EwnChange) by_other = change_by ("Dave Smith");
    g_autoptr (EwnChange) by_nobody = change_by (NULL);

    g_assert_true (ewn_account_is_own_change (account, by_name));
    g_assert_true (ewn_account_is_own_change (account, by_address));
    g_assert_false (ewn_account_is_own_change (account, by_other));
    g_assert_false (ewn_account_is_own_change (account, by_nobody));

    /* Naming the account later leaves the owner's name alone. */
    ewn_account_set_display_name (account, "Work");
    g_assert_cmpstr (ewn_account_get_display_name (account), ==, "Work");
    g_assert_true (ewn_account_is_own_change (account, by_name));
  }
}

static void
test_clear_state (void)
{
  g_autofree char *dir = ewn_account_config_state_dir ("t-state");
  g_autofree char *sub = g_build_filename (dir, "nested", NULL);
  g_autofree char *file = g_build_filename (sub, "journal", NULL);

  g_assert_true (g_str_has_prefix (dir, g_get_user_state_dir ()));
  g_assert_cmpint (g_mkdir_with_parents (sub, 0700), ==, 0);
  g_assert_true (g_file_set_contents (file, "x", 1, NULL));
  ewn_account_config_clear_state ("t-state");
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  ewn_account_config_clear_state ("t-state"); /* nothing there: fine */
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/account-config/new-id", test_new_id);
  g_test_add_func ("/account-config/user-and-server", test_user_and_server);
  g_test_add_func ("/account-config/client", test_client);
  g_test_add_func ("/account-config/account", test_account);
  g_test_add_func ("/account-config/clear-state", test_clear_state);

  return g_test_run ();
}
