/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: The EWS Notifier authors */

#include "config.h"

#include <string.h>

#include "bench-desktop-shell.h"

/* Both services live on a thread of their own with a connection of their own, so a
 * call from the application is answered, and timed, the moment GDBus hands it over,
 * whatever the bench's other threads are doing. libnotify waits for the reply to
 * Notify before the application goes on, so it is sent before anything is counted. */

#define NOTIFICATIONS_NAME "org.freedesktop.Notifications"
#define NOTIFICATIONS_PATH "/org/freedesktop/Notifications"
#define WATCHER_NAME       "org.kde.StatusNotifierWatcher"
#define WATCHER_PATH       "/StatusNotifierWatcher"

static const char introspection_xml[] = "<node>"
                                        "  <interface name='org.freedesktop.Notifications'>"
                                        "    <method name='GetCapabilities'><arg type='as' direction='out'/></method>"
                                        "    <method name='GetServerInformation'>"
                                        "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
                                        "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
                                        "    </method>"
                                        "    <method name='Notify'>"
                                        "      <arg type='s' direction='in'/><arg type='u' direction='in'/><arg type='s' direction='in'/>"
                                        "      <arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='as' direction='in'/>"
                                        "      <arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
                                        "      <arg type='u' direction='out'/>"
                                        "    </method>"
                                        "    <method name='CloseNotification'><arg type='u' direction='in'/></method>"
                                        "    <signal name='NotificationClosed'><arg type='u'/><arg type='u'/></signal>"
                                        "    <signal name='ActionInvoked'><arg type='u'/><arg type='s'/></signal>"
                                        "  </interface>"
                                        "  <interface name='org.kde.StatusNotifierWatcher'>"
                                        "    <method name='RegisterStatusNotifierItem'><arg type='s' direction='in'/></method>"
                                        "    <method name='RegisterStatusNotifierHost'><arg type='s' direction='in'/></method>"
                                        "    <property name='RegisteredStatusNotifierItems' type='as' access='read'/>"
                                        "    <property name='IsStatusNotifierHostRegistered' type='b' access='read'/>"
                                        "    <property name='ProtocolVersion' type='i' access='read'/>"
                                        "    <signal name='StatusNotifierItemRegistered'><arg type='s'/></signal>"
                                        "    <signal name='StatusNotifierItemUnregistered'><arg type='s'/></signal>"
                                        "    <signal name='StatusNotifierHostRegistered'/>"
                                        "  </interface>"
                                        "</node>";

struct _BenchShell
{
  char            *bus_address;
  GThread         *thread;
  GMainContext    *context;
  GMainLoop       *loop;
  GDBusConnection *connection; /* the shell thread's */

  GMutex           lock;
  GCond            cond;
  gboolean         started; /* both names owned, or failed */
  guint            n_names;
  GError          *error;
  GPtrArray       *items;         /* "<bus name><object path>" */
  GHashTable      *watches;       /* bus name → name watch id */
  GArray          *registrations; /* (element-type gint64) when each arrived */
  guint32          last_id;
  gint64           last_notify_us;
  BenchNotifyFunc  notify_func;
  gpointer         notify_data;
};

static void
emit (BenchShell *self,
      const char *path,
      const char *interface,
      const char *signal,
      GVariant   *parameters)
{
  g_dbus_connection_emit_signal (self->connection, NULL, path, interface, signal, parameters, NULL);
}

