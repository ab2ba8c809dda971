#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# SPDX-FileCopyrightText: The EWS Notifier authors
"""A minimal org.kde.StatusNotifierWatcher for the desktop tests: the part of a tray that
applications talk to, so that libayatana-appindicator exports its item instead of falling back
to an XEmbed icon nobody shows.

Usage: sni-watcher.py [--log FILE]

It owns org.kde.StatusNotifierWatcher on the session bus until SIGTERM or SIGINT, lists the
registered items as "<bus name><object path>", forgets an item when its owner leaves the bus, and
writes one line per event to FILE: "registered ITEM", "unregistered ITEM", "host NAME".
"""

import argparse
import signal
import sys

from gi.repository import Gio, GLib

BUS_NAME = "org.kde.StatusNotifierWatcher"
PATH = "/StatusNotifierWatcher"
INTERFACE = BUS_NAME
XML = """
<node>
  <interface name="org.kde.StatusNotifierWatcher">
    <method name="RegisterStatusNotifierItem"><arg name="service" type="s" direction="in"/></method>
    <method name="RegisterStatusNotifierHost"><arg name="service" type="s" direction="in"/></method>
    <property name="RegisteredStatusNotifierItems" type="as" access="read"/>
    <property name="IsStatusNotifierHostRegistered" type="b" access="read"/>
    <property name="ProtocolVersion" type="i" access="read"/>
    <signal name="StatusNotifierItemRegistered"><arg type="s"/></signal>
    <signal name="StatusNotifierItemUnregistered"><arg type="s"/></signal>
    <signal name="StatusNotifierHostRegistered"/>
    <signal name="StatusNotifierHostUnregistered"/>
  </interface>
</node>
"""


class Watcher:
    def __init__(self, bus, log):
        self.bus = bus
        self.log = log
        self.items = []  # "<bus name><path>", in registration order
        self.watches = {}  # bus name -> name watch id

    def note(self, line):
        if self.log is not None:
            self.log.write(line + "\n")
            self.log.flush()

    def emit(self, name, item=None):
        params = GLib.Variant("(s)", (item,)) if item is not None else None
        self.bus.emit_signal(None, PATH, INTERFACE, name, params)

    def on_call(self, conn, sender, path, iface, method, params, invocation):
        service = params.unpack()[0]
        if method == "RegisterStatusNotifierItem":
            # The argument is a bus name (the item then lives at /StatusNotifierItem) or, as
            # libayatana-appindicator sends it, the object path on the caller's connection.
            if service.startswith("/"):
                bus_name, obj = sender, service
            else:
                bus_name, obj = service, "/StatusNotifierItem"
            item = bus_name + obj
            invocation.return_value(None)
            if item not in self.items:
                self.items.append(item)
                self.watch(bus_name)
                self.note(f"registered {item}")
                self.emit("StatusNotifierItemRegistered", item)
        elif method == "RegisterStatusNotifierHost":
            invocation.return_value(None)
            self.note(f"host {service}")
            self.emit("StatusNotifierHostRegistered")
        else:
            invocation.return_dbus_error("org.freedesktop.DBus.Error.UnknownMethod", method)

    def on_get(self, conn, sender, path, iface, prop):
        if prop == "RegisteredStatusNotifierItems":
            return GLib.Variant("as", self.items)
        if prop == "IsStatusNotifierHostRegistered":
            return GLib.Variant("b", True)
        if prop == "ProtocolVersion":
            return GLib.Variant("i", 0)
        return None

    def watch(self, bus_name):
        if bus_name not in self.watches:
            self.watches[bus_name] = Gio.bus_watch_name_on_connection(
                self.bus, bus_name, Gio.BusNameWatcherFlags.NONE, None, self.on_vanished)

    def on_vanished(self, conn, bus_name):
        Gio.bus_unwatch_name(self.watches.pop(bus_name))
        for item in [i for i in self.items if i.startswith(bus_name + "/")]:
            self.items.remove(item)
            self.note(f"unregistered {item}")
            self.emit("StatusNotifierItemUnregistered", item)


def main():
    parser = argparse.ArgumentParser(description="A minimal StatusNotifierWatcher")
    parser.add_argument("--log", help="write one line per registration to this file")
    args = parser.parse_args()

    log = open(args.log, "a", encoding="utf-8") if args.log else None
    loop = GLib.MainLoop()
    bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    watcher = Watcher(bus, log)
    node = Gio.DBusNodeInfo.new_for_xml(XML)
    bus.register_object(PATH, node.interfaces[0], watcher.on_call, watcher.on_get, None)

    def lost(conn, name):
        print(f"sni-watcher: could not own {name}", file=sys.stderr)
        loop.quit()

    Gio.bus_own_name_on_connection(bus, BUS_NAME, Gio.BusNameOwnerFlags.DO_NOT_QUEUE,
                                   None, lost)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, loop.quit)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
