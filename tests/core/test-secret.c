/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <gio/gio.h>

#include "ewn-autostart.h"
#include "ewn-secret.h"

/* The keyring calls never hang the application: with no Secret Service on the bus, and
 * with one that never answers, a lookup ends quickly with an error that says which.
 * (Storing, finding and removing in a real gnome-keyring is tested in tests/ui.) Each
 * case runs in a subprocess: libsecret and GIO keep the first session bus they see. */

#define SLOW_TIMEOUT_MS        300
#define UNAVAILABLE_TIMEOUT_MS 10000

static const char service_xml[] = "<node>"
                                  "  <interface name='org.freedesktop.Secret.Service'>"
                                  "    <method name='OpenSession'>"
                                  "      <arg type='s' name='algorithm' direction='in'/>"
                                  "      <arg type='v' name='input' direction='in'/>"
                                  "      <arg type='v' name='output' direction='out'/>"
                                  "      <arg type='o' name='result' direction='out'/>"
                                  "    </method>"
                                  "  </interface>"
                                  "</node>";

typedef struct
{
  GMainLoop *loop;
  GError    *error;
  char      *password;
  GPtrArray *held; /* calls the stand-in never answers */
} Run;

static void
on_looked_up (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Run *run = user_data;

  run->password = ewn_secret_lookup_finish (result, &run->error);
  g_main_loop_quit (run->loop);
}

static void
hold_call (GDBusConnection       *connection,
           const char            *sender,
           const char            *path,
           const char            *interface,
           const char            *method,
           GVariant              *parameters,
           GDBusMethodInvocation *invocation,
           gpointer               user_data)
{
  Run *run = user_data;

  g_ptr_array_add (run->held, g_object_ref (invocation));
}

static gint64
look_up (Run  *run,
         guint timeout_ms)
{
  gint64 start = g_get_monotonic_time ();

  ewn_secret_lookup_async ("alice-example-com", timeout_ms, NULL, on_looked_up, run);
  g_main_loop_run (run->loop);
  return (g_get_monotonic_time () - start) / 1000;
}

static void
test_unavailable_subprocess (void)
{
  g_autoptr (GTestDBus) bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  Run    run = { g_main_loop_new (NULL, FALSE), NULL, NULL, NULL };
  gint64 ms;

  g_test_dbus_up (bus);
  ms = look_up (&run, UNAVAILABLE_TIMEOUT_MS);

  g_assert_null (run.password);
  g_assert_error (run.error, EWN_SECRET_ERROR, EWN_SECRET_ERROR_UNAVAILABLE);
  g_assert_cmpint (ms, <, UNAVAILABLE_TIMEOUT_MS / 2); /* D-Bus says so at once: no waiting for the timeout */
  g_printerr ("# %s\n", run.error->message);

  g_clear_error (&run.error);
  g_main_loop_unref (run.loop);
  g_test_dbus_down (bus);
}

static void
test_slow_subprocess (void)
{
  g_autoptr (GTestDBus) bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  Run                               run = { g_main_loop_new (NULL, FALSE), NULL, NULL, g_ptr_array_new_with_free_func (g_object_unref) };
  static const GDBusInterfaceVTable vtable = { hold_call, NULL, NULL, { 0 } };
  g_autoptr (GDBusConnection) connection = NULL;
  g_autoptr (GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (service_xml, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = NULL;
  gint64 ms;

  g_test_dbus_up (bus);
  connection = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (bus),
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_register_object (connection, "/org/freedesktop/secrets", info->interfaces[0], &vtable, &run, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "RequestName", g_variant_new ("(su)", "org.freedesktop.secrets", 0), G_VARIANT_TYPE ("(u)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);

  ms = look_up (&run, SLOW_TIMEOUT_MS);

  g_assert_null (run.password);
  g_assert_error (run.error, EWN_SECRET_ERROR, EWN_SECRET_ERROR_TIMEOUT);
  g_assert_cmpuint (run.held->len, >=, 1); /* it did ask, and was left waiting */
  g_assert_cmpint (ms, >=, SLOW_TIMEOUT_MS - 5);
  g_assert_cmpint (ms, <, SLOW_TIMEOUT_MS + 2000);
  g_printerr ("# %s after %" G_GINT64_FORMAT " ms\n", run.error->message, ms);

  g_clear_error (&run.error);
  g_ptr_array_unref (run.held);
  g_main_loop_unref (run.loop);
  g_dbus_connection_close_sync (connection, NULL, NULL);
  g_test_dbus_down (bus);
}

static void
test_unavailable (void)
{
  if (g_test_subprocess ())
    {
      test_unavailable_subprocess ();
      return;
    }
  g_test_trap_subprocess (NULL, 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
test_slow (void)
{
  if (g_test_subprocess ())
    {
      test_slow_subprocess ();
      return;
    }
  g_test_trap_subprocess (NULL, 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* Start at login: the entry appears in the autostart folder and goes again. */
static void
test_autostart (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = ewn_autostart_path ();
  g_autoptr (GKeyFile) entry = g_key_file_new ();
  g_autofree char *exec = NULL;

  g_assert_true (g_str_has_prefix (path, g_get_user_config_dir ()));
  g_assert_true (ewn_autostart_set (TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (g_key_file_load_from_file (entry, path, G_KEY_FILE_NONE, &error));
  g_assert_no_error (error);
  exec = g_key_file_get_string (entry, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_EXEC, &error);
  g_assert_cmpstr (exec, ==, "ews-notifier --gapplication-service");
  g_assert_true (g_key_file_get_boolean (entry, G_KEY_FILE_DESKTOP_GROUP, "X-GNOME-Autostart-enabled", NULL));

  g_assert_true (ewn_autostart_set (FALSE, &error));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  /* Off when already off is fine. */
  g_assert_true (ewn_autostart_set (FALSE, &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/secret/unavailable", test_unavailable);
  g_test_add_func ("/secret/slow", test_slow);
  g_test_add_func ("/autostart", test_autostart);

  return g_test_run ();
}