static void
notifications_call (BenchShell            *self,
                    const char            *method,
                    GVariant              *parameters,
                    GDBusMethodInvocation *invocation,
                    gint64                 arrival_us)
{
  if (strcmp (method, "Notify") == 0)
    {
      const char     *summary, *body;
      guint32         replaces_id, id;
      BenchNotifyFunc func;
      gpointer        func_data;

      g_variant_get (parameters, "(&su&s&s&s@as@a{sv}i)", NULL, &replaces_id, NULL, &summary, &body, NULL, NULL, NULL);
      g_mutex_lock (&self->lock);
      id = replaces_id != 0 ? replaces_id : ++self->last_id;
      self->last_notify_us = arrival_us;
      func = self->notify_func;
      func_data = self->notify_data;
      g_mutex_unlock (&self->lock);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", id));
      if (func != NULL)
        func (summary, body, replaces_id, arrival_us, func_data);
    }
  else if (strcmp (method, "GetCapabilities") == 0)
    {
      const char *caps[] = { "body", "body-markup", "actions", "persistence", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else if (strcmp (method, "GetServerInformation") == 0)
    {
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(ssss)", "bench-desktop", "EWS Notifier", PACKAGE_VERSION, "1.2"));
    }
  else if (strcmp (method, "CloseNotification") == 0)
    {
      guint32 id;

      g_variant_get (parameters, "(u)", &id);
      g_dbus_method_invocation_return_value (invocation, NULL);
      /* Reason 3: closed by a call to CloseNotification. */
      emit (self, NOTIFICATIONS_PATH, NOTIFICATIONS_NAME, "NotificationClosed", g_variant_new ("(uu)", id, 3));
    }
  else
    g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD, "No method %s", method);
}

static void
item_owner_vanished (GDBusConnection *connection,
                     const char      *name,
                     gpointer         user_data)
{
  BenchShell      *self = user_data;
  g_autofree char *prefix = g_strconcat (name, "/", NULL);
  g_autoptr (GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);

  g_mutex_lock (&self->lock);
  g_hash_table_remove (self->watches, name);
  for (guint i = self->items->len; i-- > 0;)
    if (g_str_has_prefix (g_ptr_array_index (self->items, i), prefix))
      g_ptr_array_add (gone, g_ptr_array_steal_index (self->items, i));
  g_mutex_unlock (&self->lock);

  for (guint i = 0; i < gone->len; i++)
    emit (self, WATCHER_PATH, WATCHER_NAME, "StatusNotifierItemUnregistered", g_variant_new ("(s)", g_ptr_array_index (gone, i)));
}

static void
watcher_call (BenchShell            *self,
              const char            *sender,
              const char            *method,
              GVariant              *parameters,
              GDBusMethodInvocation *invocation,
              gint64                 arrival_us)
{
  const char      *service;
  const char      *bus_name;
  g_autofree char *item = NULL;
  gboolean         added = FALSE;

  if (strcmp (method, "RegisterStatusNotifierHost") == 0)
    {
      g_dbus_method_invocation_return_value (invocation, NULL);
      return;
    }
  if (strcmp (method, "RegisterStatusNotifierItem") != 0)
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD, "No method %s", method);
      return;
    }

  /* A bus name (the item is then at /StatusNotifierItem) or, as libayatana-appindicator
   * sends it, an object path on the caller's connection. */
  g_variant_get (parameters, "(&s)", &service);
  bus_name = service[0] == '/' ? sender : service;
  item = service[0] == '/' ? g_strconcat (sender, service, NULL) : g_strconcat (service, "/StatusNotifierItem", NULL);
  g_dbus_method_invocation_return_value (invocation, NULL);

  g_mutex_lock (&self->lock);
  g_array_append_val (self->registrations, arrival_us);
  if (!g_ptr_array_find_with_equal_func (self->items, item, g_str_equal, NULL))
    {
      g_ptr_array_add (self->items, g_strdup (item));
      added = TRUE;
    }
  if (!g_hash_table_contains (self->watches, bus_name))
    g_hash_table_insert (self->watches, g_strdup (bus_name),
                         GUINT_TO_POINTER (g_bus_watch_name_on_connection (self->connection, bus_name, G_BUS_NAME_WATCHER_FLAGS_NONE, NULL,
                                                                           item_owner_vanished, self, NULL)));
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  if (added)
    emit (self, WATCHER_PATH, WATCHER_NAME, "StatusNotifierItemRegistered", g_variant_new ("(s)", item));
}

