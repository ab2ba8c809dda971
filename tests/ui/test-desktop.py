#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# SPDX-FileCopyrightText: The EWS Notifier authors
"""EWS Notifier on a headless desktop, as a person meets it: bob changes alice's calendar in the
simulator, and alice sees banners, the tray menu and the item's window.

Run inside the session: tests/ui/session.sh /usr/bin/python3 tests/ui/test-desktop.py
(EWS_NOTIFIER and EWS_SIMULATOR name the programs, UI_SCREENSHOT_DIR where screenshots go).
The app runs with TZ=UTC and LC_ALL=C.UTF-8, so the wording below is exact.
"""

import datetime
import os
import re
import signal
import subprocess
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from desktop import (ALICE, APP_ID, BOB, NOTIFY_NAME, Accessibility, DesktopTestCase, WaitTimeout,  # noqa: E402
                     hold, markup_text, name_has_owner, name_owner_pid, next_weekday, screenshot,
                     span, wait_for)

HOUR = datetime.timedelta(hours=1)
THURSDAY = 3

ACTIONS = ["default", "Open", "open-in-browser", "Open in Browser", "dismiss", "Dismiss"]
CATEGORY = "x-ews-notifier.calendar"
URGENCY_NORMAL = 1
BURST = 50
BURST_MAX_NOTIFY = 8  # a few banners before the burst is seen, then one summary updated in place
SUMMARY = re.compile(r"^(\d+) calendar changes?\b")
PAUSE_ENTRIES = ["For 1 Hour", "Until Tomorrow", "Resume"]


def in_menu(label, headline):
    """A menu line shows @headline, maybe shortened with an ellipsis."""
    return label == headline or (label.endswith("…") and headline.startswith(label[:-1]))


