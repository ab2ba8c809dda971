#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# SPDX-FileCopyrightText: The EWS Notifier authors
"""A stand-in for a tray application, for the harness's own tests: it uses the same desktop
pieces as EWS Notifier (a GTK 3 window, a libayatana-appindicator item with a menu and a
submenu, notifications with actions), so a failure there is the harness's, not the app's.

Usage: stand-in.py TITLE [LABEL…]

Shows a window titled TITLE with one label per LABEL and a tray item with the menu
"Say _Hello" (sends the notification "Hello" with the actions default/Open), "_More" ›
"Say _Goodbye" (sends "Goodbye"), and "_Quit" (exits 0). An action invoked on one of its
notifications opens a window titled "Action KEY on ID".
"""

import sys

import gi

gi.require_version("Gtk", "3.0")
from gi.repository import Gio, GLib, Gtk  # noqa: E402

try:
    gi.require_version("AyatanaAppIndicator3", "0.1")
    from gi.repository import AyatanaAppIndicator3 as AppIndicator  # noqa: E402
except (ImportError, ValueError):
    AppIndicator = None

BUS = Gio.bus_get_sync(Gio.BusType.SESSION, None)


def notify(summary):
    BUS.call_sync("org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                  "org.freedesktop.Notifications", "Notify",
                  GLib.Variant("(susssasa{sv}i)", ("stand-in", 0, "", summary, "from the <i>stand-in</i>",
                                                   ["default", "Open"],
                                                   {"desktop-entry": GLib.Variant("s", "stand-in")}, -1)),
                  GLib.VariantType("(u)"), Gio.DBusCallFlags.NONE, 5000, None)


def show_window(title, labels):
    window = Gtk.Window(title=title)
    box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=6, margin=12)
    for text in labels:
        box.pack_start(Gtk.Label(label=text), False, False, 0)
    window.add(box)
    window.set_default_size(360, 120)
    window.show_all()
    return window


def on_action(conn, sender, path, iface, signal, params):
    notification_id, key = params.unpack()
    show_window(f"Action {key} on {notification_id}", [f"The action {key} was invoked"])


def menu_item(label, callback):
    item = Gtk.MenuItem.new_with_mnemonic(label)
    item.connect("activate", lambda *_: callback())
    return item


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    GLib.set_prgname("stand-in")
    show_window(sys.argv[1], sys.argv[2:])
    BUS.signal_subscribe("org.freedesktop.Notifications", "org.freedesktop.Notifications",
                         "ActionInvoked", "/org/freedesktop/Notifications", None,
                         Gio.DBusSignalFlags.NONE, on_action)
    if AppIndicator is not None:
        menu = Gtk.Menu()
        menu.append(menu_item("Say _Hello", lambda: notify("Hello")))
        more = Gtk.MenuItem.new_with_mnemonic("_More")
        submenu = Gtk.Menu()
        submenu.append(menu_item("Say _Goodbye", lambda: notify("Goodbye")))
        more.set_submenu(submenu)
        menu.append(more)
        menu.append(Gtk.SeparatorMenuItem())
        menu.append(menu_item("_Quit", Gtk.main_quit))
        menu.show_all()
        indicator = AppIndicator.Indicator.new("io.github.ewsnotifier.StandIn", "mail-unread",
                                               AppIndicator.IndicatorCategory.COMMUNICATIONS)
        indicator.set_title("Stand-in")
        indicator.set_status(AppIndicator.IndicatorStatus.ACTIVE)
        indicator.set_menu(menu)
    else:
        print("stand-in: no AyatanaAppIndicator3 typelib, no tray item", file=sys.stderr)
    Gtk.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