static void
method_call_cb (GDBusConnection       *connection,
                const char            *sender,
                const char            *path,
                const char            *interface,
                const char            *method,
                GVariant              *parameters,
                GDBusMethodInvocation *invocation,
                gpointer               user_data)
{
  gint64 arrival_us = g_get_monotonic_time ();

  if (strcmp (interface, NOTIFICATIONS_NAME) == 0)
    notifications_call (user_data, method, parameters, invocation, arrival_us);
  else
    watcher_call (user_data, sender, method, parameters, invocation, arrival_us);
}

static GVariant *
get_property_cb (GDBusConnection *connection,
                 const char      *sender,
                 const char      *path,
                 const char      *interface,
                 const char      *property,
                 GError         **error,
                 gpointer         user_data)
{
  BenchShell *self = user_data;
  GVariant   *value = NULL;

  if (strcmp (property, "RegisteredStatusNotifierItems") == 0)
    {
      g_mutex_lock (&self->lock);
      value = g_variant_new_strv ((const char *const *)self->items->pdata, self->items->len);
      g_mutex_unlock (&self->lock);
    }
  else if (strcmp (property, "IsStatusNotifierHostRegistered") == 0)
    value = g_variant_new_boolean (TRUE);
  else if (strcmp (property, "ProtocolVersion") == 0)
    value = g_variant_new_int32 (0);
  else
    g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY, "No property %s", property);
  return value;
}

static const GDBusInterfaceVTable vtable = { method_call_cb, get_property_cb, NULL, { 0 } };

static void
started (BenchShell *self,
         GError     *error)
{
  g_mutex_lock (&self->lock);
  if (error != NULL && self->error == NULL)
    self->error = g_error_copy (error);
  self->started = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

static void
name_acquired_cb (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  BenchShell *self = user_data;

  if (++self->n_names == 2)
    started (self, NULL);
}

static void
name_lost_cb (GDBusConnection *connection,
              const char      *name,
              gpointer         user_data)
{
  g_autoptr (GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_EXISTS, "Cannot own %s on the bench's bus", name);

  started (user_data, error);
}

static gpointer
shell_main (gpointer data)
{
  BenchShell *self = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GDBusNodeInfo) node = g_dbus_node_info_new_for_xml (introspection_xml, NULL);
  guint registrations[2] = { 0 };
  guint owners[2] = { 0 };

  g_main_context_push_thread_default (self->context);
  self->connection = g_dbus_connection_new_for_address_sync (self->bus_address,
                                                             G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                             NULL, NULL, &error);
  if (self->connection == NULL)
    {
      started (self, error);
      g_main_context_pop_thread_default (self->context);
      return NULL;
    }
  registrations[0] = g_dbus_connection_register_object (self->connection, NOTIFICATIONS_PATH, node->interfaces[0], &vtable, self, NULL, NULL);
  registrations[1] = g_dbus_connection_register_object (self->connection, WATCHER_PATH, node->interfaces[1], &vtable, self, NULL, NULL);
  owners[0] = g_bus_own_name_on_connection (self->connection, NOTIFICATIONS_NAME, G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE, name_acquired_cb, name_lost_cb, self, NULL);
  owners[1] = g_bus_own_name_on_connection (self->connection, WATCHER_NAME, G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE, name_acquired_cb, name_lost_cb, self, NULL);

  g_main_loop_run (self->loop);

  for (guint i = 0; i < G_N_ELEMENTS (owners); i++)
    {
      g_bus_unown_name (owners[i]);
      g_dbus_connection_unregister_object (self->connection, registrations[i]);
    }
  g_hash_table_remove_all (self->watches);
  g_dbus_connection_close_sync (self->connection, NULL, NULL);
  g_clear_object (&self->connection);
  /* What the closing left behind (the watches' and the names' last callbacks). */
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

static void
unwatch (gpointer id)
{
  g_bus_unwatch_name (GPOINTER_TO_UINT (id));
}

/**
 * bench_shell_new:
 * @bus_address: the session bus to serve on
 *
 * Returns: a notification server and tray watcher that own their names on the bus,
 *   or %NULL
 */
BenchShell *
bench_shell_new (const char *bus_address,
                 GError    **error)
{
  BenchShell *self = g_new0 (BenchShell, 1);

  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->bus_address = g_strdup (bus_address);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->items = g_ptr_array_new_with_free_func (g_free);
  self->watches = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, unwatch);
  self->registrations = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->thread = g_thread_new ("bench-shell", shell_main, self);

  g_mutex_lock (&self->lock);
  while (!self->started)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
  if (self->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->error));
      bench_shell_free (self);
      return NULL;
    }
  return self;
}