class Notifier(DesktopTestCase):
    """Each test has its own simulator, tray watcher and notifier signed in as alice. The
    simulator serves HTTPS: the app offers "Open in Browser" only for https links on the EWS
    host, and trusts the simulator's certificate through --ca-file."""

    def setUp(self):
        super().setUp()
        self.simulator = self.start_simulator(tls=True)
        self.bob = self.colleague(self.simulator)
        self.browser = self.install_browser()
        self.start_tray()
        self.app = self.start_app(self.simulator)
        self.app.wait_streaming()

    def meeting(self, subject, start, location="Room 1", hours=1):
        """bob puts a meeting in alice's calendar; returns its id and the expected headline."""
        item = self.bob.create_meeting(ALICE, subject, start, start + hours * HOUR, location)
        return item, f"New: {subject} on {span(start, start + hours * HOUR)}"

    def wait_banner(self, subject, since):
        return self.notifications.wait(lambda n: subject in n.summary, f"about {subject!r}", since)

    def test_meeting_banners(self):
        start = next_weekday(THURSDAY, 10)
        item, headline = self.meeting("Design review", start)

        created = self.wait_banner("Design review", self.mark)
        self.assertEqual(created.summary, headline)
        self.assertEqual(created.replaces_id, 0)
        text = markup_text(created.body)
        self.assertIn("By Bob", text)
        self.assertIn("Room 1", text)
        self.assertEqual(created.actions, ACTIONS)
        self.assertEqual(created.hints.get("desktop-entry"), APP_ID)
        self.assertEqual(created.hints.get("category"), CATEGORY)
        self.assertEqual(created.hints.get("urgency"), URGENCY_NORMAL)
        screenshot("notifications.png")

        self.bob.update(item, {"calendar:Start": start + HOUR, "calendar:End": start + 2 * HOUR})
        moved = self.notifications.wait(lambda n: "moved" in n.summary, "about the move", self.mark)
        self.assertEqual(moved.summary,
                         f"Design review moved to {span(start + HOUR, start + 2 * HOUR)} (was 10:00)")
        self.assertEqual(moved.actions, ACTIONS)
        self.assertIn("By Bob", markup_text(moved.body))
        # One banner per change: nothing before, between or instead of them.
        self.assertEqual([n.summary for n in self.notifications.since(self.mark)], [headline, moved.summary])

    def test_markup_in_server_text(self):
        subject = '<b>Budget</b> & "Q3"'
        location = "<i>Room</i> & 2"
        start = next_weekday(THURSDAY, 14)
        _, headline = self.meeting(subject, start, location=location)

        banner = self.wait_banner("Budget", self.mark)
        # The summary is plain text by the specification: the subject as it is.
        self.assertEqual(banner.summary, headline)
        # The body is markup where the server says so: the server's text escaped, never as tags.
        self.assertNotIn("<i>", banner.body)
        self.assertNotIn("<b>", banner.body)
        self.assertIn("&lt;i&gt;Room&lt;/i&gt; &amp; 2", banner.body)
        self.assertIn(location, markup_text(banner.body))

    def test_hung_notification_server(self):
        """A notification server that stops answering freezes nothing: each change still
        reaches the tray menu at once, and its notification goes out once the server
        answers again."""
        item = self.wait_tray_item(self.app)
        server = name_owner_pid(self.bus, NOTIFY_NAME)
        start = next_weekday(THURSDAY, 13)
        os.kill(server, signal.SIGSTOP)
        try:
            _item, first = self.meeting("While the server hangs", start)
            item.wait_entry(lambda e: in_menu(e.label, first), f"showing {first!r}", timeout=10)
            _item, second = self.meeting("Still hanging", start + 2 * HOUR)
            item.wait_entry(lambda e: in_menu(e.label, second), f"showing {second!r}", timeout=10)
        finally:
            os.kill(server, signal.SIGCONT)
        self.notifications.wait_summary(first, self.mark)
        self.notifications.wait_summary(second, self.mark)
        self.assertTrue(self.app.running())

    def test_quit_with_hung_notification_server(self):
        """Quitting does not wait for a notification server that does not answer."""
        item = self.wait_tray_item(self.app)
        server = name_owner_pid(self.bus, NOTIFY_NAME)
        os.kill(server, signal.SIGSTOP)
        try:
            _item, headline = self.meeting("Before quitting", next_weekday(THURSDAY, 15))
            item.wait_entry(lambda e: in_menu(e.label, headline), f"showing {headline!r}", timeout=10)
            self.app.process.popen.send_signal(signal.SIGTERM)
            self.assertEqual(self.app.process.wait_exit(10), 0)
        finally:
            os.kill(server, signal.SIGCONT)

    def test_burst_is_one_summary(self):
        start = next_weekday(THURSDAY, 8)
        for i in range(BURST):
            slot = start + i * HOUR / 4
            self.bob.create_meeting(ALICE, f"Slot {i + 1}", slot, slot + HOUR / 4, "Room 1")

        def split(calls):
            summaries = [n for n in calls if SUMMARY.match(n.summary)]
            return summaries, [n for n in calls if n not in summaries]

        def accounted():
            # The summary counts the whole burst, the first banners included.
            summaries, single = split(self.notifications.since(self.mark))
            return summaries and int(SUMMARY.match(summaries[-1].summary)[1]) == BURST
        try:
            wait_for(accounted, 60, f"a summary that accounts for all {BURST} changes")
        except WaitTimeout as error:
            summaries = [n.summary for n in self.notifications.since(self.mark)]
            raise AssertionError(f"{error}: {summaries}") from None
        # A summary refresh still due must update the same notification too, and keep the count.
        hold(lambda: False, 1.5)

        calls = self.notifications.since(self.mark)
        summaries, single = split(calls)
        self.assertLessEqual(len(calls), BURST_MAX_NOTIFY, [n.summary for n in calls])
        first = summaries[0]
        self.assertEqual(first.replaces_id, 0)
        for n in calls[calls.index(first) + 1:]:
            self.assertEqual(n.replaces_id, first.id, f"{n} does not update the summary {first.id}")
        counts = [int(SUMMARY.match(n.summary)[1]) for n in summaries]
        self.assertEqual(counts, sorted(counts), "the count goes back")
        self.assertEqual(counts[-1], BURST, [n.summary for n in calls])
        for n in single:
            self.assertTrue(n.summary.startswith("New: Slot "), n)
            self.assertLess(n.index, first.index, f"{n} comes after the summary")

        # The summary's click opens the list of every recent change.
        self.notifications.invoke(first.id, "default")
        Accessibility(self.app.pid).wait_window("Recent Changes")

    def test_default_action_opens_item(self):
        start = next_weekday(THURSDAY, 10)
        self.meeting("Design review", start)
        banner = self.wait_banner("Design review", self.mark)

        # The server hands the focus over with the click: an X11 startup id here.
        self.notifications.invoke(banner.id, "default", activation_token="ews-notifier-test_TIME4242")
        a11y = Accessibility(self.app.pid)
        window = a11y.wait_window("Design review")
        wanted = ("Design review", "Room 1", "10:00")

        def shown():
            texts = a11y.texts(window)
            return all(any(w in t for t in texts) for w in wanted)
        try:
            wait_for(shown, 10, "the item's subject, place and time in the window")
        finally:
            screenshot("item-window.png")
        self.assertTrue(shown(), f"labels: {a11y.texts(window)}")

        # The window took it: the app's windows carry the startup id, and the click's time
        # as their user time, which is what a window manager that prevents focus stealing
        # goes by.
        props = subprocess.run(["xprop", "-name", "Design review", "WM_CLIENT_LEADER", "_NET_WM_USER_TIME"],
                               capture_output=True, text=True, timeout=10).stdout
        self.assertIn("_NET_WM_USER_TIME(CARDINAL) = 4242", props)
        leader = re.search(r"WM_CLIENT_LEADER\(WINDOW\): window id # (0x[0-9a-f]+)", props)
        self.assertIsNotNone(leader, props)
        startup = subprocess.run(["xprop", "-id", leader[1], "_NET_STARTUP_ID"], capture_output=True, text=True,
                                 timeout=10).stdout
        self.assertIn('"ews-notifier-test_TIME4242"', startup)

    def test_open_in_browser(self):
        """"Open in Browser" opens the item's Outlook on the web page, on the EWS host over
        https, in the default browser, which gets the click's time to take the focus."""
        start = next_weekday(THURSDAY, 15)
        self.meeting("Roadmap", start)
        banner = self.wait_banner("Roadmap", self.mark)
        self.notifications.invoke(banner.id, "open-in-browser", activation_token="ews-notifier-test_TIME5151")

        def opened():
            try:
                with open(self.browser) as f:
                    return f.read().splitlines()
            except FileNotFoundError:
                return None
        lines = wait_for(opened, 20, "the browser to be given the item's page")
        self.assertEqual(len(lines), 1, lines)
        url, startup_id = lines[0].split(" ", 1)
        host = urllib.parse.urlsplit(self.simulator.url).netloc.split(":")[0]
        self.assertTrue(url.startswith(f"https://{host}"), url)
        self.assertIn("/owa/", url)
        self.assertIn("_TIME5151", startup_id)

    def test_tray_menu(self):
        item = self.wait_tray_item(self.app)
        props = item.properties()
        self.assertEqual(props.get("Id"), APP_ID)
        self.assertTrue(props.get("Title"))
        self.assertEqual(props.get("Status"), "Active")
        self.assertTrue(props.get("IconName"))

        item.wait_entry(lambda e: ALICE in e.label, f"naming {ALICE}")
        pause = item.find("Pause Notifications")
        self.assertIsNotNone(pause, "no Pause Notifications submenu")
        self.assertEqual([c.label for c in pause.children if c.visible], PAUSE_ENTRIES)
        for label in ("Preferences…", "Quit"):
            self.assertIsNotNone(item.find(label), f"no {label} entry")

        # A change: a banner, and a line among the recent changes. The menu changes in
        # place: the lines keep their ids, so a host with the menu open keeps it.
        before = {e.label: e.id for e in item.menu().walk() if e.visible and e.label}
        _, headline = self.meeting("Design review", next_weekday(THURSDAY, 10))
        self.wait_banner("Design review", self.mark)
        item.wait_entry(lambda e: in_menu(e.label, headline), f"showing {headline!r}")
        after = {e.label: e.id for e in item.menu().walk() if e.visible and e.label}
        for label in ("Preferences…", "Quit", "Pause Notifications"):
            self.assertEqual(after.get(label), before.get(label), f"the {label!r} line was made anew")

        # Paused: the change is listed, no banner comes.
        self.click_and_settle(item, "For 1 Hour")
        mark = self.notifications.mark()
        _, headline = self.meeting("Budget review", next_weekday(THURSDAY, 15))
        item.wait_entry(lambda e: in_menu(e.label, headline), f"showing {headline!r}")
        self.assertIsNone(hold(lambda: self.notifications.since(mark), 1.5), "a banner while paused")

        # Resumed: banners again.
        self.click_and_settle(item, "Resume")
        mark = self.notifications.mark()
        _, headline = self.meeting("Planning", next_weekday(THURSDAY, 16))
        self.assertEqual(self.wait_banner("Planning", mark).summary, headline)

        item.click("Quit")
        self.assertEqual(self.app.wait_exit(5), 0)
        wait_for(lambda: str(item) not in self.tray.items(), 5, "the tray item to go")

    def click_and_settle(self, item, label):
        """Clicks, then gives the app a moment to act, which shows as a new menu revision."""
        revision = item.layout()[0]
        item.click(label)
        try:
            wait_for(lambda: item.layout()[0] != revision, 3, f"the menu to change after {label!r}")
        except WaitTimeout:
            pass  # an app may act without changing its menu

    def test_second_instance(self):
        item = self.wait_tray_item(self.app)

        second = self.start_app(args=[], name="ews-notifier-second")
        self.assertEqual(second.wait_exit(15), 0)
        self.assertTrue(self.app.running(), "the first instance exited")
        self.assertTrue(name_has_owner(self.bus, APP_ID))
        self.assertEqual(name_owner_pid(self.bus, APP_ID), self.app.pid)
        self.assertEqual(self.tray.registrations(), [str(item)])
        self.assertEqual(list(self.tray.items()), [str(item)])


