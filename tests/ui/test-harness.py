#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# SPDX-FileCopyrightText: The EWS Notifier authors
"""The desktop harness on its own, without EWS Notifier: the simulator driven over EWS, the
notification server's records, the tray watcher and AT-SPI against a stand-in application.
When these pass and test-desktop.py fails, the application is at fault.

Run inside the session: tests/ui/session.sh /usr/bin/python3 tests/ui/test-harness.py
(EWS_SIMULATOR names the ews-simulator program).
"""

import datetime
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from desktop import (ALICE, ALICE_PASSWORD, HERE, NOTIFY_NAME, NOTIFY_PATH, PYTHON,  # noqa: E402
                     Accessibility, DesktopTestCase, EwsError, GLib, dbus_call, markup_text,
                     next_weekday, screenshot, strip_mnemonic, wait_for)

HOUR = datetime.timedelta(hours=1)


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


class Harness(DesktopTestCase):
    def test_session(self):
        self.assertTrue(os.environ.get("DISPLAY"))
        self.assertNotIn("NO_AT_BRIDGE", os.environ)
        runtime = os.environ["XDG_RUNTIME_DIR"]
        self.assertEqual(os.stat(runtime).st_mode & 0o777, 0o700)
        self.assertTrue(os.environ["HOME"].startswith(os.environ["UI_SESSION_DIR"]))
        self.assertTrue(os.path.exists(os.environ["UI_NOTIFY_LOG"]))

    def test_simulator_round_trip(self):
        for tls in (False, True):
            with self.subTest(tls=tls):
                self.round_trip(self.start_simulator(keepalive=1, tls=tls))

    def round_trip(self, simulator):
        self.assertTrue(simulator.url.startswith("https://" if simulator.certificate else "http://"))
        bob = self.colleague(simulator)
        alice = self.colleague(simulator, "alice", ALICE_PASSWORD)
        start = next_weekday(3, 10)

        item = bob.create_meeting(ALICE, 'Design <review> & "more"', start, start + HOUR, "Room 1")
        fields = alice.get_item(item)
        self.assertEqual(fields["kind"], "CalendarItem")
        self.assertEqual(fields["Subject"], 'Design <review> & "more"')
        self.assertEqual(fields["Location"], "Room 1")
        self.assertEqual(parse_time(fields["Start"]), start)
        self.assertEqual(parse_time(fields["End"]), start + HOUR)
        self.assertEqual(fields.get("Organizer"), "Bob")

        bob.update(item, {"calendar:Start": start + HOUR, "calendar:End": start + 2 * HOUR})
        fields = alice.get_item(item)
        self.assertEqual(parse_time(fields["Start"]), start + HOUR)
        self.assertEqual(parse_time(fields["End"]), start + 2 * HOUR)

        task = bob.create_task(ALICE, "Write the minutes", due=start + 24 * HOUR)
        self.assertEqual(alice.get_item(task)["kind"], "Task")
        self.assertEqual(alice.get_item(task)["Subject"], "Write the minutes")

        bob.delete(item)
        with self.assertRaisesRegex(EwsError, "ErrorItemNotFound"):
            alice.get_item(item)

    def test_notification_records(self):
        caps = dbus_call(self.bus, NOTIFY_NAME, NOTIFY_PATH, NOTIFY_NAME, "GetCapabilities", None, "(as)")[0]
        for cap in ("actions", "body", "body-markup", "persistence"):
            self.assertIn(cap, caps)

        def notify(summary, replaces=0):
            return dbus_call(self.bus, NOTIFY_NAME, NOTIFY_PATH, NOTIFY_NAME, "Notify",
                             GLib.Variant("(susssasa{sv}i)", ("harness", replaces, "", summary, "b&amp;dy",
                                                              ["default", "Open"],
                                                              {"urgency": GLib.Variant("y", 1)}, -1)),
                             "(u)")[0]

        first = notify("one")
        again = notify("one again", replaces=first)
        second = notify("two")
        self.assertEqual(again, first)
        calls = self.notifications.since(self.mark)
        self.assertEqual([(n.summary, n.id, n.replaces_id) for n in calls],
                         [("one", first, 0), ("one again", first, first), ("two", second, 0)])
        self.assertEqual(calls[0].actions, ["default", "Open"])
        self.assertEqual(calls[0].hints, {"urgency": 1})
        self.assertEqual(markup_text(calls[0].body), "b&dy")
        with self.assertRaises(AssertionError):
            markup_text("a <b>raw</b> & ampersand")
        self.assertIn('"one again"', self.notifications.log())

    def test_mnemonics(self):
        self.assertEqual(strip_mnemonic("_Quit"), "Quit")
        self.assertEqual(strip_mnemonic("For 1 _Hour"), "For 1 Hour")
        self.assertEqual(strip_mnemonic("snake__case_"), "snake_case_")

    def test_stand_in_application(self):
        tray = self.start_tray()
        app = self.start_app(args=[os.path.join(HERE, "stand-in.py"), "Stand-in window", "First label",
                                   "Room 1"], exe=PYTHON, name="stand-in")

        item = self.wait_tray_item(app)
        props = item.properties()
        self.assertEqual(props["Id"], "io.github.ewsnotifier.StandIn")
        self.assertEqual(props["Status"], "Active")
        self.assertEqual(props["Title"], "Stand-in")
        self.assertEqual(props["IconName"], "mail-unread")
        menu = item.menu()
        self.assertEqual([e.label for e in menu.children if e.visible and e.label],
                         ["Say Hello", "More", "Quit"])
        self.assertEqual([e.label for e in item.find("More").children], ["Say Goodbye"])

        a11y = Accessibility(app.pid)
        window = a11y.wait_window("Stand-in window")
        self.assertEqual(a11y.texts(window), ["First label", "Room 1"])

        mark = self.notifications.mark()
        item.click("Say Goodbye")
        goodbye = self.notifications.wait_summary("Goodbye", since=mark)
        self.assertEqual(goodbye.actions, ["default", "Open"])
        self.assertEqual(markup_text(goodbye.body), "from the stand-in")

        self.notifications.invoke(goodbye.id, "default")
        a11y.wait_window(f"Action default on {goodbye.id}")
        path = screenshot("harness.png")
        if path is not None:
            self.assertGreater(os.path.getsize(path), 0)

        item.click("Quit")
        self.assertEqual(app.wait_exit(10), 0)
        wait_for(lambda: str(item) not in tray.items(), 5, "the watcher to forget the item")
        self.assertEqual(tray.events(), [f"registered {item}", f"unregistered {item}"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
