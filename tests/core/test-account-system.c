/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

/* The account and the machine: a private D-Bus daemon stands in for the system bus,
 * and the test owns org.freedesktop.login1 on it to say PrepareForSleep, as logind
 * does around a suspend. */

#include "config.h"

#include "account-fixture.h"

static GDBusConnection *logind;

static gboolean
asleep (Fixture *fixture)
{
  return ewn_account_get_state (fixture->account) == EWN_ACCOUNT_STATE_OFFLINE;
}

static gboolean
no_stream (Fixture *fixture)
{
  return ews_simulator_get_n_streams (fixture->simulator) == 0;
}

static void
prepare_for_sleep (gboolean start)
{
  g_autoptr (GError) error = NULL;

  g_dbus_connection_emit_signal (logind, NULL, "/org/freedesktop/login1", "org.freedesktop.login1.Manager",
                                 "PrepareForSleep", g_variant_new ("(b)", start), &error);
  g_assert_no_error (error);
}

static gboolean
say_sleep (gpointer data)
{
  prepare_for_sleep (TRUE);
  return G_SOURCE_CONTINUE;
}

/* The subscription expires while the machine sleeps; changes are made meanwhile. On
 * wake-up the account reconnects, resubscribes and catches up: all of them, once. */
static void
test_suspend (Fixture      *fixture,
              gconstpointer data)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  guint            repeat;

  fixture_new_account (fixture, NULL);
  ewn_account_set_watch_system (fixture->account, TRUE);
  ewn_account_start (fixture->account);
  wait_until (fixture, is_streaming);
  a = create_meeting (fixture, "Before the suspend", 9);
  expect (fixture, "created", a);
  wait_until (fixture, has_expected);

  /* The account learns of the bus asynchronously: say it until it is heard. */
  repeat = g_timeout_add (50, say_sleep, NULL);
  wait_until (fixture, asleep);
  g_source_remove (repeat);
  /* The connection is really closed, not just forgotten. */
  wait_until (fixture, no_stream);

  ews_simulator_inject_fault (fixture->simulator, EWS_SIM_FAULT_EXPIRE_SUBSCRIPTIONS, 0);
  b = create_meeting (fixture, "While asleep", 10);
  reschedule (fixture, a, "2026-11-25T11:00:00Z");
  g_assert_cmpuint (fixture->changes->len, ==, 1);
  g_assert_cmpint (ewn_account_get_state (fixture->account), ==, EWN_ACCOUNT_STATE_OFFLINE);

  prepare_for_sleep (FALSE);
  expect (fixture, "created", b);
  expect (fixture, "rescheduled", a);
  wait_until (fixture, has_expected);
  wait_until (fixture, is_streaming);

  c = create_meeting (fixture, "After waking up", 12);
  expect (fixture, "created", c);
  assert_exact (fixture);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GTestDBus) bus = NULL;
  g_autoptr (GError) error = NULL;
  GVariant *reply;
  int       status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (bus);
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", g_test_dbus_get_bus_address (bus), TRUE);

  logind = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (bus),
                                                   G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                   NULL, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (logind, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "RequestName", g_variant_new ("(su)", "org.freedesktop.login1", 0),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_unref (reply);

  g_test_add ("/account/suspend", Fixture, NULL, fixture_set_up, test_suspend, fixture_tear_down);
  status = g_test_run ();

  g_dbus_connection_close_sync (logind, NULL, NULL);
  g_clear_object (&logind);
  g_test_dbus_down (bus);
  return status;
}