class ShortHistory(DesktopTestCase):
    """alice keeps the shortest history (10 changes) and sees every change on its own."""

    HISTORY_SIZE = 10

    def setUp(self):
        super().setUp()
        self.simulator = self.start_simulator(tls=True)
        self.bob = self.colleague(self.simulator)
        self.start_tray()
        env = self.app_env()
        env["G_MESSAGES_DEBUG"] += " ewn-application"
        env["GSETTINGS_BACKEND"] = "keyfile"
        settings = os.path.join(env["XDG_CONFIG_HOME"], "glib-2.0", "settings")
        os.makedirs(settings, exist_ok=True)
        with open(os.path.join(settings, "keyfile"), "w") as f:
            f.write(f"[io/github/ewsnotifier/EwsNotifier]\nhistory-size=uint32 {self.HISTORY_SIZE}\n"
                    "coalesce-seconds=uint32 0\nmax-notifications-per-minute=uint32 120\n")
        self.app = self.start_app(self.simulator, env=env)
        self.app.wait_streaming()

    def test_click_after_history_moved_on(self):
        """A notification still on screen opens its meeting after newer changes have pushed
        that change out of the history."""
        start = next_weekday(THURSDAY, 8)
        banners = []
        for i in range(self.HISTORY_SIZE + 2):
            slot = start + i * HOUR
            self.bob.create_meeting(ALICE, f"Slot {i + 1}", slot, slot + HOUR, f"Room {i + 1}")
            banners.append(self.notifications.wait(lambda n, s=f"Slot {i + 1} ": s in n.summary,
                                                   f"about Slot {i + 1}", self.mark))
        self.assertEqual(len({b.id for b in banners}), len(banners))

        self.notifications.invoke(banners[0].id, "default")
        a11y = Accessibility(self.app.pid)
        window = a11y.wait_window("Slot 1")
        wanted = ("Slot 1", "Room 1", "08:00")

        def shown():
            texts = a11y.texts(window)
            return all(any(w in t for t in texts) for w in wanted)
        wait_for(shown, 10, "the first meeting's subject, place and time in its window")
        # The history had let it go: the notifier still had it.
        output = self.app.process.output()
        self.assertRegex(output, r"change \d+ is no longer in the history: taken from its notification")
        self.assertNotIn("no longer kept", output)


