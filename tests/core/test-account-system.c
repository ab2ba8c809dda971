/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

/* The account and the machine: a private D-Bus daemon stands in for the system bus,
 * and the test owns org.freedesktop.login1 on it to say PrepareForSleep, as logind
 * does around a suspend; a network monitor of the test's own makes the network come
 * and go. */

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

/* A network monitor whose network comes and goes when the test says so. */
#define TEST_TYPE_NETWORK (test_network_get_type ())
G_DECLARE_FINAL_TYPE (TestNetwork, test_network, TEST, NETWORK, GObject)

struct _TestNetwork
{
  GObject  parent_instance;
  gboolean available;
};

enum
{
  PROP_0,
  PROP_NETWORK_AVAILABLE,
  PROP_NETWORK_METERED,
  PROP_CONNECTIVITY,
};

static void test_network_iface_init (GNetworkMonitorInterface *iface);
static void test_network_initable_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestNetwork, test_network, G_TYPE_OBJECT, G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, test_network_initable_init) G_IMPLEMENT_INTERFACE (G_TYPE_NETWORK_MONITOR, test_network_iface_init))

static gboolean
test_network_initable_init_impl (GInitable    *initable,
                                 GCancellable *cancellable,
                                 GError      **error)
{
  return TRUE;
}

static void
test_network_initable_init (GInitableIface *iface)
{
  iface->init = test_network_initable_init_impl;
}

static gboolean
test_network_can_reach (GNetworkMonitor    *monitor,
                        GSocketConnectable *connectable,
                        GCancellable       *cancellable,
                        GError            **error)
{
  return TEST_NETWORK (monitor)->available;
}

static void
test_network_iface_init (GNetworkMonitorInterface *iface)
{
  iface->can_reach = test_network_can_reach;
}

static void
test_network_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  TestNetwork *self = TEST_NETWORK (object);

  switch (prop_id)
    {
    case PROP_NETWORK_AVAILABLE:
      g_value_set_boolean (value, self->available);
      break;
    case PROP_NETWORK_METERED:
      g_value_set_boolean (value, FALSE);
      break;
    case PROP_CONNECTIVITY:
      g_value_set_enum (value, self->available ? G_NETWORK_CONNECTIVITY_FULL : G_NETWORK_CONNECTIVITY_LOCAL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_network_class_init (TestNetworkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_network_get_property;
  g_object_class_override_property (object_class, PROP_NETWORK_AVAILABLE, "network-available");
  g_object_class_override_property (object_class, PROP_NETWORK_METERED, "network-metered");
  g_object_class_override_property (object_class, PROP_CONNECTIVITY, "connectivity");
}

static void
test_network_init (TestNetwork *self)
{
  self->available = TRUE;
}

static void
test_network_set_available (TestNetwork *self,
                            gboolean     available)
{
  self->available = available;
  g_object_notify (G_OBJECT (self), "network-available");
  g_signal_emit_by_name (self, "network-changed", available);
}

static gboolean
offline (Fixture *fixture)
{
  return ewn_account_get_state (fixture->account) == EWN_ACCOUNT_STATE_OFFLINE;
}

/* The network goes away (and the stream with it), changes are made, the network comes
 * back on another route: reconnect and catch up, each change once. */
static void
test_network_change (Fixture      *fixture,
                     gconstpointer data)
{
  g_autoptr (TestNetwork) network = g_object_new (TEST_TYPE_NETWORK, NULL);
  g_autoptr (EwnSystemWatch) watch = ewn_system_watch_new (G_NETWORK_MONITOR (network), NULL);
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;

  fixture_new_account (fixture, NULL);
  ewn_account_set_system_watch (fixture->account, watch);
  ewn_account_start (fixture->account);
  wait_until (fixture, is_streaming);
  a = create_meeting (fixture, "Before", 9);
  expect (fixture, "created", a);
  wait_until (fixture, has_expected);

  test_network_set_available (network, FALSE);
  g_assert_true (offline (fixture));
  wait_until (fixture, no_stream);
  b = create_meeting (fixture, "While offline", 10);
  reschedule (fixture, a, "2026-11-25T11:00:00Z");
  g_assert_cmpuint (fixture->changes->len, ==, 1);

  test_network_set_available (network, TRUE);
  expect (fixture, "created", b);
  expect (fixture, "rescheduled", a);
  wait_until (fixture, has_expected);
  wait_until (fixture, is_streaming);

  /* A change of route while online (another Wi-Fi, a VPN): the old connection may be
   * half-open, so the account reconnects and catches up anyway. */
  fixture->stream_requests_seen = fixture->stream_requests;
  test_network_set_available (network, TRUE);
  wait_until (fixture, stream_reissued);
  c = create_meeting (fixture, "After", 12);
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
  g_test_add ("/account/network-change", Fixture, NULL, fixture_set_up, test_network_change, fixture_tear_down);
  status = g_test_run ();

  g_dbus_connection_close_sync (logind, NULL, NULL);
  g_clear_object (&logind);
  g_test_dbus_down (bus);
  return status;
}
