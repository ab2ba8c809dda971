/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#define G_LOG_DOMAIN "ewn-system"

#include "config.h"

#include "ewn-system-watch.h"

struct _EwnSystemWatch
{
  GObject          parent_instance;

  GNetworkMonitor *monitor;
  GDBusConnection *system_bus;
  guint            sleep_subscription;
  gboolean         online;
};

G_DEFINE_FINAL_TYPE (EwnSystemWatch, ewn_system_watch, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ONLINE,
  N_PROPS
};

enum
{
  SUSPENDING,
  RESUMED,
  NETWORK_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint       signals[N_SIGNALS];

static void
on_network_changed (GNetworkMonitor *monitor,
                    gboolean         available,
                    EwnSystemWatch  *self)
{
  g_debug ("Network %s", available ? "available" : "unavailable");

  /* Every change counts, not only off → on: a new route (another Wi-Fi, a VPN) leaves
   * the old connection half-open just the same. */
  if (self->online != available)
    {
      self->online = available;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ONLINE]);
    }
  g_signal_emit (self, signals[NETWORK_CHANGED], 0, available);
}

static void
on_prepare_for_sleep (GDBusConnection *connection,
                      const char      *sender,
                      const char      *object_path,
                      const char      *interface,
                      const char      *signal_name,
                      GVariant        *parameters,
                      gpointer         user_data)
{
  EwnSystemWatch *self = user_data;
  gboolean        sleeping = FALSE;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(b)")))
    return;

  g_variant_get (parameters, "(b)", &sleeping);
  g_debug ("%s", sleeping ? "Going to sleep" : "Woke up");
  g_signal_emit (self, signals[sleeping ? SUSPENDING : RESUMED], 0);
}

static void
ewn_system_watch_dispose (GObject *object)
{
  EwnSystemWatch *self = (EwnSystemWatch *)object;

  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);
  if (self->system_bus != NULL && self->sleep_subscription != 0)
    g_dbus_connection_signal_unsubscribe (self->system_bus, self->sleep_subscription);
  self->sleep_subscription = 0;
  g_clear_object (&self->system_bus);

  G_OBJECT_CLASS (ewn_system_watch_parent_class)->dispose (object);
}

static void
ewn_system_watch_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  EwnSystemWatch *self = EWN_SYSTEM_WATCH (object);

  switch (prop_id)
    {
    case PROP_ONLINE:
      g_value_set_boolean (value, self->online);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ewn_system_watch_class_init (EwnSystemWatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ewn_system_watch_dispose;
  object_class->get_property = ewn_system_watch_get_property;

  properties[PROP_ONLINE] = g_param_spec_boolean ("online", NULL, NULL, TRUE,
                                                  G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EwnSystemWatch::suspending:
   *
   * The machine is about to sleep (logind PrepareForSleep true).
   */
  signals[SUSPENDING] = g_signal_new ("suspending", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * EwnSystemWatch::resumed:
   *
   * The machine woke up (logind PrepareForSleep false): every connection may be dead.
   */
  signals[RESUMED] = g_signal_new ("resumed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * EwnSystemWatch::network-changed:
   * @available: whether a network is available now
   *
   * The network configuration changed.
   */
  signals[NETWORK_CHANGED] = g_signal_new ("network-changed", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
}

static void
ewn_system_watch_init (EwnSystemWatch *self)
{
  self->online = TRUE;
}

static void
watch_sleep (EwnSystemWatch  *self,
             GDBusConnection *system_bus)
{
  if (self->system_bus != NULL)
    return;

  self->system_bus = g_object_ref (system_bus);
  self->sleep_subscription = g_dbus_connection_signal_subscribe (system_bus, "org.freedesktop.login1",
                                                                 "org.freedesktop.login1.Manager", "PrepareForSleep",
                                                                 "/org/freedesktop/login1", NULL,
                                                                 G_DBUS_SIGNAL_FLAGS_NONE, on_prepare_for_sleep,
                                                                 self, NULL);
}

/**
 * ewn_system_watch_new:
 * @monitor: (nullable): the network monitor to follow
 * @system_bus: (nullable): the system bus, for logind's PrepareForSleep
 *
 * Returns: (transfer full): a new #EwnSystemWatch
 */
EwnSystemWatch *
ewn_system_watch_new (GNetworkMonitor *monitor,
                      GDBusConnection *system_bus)
{
  EwnSystemWatch *self = g_object_new (EWN_TYPE_SYSTEM_WATCH, NULL);

  if (monitor != NULL)
    {
      self->monitor = g_object_ref (monitor);
      self->online = g_network_monitor_get_network_available (monitor);
      g_signal_connect (monitor, "network-changed", G_CALLBACK (on_network_changed), self);
    }

  if (system_bus != NULL)
    watch_sleep (self, system_bus);

  return self;
}

static void
on_system_bus (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (EwnSystemWatch) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GDBusConnection) bus = g_bus_get_finish (result, &error);

  if (bus == NULL)
    {
      g_debug ("No system bus, suspend and resume go unnoticed: %s", error->message);
      return;
    }

  watch_sleep (self, bus);
}

/**
 * ewn_system_watch_get_default:
 *
 * The watch of this machine: the default network monitor and, when there is a system
 * bus, logind.
 *
 * Returns: (transfer full): the shared #EwnSystemWatch
 */
EwnSystemWatch *
ewn_system_watch_get_default (void)
{
  static EwnSystemWatch *instance;

  if (instance == NULL)
    {
      instance = ewn_system_watch_new (g_network_monitor_get_default (), NULL);
      g_object_add_weak_pointer (G_OBJECT (instance), (gpointer *)&instance);
      g_bus_get (G_BUS_TYPE_SYSTEM, NULL, on_system_bus, g_object_ref (instance));
      return instance;
    }

  return g_object_ref (instance);
}

gboolean
ewn_system_watch_get_online (EwnSystemWatch *self)
{
  g_return_val_if_fail (EWN_IS_SYSTEM_WATCH (self), TRUE);

  return self->online;
}