class SharedMailbox(DesktopTestCase):
    """alice also watches bob's mailbox, on the same connection."""

    def setUp(self):
        super().setUp()
        self.simulator = self.start_simulator(tls=True)
        self.bob = self.colleague(self.simulator)
        self.start_tray()
        self.app = self.start_app(self.simulator, mailboxes=[BOB])
        self.app.wait_streaming()

    def test_burst_over_two_mailboxes(self):
        """A burst in both mailboxes is one summary that names neither, with the app's icon
        like every other notification."""
        start = next_weekday(THURSDAY, 8)
        for i in range(BURST):
            slot = start + i * HOUR / 4
            self.bob.create_meeting(ALICE if i % 2 else BOB, f"Slot {i + 1}", slot, slot + HOUR / 4, "Room 1")

        def summaries():
            return [n for n in self.notifications.since(self.mark) if SUMMARY.match(n.summary)]
        wait_for(lambda: summaries() and int(SUMMARY.match(summaries()[-1].summary)[1]) == BURST, 60,
                 f"a summary that accounts for all {BURST} changes")
        hold(lambda: False, 1.5)  # a refresh still due
        calls = self.notifications.since(self.mark)
        last = summaries()[-1]
        self.assertEqual(last.summary, f"{BURST} calendar changes", [n.summary for n in calls])
        # A summary names a mailbox only while every change it counts is in that one: the
        # pages of the two mailboxes may come in either order.
        singles = [n for n in calls if not SUMMARY.match(n.summary)]
        for n in summaries():
            if " in " in n.summary:
                mailbox = n.summary.split(" in ", 1)[1]
                for single in singles:
                    if single.index < n.index:
                        self.assertIn(f"In the calendar of {mailbox}", single.body,
                                      f"{n.summary!r} after {single}")
        self.assertTrue(calls[0].icon, calls[0])
        for n in calls:
            self.assertEqual(n.icon, calls[0].icon, f"{n} has another icon")
        self.assertTrue(self.app.running(), self.app.process.describe())


if __name__ == "__main__":
    unittest.main(verbosity=2)