/* @func is called on the shell's thread. */
void
bench_shell_set_notify_func (BenchShell     *self,
                             BenchNotifyFunc func,
                             gpointer        user_data)
{
  g_mutex_lock (&self->lock);
  self->notify_func = func;
  self->notify_data = user_data;
  g_mutex_unlock (&self->lock);
}

guint
bench_shell_get_n_registrations (BenchShell *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->registrations->len;
  g_mutex_unlock (&self->lock);
  return n;
}

/**
 * bench_shell_wait_registration:
 * @n: which RegisterStatusNotifierItem call to wait for, from 1
 * @arrival_us: (out): when it arrived
 *
 * Returns: %FALSE when there were fewer than @n calls within @timeout_ms
 */
gboolean
bench_shell_wait_registration (BenchShell *self,
                               guint       n,
                               guint       timeout_ms,
                               gint64     *arrival_us)
{
  gint64   deadline = g_get_monotonic_time () + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
  gboolean found;

  g_mutex_lock (&self->lock);
  while (self->registrations->len < n && g_cond_wait_until (&self->cond, &self->lock, deadline))
    ;
  found = self->registrations->len >= n;
  if (found)
    *arrival_us = g_array_index (self->registrations, gint64, n - 1);
  g_mutex_unlock (&self->lock);
  return found;
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *)a;
  gint64 y = *(const gint64 *)b;

  return x < y ? -1 : x > y;
}

/**
 * bench_shell_time_notify:
 * @n: how many calls to make
 *
 * Calls Notify @n times as libnotify does, synchronously with a connection of its
 * own, from the calling thread: the floor under any application's Notify, two
 * thread hand-overs on each side and the bus daemon between them.
 *
 * Returns: the median time in milliseconds from each call to its arrival in the
 *   handler, or a negative value
 */
double
bench_shell_time_notify (BenchShell *self,
                         guint       n,
                         GError    **error)
{
  g_autoptr (GDBusConnection) connection = NULL;
  g_autoptr (GArray) times = g_array_new (FALSE, FALSE, sizeof (gint64));

  connection = g_dbus_connection_new_for_address_sync (self->bus_address,
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, error);
  if (connection == NULL)
    return -1;
  for (guint i = 0; i < n; i++)
    {
      const char *actions[] = { NULL };
      gint64      before = g_get_monotonic_time ();
      gint64      time;
      g_autoptr (GVariant) reply = NULL;

      reply = g_dbus_connection_call_sync (connection, NOTIFICATIONS_NAME, NOTIFICATIONS_PATH, NOTIFICATIONS_NAME, "Notify",
                                           g_variant_new ("(susss^asa{sv}i)", "bench-desktop", 0, "", "Calibration", "", actions, NULL, -1),
                                           G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, error);
      if (reply == NULL)
        return -1;
      g_mutex_lock (&self->lock);
      time = self->last_notify_us - before;
      g_mutex_unlock (&self->lock);
      g_array_append_val (times, time);
      /* From an idle process, as a change comes. */
      g_usleep (100 * G_TIME_SPAN_MILLISECOND);
    }
  g_array_sort (times, compare_gint64);
  return g_array_index (times, gint64, (times->len - 1) / 2) / 1000.0;
}

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

void
bench_shell_free (BenchShell *self)
{
  g_main_context_invoke (self->context, quit_cb, self->loop);
  g_thread_join (self->thread);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_hash_table_unref (self->watches);
  g_ptr_array_unref (self->items);
  g_array_unref (self->registrations);
  g_clear_error (&self->error);
  g_free (self->bus_address);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self);
}
