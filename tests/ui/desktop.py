# SPDX-License-Identifier: GPL-3.0-or-later
# SPDX-FileCopyrightText: The EWS Notifier authors
"""Helpers for the desktop tests, which run inside tests/ui/session.sh with /usr/bin/python3.

What a person sees of EWS Notifier, seen from the outside: the notification server's record of
Notify calls, the tray item through a StatusNotifierWatcher and its dbusmenu, the windows through
AT-SPI, and screenshots. Changes come from a colleague editing the simulator's mailboxes over
EWS, as Outlook would. Every wait polls against a deadline; every process started here is
stopped by the test that started it, and dies with this process if the test runner is killed.
"""

import base64
import ctypes
import dataclasses
import datetime
import http.client
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import warnings
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

from gi.repository import Gio, GLib

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3"
APP_ID = "io.github.ewsnotifier.EwsNotifier"

ALICE = "alice@example.com"
ALICE_PASSWORD = "Alice's s3cret"
BOB = "bob@example.com"
BOB_PASSWORD = "Bob's s3cret"

NS = {
    "soap": "http://schemas.xmlsoap.org/soap/envelope/",
    "m": "http://schemas.microsoft.com/exchange/services/2006/messages",
    "t": "http://schemas.microsoft.com/exchange/services/2006/types",
}

# Slow machines (valgrind, a parallel build) can stretch every deadline.
SCALE = float(os.environ.get("UI_TIMEOUT_SCALE", "1"))
POLL = 0.05


class WaitTimeout(AssertionError):
    pass


def wait_for(predicate, timeout, what):
    """Polls @predicate until it returns something true and returns that, or fails after
    @timeout seconds (scaled by UI_TIMEOUT_SCALE), naming @what."""
    deadline = time.monotonic() + timeout * SCALE
    last_error = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except GLib.Error as error:  # a peer that is not there yet
            last_error = error
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_error.message})" if last_error else ""
            raise WaitTimeout(f"timed out after {timeout * SCALE:g} s waiting for {what}{detail}")
        time.sleep(POLL)


def hold(predicate, duration):
    """Checks for @duration seconds that @predicate stays false; returns the first true value
    it returned instead, or None. For "nothing happens" checks, after a positive barrier."""
    deadline = time.monotonic() + duration
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(POLL)
    return None


# A runner killed mid-test leaves no program behind: each gets SIGTERM when this process dies
# (PR_SET_PDEATHSIG, kept across exec). setpriv sets it without running Python code between fork
# and exec, which is not safe once GDBus has its threads.
SETPRIV = shutil.which("setpriv")


def _die_with_parent():
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)


def _spawn(argv, **kwargs):
    if SETPRIV:
        return subprocess.Popen([SETPRIV, "--pdeathsig", "TERM", "--"] + argv, **kwargs)
    return subprocess.Popen(argv, preexec_fn=_die_with_parent, **kwargs)


def session_dir():
    path = os.environ.get("UI_SESSION_DIR")
    if not path:
        raise unittest.SkipTest("not inside tests/ui/session.sh")
    return path


# ---- processes ----

class Process:
    """A program with its output in files, for diagnostics; stop() is idempotent."""

    def __init__(self, name, argv, log_dir, env=None, stdin=subprocess.DEVNULL):
        self.name = name
        self.argv = [str(a) for a in argv]
        self.stderr_path = os.path.join(log_dir, f"{name}.stderr")
        self.stdout_path = os.path.join(log_dir, f"{name}.stdout")
        with open(self.stderr_path, "wb") as err, open(self.stdout_path, "wb") as out:
            self.popen = _spawn(self.argv, env=env, stdin=stdin, stdout=out, stderr=err)
        self.pid = self.popen.pid

    @property
    def returncode(self):
        return self.popen.poll()

    def running(self):
        return self.popen.poll() is None

    def wait_exit(self, timeout):
        """Returns the exit status, or fails if the program is still running after @timeout."""
        try:
            return self.popen.wait(timeout * SCALE)
        except subprocess.TimeoutExpired:
            raise WaitTimeout(f"{self.name} still running after {timeout * SCALE:g} s") from None

    def stop(self, timeout=5):
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        if self.popen.stdin is not None:
            self.popen.stdin.close()

    def stderr(self):
        return _read(self.stderr_path)

    def output(self):
        """Standard output and error, one after the other."""
        return _read(self.stdout_path) + _read(self.stderr_path)

    def describe(self, tail=6000):
        status = "running" if self.running() else f"exited with {self.returncode}"
        text = [f"--- {self.name} (pid {self.pid}, {status}): {' '.join(self.argv)}"]
        for label, path in (("stdout", self.stdout_path), ("stderr", self.stderr_path)):
            content = _read(path)
            if content:
                text.append(f"    {label}:" + ("\n[…]" if len(content) > tail else ""))
                text.append(content[-tail:].rstrip())
        return "\n".join(text)


def _read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


# ---- D-Bus ----

def session_bus():
    return Gio.bus_get_sync(Gio.BusType.SESSION, None)


def dbus_call(bus, dest, path, iface, method, args=None, reply=None, timeout=5):
    result = bus.call_sync(dest, path, iface, method, args,
                           GLib.VariantType(reply) if reply else None,
                           Gio.DBusCallFlags.NO_AUTO_START, int(timeout * 1000 * SCALE), None)
    return result.unpack() if result is not None else ()


def name_has_owner(bus, name):
    return dbus_call(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                     "NameHasOwner", GLib.Variant("(s)", (name,)), "(b)")[0]


def name_owner_pid(bus, name):
    return dbus_call(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                     "GetConnectionUnixProcessID", GLib.Variant("(s)", (name,)), "(u)")[0]


# ---- the simulator and a colleague ----

class Simulator:
    """`ews-simulator --port 0` with alice and bob; the EWS URL is in .url. With @tls it serves
    HTTPS with a certificate of its own, in the PEM file .certificate (else None)."""

    def __init__(self, log_dir, keepalive=None, tls=False, exe=None, port=0, users=None, kerberos=False, ntlm=False):
        exe = exe or os.environ.get("EWS_SIMULATOR")
        if not exe:
            raise unittest.SkipTest("EWS_SIMULATOR is not set")
        argv = [exe, "--port", str(port)]
        for user, password in users or [("alice", ALICE_PASSWORD), ("bob", BOB_PASSWORD)]:
            argv += ["--user", f"{user}:{password}"]
        if keepalive:
            argv += ["--keepalive", str(keepalive)]
        if tls:
            argv.append("--tls")
        if kerberos:
            argv.append("--kerberos")
        env = None
        if ntlm:
            argv.append("--ntlm")
            # Its debug log says which sign-ins it refused.
            env = dict(os.environ, G_MESSAGES_DEBUG="ews-simulator")
        self.process = Process("ews-simulator", argv, log_dir, env=env)
        count = 1 + (1 if tls else 0) + (2 if kerberos else 0)
        try:
            lines = wait_for(lambda: self._first_lines(count), 20, "the simulator's url= line")
        except BaseException:
            self.process.stop()
            raise
        self.url = self._value(lines[0], "url")
        self.certificate = self._value(lines[1], "certificate") if tls else None
        # With Kerberos, its realm: what a client's environment needs, the first user's ticket cache.
        self.krb5_config = self._value(lines[count - 2], "KRB5_CONFIG") if kerberos else None
        self.krb5_cache = self._value(lines[count - 1], "KRB5CCNAME") if kerberos else None

    def _first_lines(self, count):
        # Its output goes to a file: no pipe to drain, ever.
        lines = _read(self.process.stdout_path).split("\n")
        if len(lines) > count:
            return lines[:count]
        if not self.process.running():
            raise AssertionError("the simulator exited before its url= line\n" + self.process.describe())
        return None

    def _value(self, line, key):
        if not line.startswith(f"{key}="):
            raise AssertionError(f"the simulator printed {line!r}, not {key}=…\n" + self.process.describe())
        return line[len(key) + 1:]

    def stop(self):
        self.process.stop()


class EwsError(AssertionError):
    pass


def ews_time(value):
    return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Colleague:
    """Someone editing mailboxes over EWS with Basic auth, one request per change: the same
    requests as tests/simulator/ews-sim-colleague.c sends."""

    def __init__(self, url, user, password):
        self.url = urllib.parse.urlsplit(url)
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        self.headers = {"Authorization": f"Basic {token}",
                        "Content-Type": "text/xml; charset=utf-8"}
        self.connection = None

    def _connect(self):
        if self.url.scheme == "https":
            # Like the simulator's own colleague, it trusts any certificate: only ever point it
            # at the simulator.
            return http.client.HTTPSConnection(self.url.hostname, self.url.port, timeout=30 * SCALE,
                                               context=ssl._create_unverified_context())
        return http.client.HTTPConnection(self.url.hostname, self.url.port, timeout=30 * SCALE)

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def post(self, body):
        """POSTs one SOAP request; returns the first ResponseMessage, or raises EwsError."""
        envelope = ('<?xml version="1.0" encoding="utf-8"?>'
                    f'<soap:Envelope xmlns:soap="{NS["soap"]}" xmlns:m="{NS["m"]}" xmlns:t="{NS["t"]}">'
                    '<soap:Header><t:RequestServerVersion Version="Exchange2013_SP1"/></soap:Header>'
                    f'<soap:Body>{body}</soap:Body></soap:Envelope>').encode()
        for attempt in (1, 2):  # a kept-alive connection the server closed gets one retry
            if self.connection is None:
                self.connection = self._connect()
            try:
                self.connection.request("POST", self.url.path, envelope, self.headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.close()
                if attempt == 2:
                    raise
        try:
            root = ET.fromstring(data)
        except ET.ParseError:
            raise EwsError(f"HTTP {response.status} without a SOAP answer: {data[:300]!r}") from None
        fault = root.find("soap:Body/soap:Fault", NS)
        if fault is not None:
            raise EwsError(f"SOAP fault: {ET.tostring(fault, encoding='unicode')[:500]}")
        message = root.find("soap:Body/*/m:ResponseMessages/*", NS)
        if message is None:
            raise EwsError(f"no ResponseMessage in {data[:500]!r}")
        if message.get("ResponseClass") != "Success":
            raise EwsError(f"{message.findtext('m:ResponseCode', '', NS)}: "
                           f"{message.findtext('m:MessageText', '', NS)}")
        return message

    @staticmethod
    def _text(element, text):
        return f"<t:{element}>{escape(text)}</t:{element}>"

    @staticmethod
    def _folder(container, distinguished, mailbox):
        inner = f"<t:Mailbox><t:EmailAddress>{escape(mailbox)}</t:EmailAddress></t:Mailbox>" if mailbox else ""
        return (f'<m:{container}><t:DistinguishedFolderId Id="{distinguished}">{inner}'
                f"</t:DistinguishedFolderId></m:{container}>")

    @staticmethod
    def _new_id(message):
        item_id = message.find("m:Items/*/t:ItemId", NS)
        if item_id is None or not item_id.get("Id"):
            raise EwsError("the answer carries no ItemId")
        return item_id.get("Id")

    def create_meeting(self, mailbox, subject, start, end, location=None):
        """A meeting in @mailbox's calendar, no invitations sent; returns its ItemId."""
        body = ['<m:CreateItem SendMeetingInvitations="SendToNone">',
                self._folder("SavedItemFolderId", "calendar", mailbox),
                "<m:Items><t:CalendarItem>", self._text("Subject", subject),
                '<t:Body BodyType="Text">Let\'s meet to go through the open points.</t:Body>',
                self._text("Start", ews_time(start)), self._text("End", ews_time(end))]
        if location is not None:
            body.append(self._text("Location", location))
        if mailbox:
            body.append("<t:RequiredAttendees><t:Attendee><t:Mailbox>"
                        f"{self._text('EmailAddress', mailbox)}</t:Mailbox></t:Attendee></t:RequiredAttendees>")
        body.append("</t:CalendarItem></m:Items></m:CreateItem>")
        return self._new_id(self.post("".join(body)))

    def create_task(self, mailbox, subject, due=None):
        """A task in @mailbox's task list; returns its ItemId."""
        body = ["<m:CreateItem>", self._folder("SavedItemFolderId", "tasks", mailbox),
                "<m:Items><t:Task>", self._text("Subject", subject)]
        if due is not None:
            body.append(self._text("DueDate", ews_time(due)))
        body.append(self._text("Status", "NotStarted"))
        body.append("</t:Task></m:Items></m:CreateItem>")
        return self._new_id(self.post("".join(body)))

    def update(self, item_id, fields):
        """Sets fields in one UpdateItem: {"calendar:Start": datetime or text, …}; a value of
        None deletes the field."""
        updates = []
        for uri, value in fields.items():
            name = uri.split(":", 1)[1]
            element = {"calendar": "CalendarItem", "task": "Task"}.get(uri.split(":", 1)[0], "Item")
            if value is None:
                updates.append(f'<t:DeleteItemField><t:FieldURI FieldURI="{uri}"/></t:DeleteItemField>')
                continue
            if isinstance(value, datetime.datetime):
                value = ews_time(value)
            open_tag = '<t:Body BodyType="Text">' if name == "Body" else f"<t:{name}>"
            updates.append(f'<t:SetItemField><t:FieldURI FieldURI="{uri}"/><t:{element}>'
                           f"{open_tag}{escape(str(value))}</t:{name}></t:{element}></t:SetItemField>")
        self.post('<m:UpdateItem ConflictResolution="AlwaysOverwrite" '
                  'SendMeetingInvitationsOrCancellations="SendToNone">'
                  f'<m:ItemChanges><t:ItemChange><t:ItemId Id="{escape(item_id)}"/>'
                  f"<t:Updates>{''.join(updates)}</t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>")

    def delete(self, item_id):
        self.post('<m:DeleteItem DeleteType="HardDelete" SendMeetingCancellations="SendToNone" '
                  'AffectedTaskOccurrences="AllOccurrences">'
                  f'<m:ItemIds><t:ItemId Id="{escape(item_id)}"/></m:ItemIds></m:DeleteItem>')

    def get_item(self, item_id):
        """The item's fields as {local name: text}, e.g. Subject, Start, Location; Organizer is
        the organiser's name. Raises EwsError (ErrorItemNotFound…) when it is gone."""
        message = self.post("<m:GetItem><m:ItemShape><t:BaseShape>AllProperties</t:BaseShape>"
                            f'</m:ItemShape><m:ItemIds><t:ItemId Id="{escape(item_id)}"/></m:ItemIds></m:GetItem>')
        item = message.find("m:Items/*", NS)
        if item is None:
            raise EwsError("GetItem answered no item")
        fields = {"kind": item.tag.split("}")[1]}
        for child in item:
            name = child.tag.split("}")[1]
            fields[name] = child.get("Id") if name == "ItemId" else (child.text or "")
        organizer = item.find("t:Organizer/t:Mailbox/t:Name", NS)
        if organizer is not None:
            fields["Organizer"] = organizer.text
        return fields


# ---- notifications (python-dbusmock's notification_daemon) ----

NOTIFY_PATH = "/org/freedesktop/Notifications"
NOTIFY_NAME = "org.freedesktop.Notifications"


@dataclasses.dataclass
class Notification:
    index: int  # position among all Notify calls of the session
    id: int  # what the server answered
    time: float
    app_name: str
    replaces_id: int
    icon: str
    summary: str
    body: str
    actions: list
    hints: dict
    timeout: int

    @property
    def action_keys(self):
        return self.actions[0::2]

    def __str__(self):
        return (f"#{self.index} id={self.id} replaces={self.replaces_id} summary={self.summary!r} "
                f"body={self.body!r} actions={self.actions} hints={self.hints}")


class Notifications:
    """The Notify calls the mock recorded. The mock numbers notifications from 1 and keeps
    every call, so the id each call got can be worked out from the list."""

    def __init__(self, bus):
        self.bus = bus
        self.log_path = os.environ.get("UI_NOTIFY_LOG", "")

    def all(self):
        calls = dbus_call(self.bus, NOTIFY_NAME, NOTIFY_PATH, "org.freedesktop.DBus.Mock",
                          "GetCalls", None, "(a(tsav))")[0]
        result = []
        next_id = 1
        for when, method, args in calls:
            if method != "Notify":
                continue
            app_name, replaces_id, icon, summary, body, actions, hints, timeout = args
            if replaces_id:
                given = replaces_id
            else:
                given, next_id = next_id, next_id + 1
            result.append(Notification(len(result), given, when, app_name, replaces_id, icon,
                                       summary, body, list(actions), dict(hints), timeout))
        return result

    def mark(self):
        """A position to look from: since(mark) is what came after it."""
        return len(self.all())

    def since(self, mark):
        return self.all()[mark:]

    def wait(self, predicate, what, since=0, timeout=20):
        """The first Notify call after @since that @predicate accepts."""
        def find():
            return next((n for n in self.since(since) if predicate(n)), None)
        return wait_for(find, timeout, f"a notification {what}")

    def wait_summary(self, summary, since=0, timeout=20):
        return self.wait(lambda n: n.summary == summary, f"with the summary {summary!r}", since, timeout)

    def invoke(self, notification_id, action, activation_token=None):
        """What a click does: the server emits ActionInvoked(id, action), after
        ActivationToken(id, token) when it hands the focus over (notification spec 1.2)."""
        if activation_token is not None:
            dbus_call(self.bus, NOTIFY_NAME, NOTIFY_PATH, "org.freedesktop.DBus.Mock", "EmitSignal",
                      GLib.Variant("(sssav)", (NOTIFY_NAME, "ActivationToken", "us",
                                               [GLib.Variant("u", notification_id),
                                                GLib.Variant("s", activation_token)])))
        dbus_call(self.bus, NOTIFY_NAME, NOTIFY_PATH, "org.freedesktop.DBus.Mock", "EmitSignal",
                  GLib.Variant("(sssav)", (NOTIFY_NAME, "ActionInvoked", "us",
                                           [GLib.Variant("u", notification_id), GLib.Variant("s", action)])))

    def close(self, notification_id, reason=2):
        """What dismissing it does: NotificationClosed(id, reason); 2 = dismissed by the user."""
        dbus_call(self.bus, NOTIFY_NAME, NOTIFY_PATH, "org.freedesktop.DBus.Mock", "EmitSignal",
                  GLib.Variant("(sssav)", (NOTIFY_NAME, "NotificationClosed", "uu",
                                           [GLib.Variant("u", notification_id), GLib.Variant("u", reason)])))

    def log(self):
        return _read(self.log_path)


def markup_text(body):
    """The text a server showing body markup would show, or raises AssertionError when @body
    is not well-formed markup (a raw '<' or '&' from the server's data)."""
    try:
        return "".join(ET.fromstring(f"<body>{body}</body>").itertext())
    except ET.ParseError as error:
        raise AssertionError(f"the body is not valid markup ({error}): {body!r}") from None


# ---- the tray: a StatusNotifierWatcher and the item's dbusmenu ----

def strip_mnemonic(label):
    """'_Quit' → 'Quit', 'a__b' → 'a_b'."""
    return re.sub(r"_(.)", r"\1", label or "")


@dataclasses.dataclass
class MenuEntry:
    id: int
    label: str  # without mnemonics
    props: dict
    children: list
    parent: "MenuEntry" = None

    @property
    def visible(self):
        return self.props.get("visible", True)

    @property
    def enabled(self):
        return self.props.get("enabled", True)

    @property
    def is_submenu(self):
        return self.props.get("children-display") == "submenu" or bool(self.children)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def child(self, label):
        return next((c for c in self.children if c.label == label and c.visible), None)

    def outline(self, depth=0):
        lines = []
        for child in self.children:
            if not child.visible:
                continue
            kind = child.props.get("type", "standard")
            text = "---" if kind == "separator" else child.label
            lines.append("  " * depth + f"[{child.id}] {text}")
            lines += child.outline(depth + 1)
        return lines


def _menu_tree(node, parent=None):
    item_id, props, children = node
    entry = MenuEntry(item_id, strip_mnemonic(props.get("label", "")), dict(props), [], parent)
    entry.children = [_menu_tree(c, entry) for c in children]
    return entry


class TrayItem:
    def __init__(self, bus, bus_name, path):
        self.bus = bus
        self.bus_name = bus_name
        self.path = path

    def __str__(self):
        return self.bus_name + self.path

    def owner_pid(self):
        return name_owner_pid(self.bus, self.bus_name)

    def properties(self):
        return dbus_call(self.bus, self.bus_name, self.path, "org.freedesktop.DBus.Properties",
                         "GetAll", GLib.Variant("(s)", ("org.kde.StatusNotifierItem",)), "(a{sv})")[0]

    def menu_path(self):
        return self.properties()["Menu"]

    def layout(self):
        """(revision, root MenuEntry) of the whole menu."""
        revision, root = dbus_call(self.bus, self.bus_name, self.menu_path(), "com.canonical.dbusmenu",
                                   "GetLayout", GLib.Variant("(iias)", (0, -1, [])), "(u(ia{sv}av))")
        return revision, _menu_tree(root)

    def menu(self):
        return self.layout()[1]

    def labels(self):
        return [e.label for e in self.menu().walk() if e.visible and e.label]

    def find(self, label, root=None):
        root = root or self.menu()
        return next((e for e in root.walk() if e.label == label and e.visible), None)

    def wait_entry(self, predicate, what, timeout=20):
        """The first visible menu entry that @predicate accepts, polling the layout."""
        def find():
            return next((e for e in self.menu().walk() if e.visible and e.label and predicate(e)), None)
        try:
            return wait_for(find, timeout, f"a menu entry {what}")
        except WaitTimeout as error:
            raise WaitTimeout(f"{error}; the menu is:\n" + "\n".join(self.menu().outline())) from None

    def click(self, label):
        """Activates the entry labelled @label (mnemonics stripped), as a tray host does: opens
        the menus on the way (AboutToShow), then sends Event(id, "clicked")."""
        menu_path = self.menu_path()
        entry = self.find(label)
        if entry is None:
            outline = "\n".join(self.menu().outline())
            raise AssertionError(f"no menu entry {label!r}; the menu is:\n{outline}")
        if not entry.enabled:
            raise AssertionError(f"the menu entry {label!r} is disabled")
        chain = []
        parent = entry.parent
        while parent is not None:
            chain.insert(0, parent.id)
            parent = parent.parent
        for item_id in chain:
            dbus_call(self.bus, self.bus_name, menu_path, "com.canonical.dbusmenu", "AboutToShow",
                      GLib.Variant("(i)", (item_id,)), "(b)")
        timestamp = int(time.time()) & 0xFFFFFFFF
        dbus_call(self.bus, self.bus_name, menu_path, "com.canonical.dbusmenu", "Event",
                  GLib.Variant("(isvu)", (entry.id, "clicked", GLib.Variant("i", 0), timestamp)))
        return entry


class Tray:
    """tests/ui/sni-watcher.py, started for one test."""

    NAME = "org.kde.StatusNotifierWatcher"
    PATH = "/StatusNotifierWatcher"

    def __init__(self, bus, log_dir):
        self.bus = bus
        self.log_path = os.path.join(log_dir, "sni-watcher.log")
        if name_has_owner(bus, self.NAME):
            raise AssertionError("another StatusNotifierWatcher is on the bus")
        self.process = Process("sni-watcher", [PYTHON, os.path.join(HERE, "sni-watcher.py"),
                                               "--log", self.log_path], log_dir)
        try:
            wait_for(lambda: not self.process.running() or name_has_owner(bus, self.NAME), 15,
                     "the StatusNotifierWatcher")
            if not self.process.running():
                raise AssertionError("the watcher exited\n" + self.process.describe())
        except BaseException:
            self.process.stop()
            raise

    def stop(self):
        self.process.stop()

    def items(self):
        return dbus_call(self.bus, self.NAME, self.PATH, "org.freedesktop.DBus.Properties", "Get",
                         GLib.Variant("(ss)", (self.NAME, "RegisteredStatusNotifierItems")), "(v)")[0]

    def events(self):
        """The watcher's log: ["registered :1.5/org/…", "unregistered …", …]."""
        return _read(self.log_path).splitlines()

    def registrations(self):
        return [line.split(" ", 1)[1] for line in self.events() if line.startswith("registered ")]

    def wait_item(self, pid=None, timeout=20):
        """The registered item, the one whose owner is process @pid when given."""
        def find():
            for item in self.items():
                slash = item.find("/")
                bus_name, path = item[:slash], item[slash:]
                if pid is None or name_owner_pid(self.bus, bus_name) == pid:
                    return TrayItem(self.bus, bus_name, path)
            return None
        return wait_for(find, timeout, "a tray item" + (f" of process {pid}" if pid else ""))


# ---- windows, through AT-SPI ----

class Accessibility:
    """The accessibility tree of one process."""

    def __init__(self, pid):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ImportWarning)  # from gi's importer, harmless
                import pyatspi
        except ImportError:
            raise unittest.SkipTest("python3-pyatspi is not installed") from None
        self.pyatspi = pyatspi
        self.pid = pid

    def application(self):
        desktop = self.pyatspi.Registry.getDesktop(0)
        for i in range(desktop.childCount):
            try:
                app = desktop.getChildAtIndex(i)
                if app is not None and app.get_process_id() == self.pid:
                    return app
            except GLib.Error:
                continue  # an application that is going away
        return None

    def windows(self):
        """The application's top-level windows; one closing at this moment is left out
        (AT-SPI then hands back None, or an error, for it)."""
        app = self.application()
        if app is None:
            return []
        found = []
        for i in range(app.childCount):
            try:
                window = app.getChildAtIndex(i)
            except GLib.Error:
                continue
            if window is not None:
                found.append(window)
        return found

    def window_names(self):
        names = []
        for window in self.windows():
            try:
                names.append(f"{window.getRoleName()} {window.name!r}")
            except GLib.Error:
                pass
        return names

    def wait_window(self, name, roles=("frame", "dialog"), timeout=20):
        """The top-level window titled @name, once it is showing."""
        def find():
            for window in self.windows():
                try:
                    if (window.name == name and window.getRoleName() in roles
                            and window.getState().contains(self.pyatspi.STATE_SHOWING)):
                        return window
                except GLib.Error:
                    continue
            return None
        try:
            return wait_for(find, timeout, f"a window {name!r}")
        except WaitTimeout as error:
            raise WaitTimeout(f"{error}; windows: {self.window_names()}") from None

    def find(self, accessible, role, name=None, showing=True, limit=3000):
        """The first descendant of @accessible with @role (and @name when given), or None."""
        stack = [accessible]
        seen = 0
        while stack and seen < limit:
            node = stack.pop()
            seen += 1
            if node is None:  # a child going away as it is listed
                continue
            try:
                if (node.getRoleName() == role and (name is None or node.name == name)
                        and (not showing or node.getState().contains(self.pyatspi.STATE_SHOWING))):
                    return node
                stack.extend(node.getChildAtIndex(i) for i in reversed(range(node.childCount)))
            except GLib.Error:
                continue
        return None

    def wait_find(self, accessible, role, name=None, timeout=20):
        try:
            return wait_for(lambda: self.find(accessible, role, name), timeout, f"a {role} {name!r}")
        except WaitTimeout as error:
            raise WaitTimeout(f"{error}; labels: {self.texts(accessible)}") from None

    def set_text(self, accessible, text):
        """Replaces an entry's text, as typing would (the entry's changed signal runs)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            editable = accessible.queryEditableText()
        editable.setTextContents(text)

    def press(self, accessible):
        """Clicks a button through its first action."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            action = accessible.queryAction()
        action.doAction(0)

    def texts(self, accessible, roles=("label",), limit=2000):
        """The names (for a label, its text) of the descendants with one of @roles."""
        found = []
        stack = [accessible]
        seen = 0
        while stack and seen < limit:
            node = stack.pop()
            seen += 1
            if node is None:  # a child going away as it is listed
                continue
            try:
                if node.getRoleName() in roles:
                    text = node.name
                    if not text:
                        try:
                            with warnings.catch_warnings():  # pyatspi's own use of old API
                                warnings.simplefilter("ignore", DeprecationWarning)
                                text = node.queryText().getText(0, -1)
                        except NotImplementedError:
                            text = ""
                    found.append(text)
                stack.extend(node.getChildAtIndex(i) for i in reversed(range(node.childCount)))
            except GLib.Error:
                continue
        return found


# ---- screenshots ----

def screenshot(name):
    """Saves the whole screen as UI_SCREENSHOT_DIR/@name (PNG) and returns the path, or None
    when there is no directory or no tool: a screenshot never fails a test."""
    directory = os.environ.get("UI_SCREENSHOT_DIR")
    if not directory or not os.environ.get("DISPLAY"):
        return None
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, name)
    try:
        if shutil.which("import"):
            subprocess.run(["import", "-window", "root", path], timeout=20 * SCALE, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        elif shutil.which("xwd") and shutil.which("convert"):
            xwd = subprocess.run(["xwd", "-root", "-silent"], timeout=20 * SCALE, check=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            subprocess.run(["convert", "xwd:-", f"png:{path}"], input=xwd.stdout, timeout=20 * SCALE,
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        else:
            print(f"# no screenshot {name}: neither ImageMagick's import nor xwd is installed", file=sys.stderr)
            return None
    except (subprocess.SubprocessError, OSError) as error:
        print(f"# no screenshot {name}: {error}", file=sys.stderr)
        return None
    print(f"# screenshot: {path}", file=sys.stderr)
    return path


# ---- the application ----

class App:
    """`ews-notifier ARGS…` with @password on its standard input (then closed)."""

    def __init__(self, log_dir, args, env, password=None, name="ews-notifier", exe=None):
        exe = exe or os.environ.get("EWS_NOTIFIER")
        if not exe:
            raise unittest.SkipTest("EWS_NOTIFIER is not set")
        stdin = subprocess.PIPE if password is not None else subprocess.DEVNULL
        self.process = Process(name, [exe] + list(args), log_dir, env=env, stdin=stdin)
        if password is not None:
            try:
                self.process.popen.stdin.write(f"{password}\n".encode())
                self.process.popen.stdin.close()
            except BrokenPipeError:
                pass
            self.process.popen.stdin = None

    @property
    def pid(self):
        return self.process.pid

    def running(self):
        return self.process.running()

    def wait_exit(self, timeout):
        return self.process.wait_exit(timeout)

    def stop(self):
        self.process.stop()

    def wait_streaming(self, timeout=30):
        """Until the account is live: the stream open and the first sync done (a "streaming"
        after a "syncing"), so that later changes are news. Read from the account's debug log
        (G_MESSAGES_DEBUG=ewn-account; GLib prints debug messages on standard output)."""
        state = re.compile(r"ewn-account-DEBUG: [^\n]*?: (streaming|syncing)(?::[^\n]*)?$", re.MULTILINE)

        def ready():
            if not self.process.running():
                raise AssertionError(f"ews-notifier exited with {self.process.returncode}\n"
                                     + self.process.describe())
            states = state.findall(self.process.output())
            return "syncing" in states and states[-1] == "streaming"
        wait_for(ready, timeout, "the account to be streaming after its first sync")


# ---- the test case ----

def next_weekday(weekday, hour, minute=0, min_days=2):
    """The first @weekday (0 = Monday) at least @min_days ahead, at @hour:@minute UTC: never
    within the next day, so no change to it counts as urgent."""
    now = datetime.datetime.now(datetime.timezone.utc)
    day = (now + datetime.timedelta(days=min_days)).replace(hour=hour, minute=minute, second=0, microsecond=0)
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def span(start, end):
    """How the app words a meeting's time in the C locale and UTC: "Thu 10:00–11:00"."""
    return f"{DAY_NAMES[start.weekday()]} {start:%H:%M}–{end:%H:%M}"


class DesktopTestCase(unittest.TestCase):
    """A test with its own dir under the session's, and helpers that start what it needs and
    stop it afterwards. A failing test prints the programs' output, the notifications, the
    tray menu and the windows it saw."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix=self._testMethodName + "-", dir=session_dir())
        self.bus = session_bus()
        self.notifications = Notifications(self.bus)
        self.mark = self.notifications.mark()
        self.processes = []
        self.tray = None
        self.tray_item = None
        self.apps = []

    def tearDown(self):
        # While the programs still run, so that their windows and menu can be read too.
        if self._problems() > self._problems_before:
            self._diagnose()

    def run(self, result=None):
        # A failure in setUp has no tearDown: its diagnostics come after the cleanups.
        self._result = result if result is not None else self.defaultTestResult()
        self._problems_before = self._problems()
        self._diagnosed = False
        outcome = super().run(self._result)
        if self._problems() > self._problems_before and not self._diagnosed:
            self._diagnose()
        return outcome

    def _problems(self):
        return len(self._result.failures) + len(self._result.errors)

    def _diagnose(self):
        self._diagnosed = True
        try:
            self.print_diagnostics()
        except Exception as error:  # diagnostics must not hide the failure
            print(f"# diagnostics failed: {error!r}", file=sys.stderr)

    def print_diagnostics(self):
        out = [f"==== diagnostics for {self.id()}"]
        for process in getattr(self, "processes", []):
            out.append(process.describe())
        out.append("--- Notify calls during the test:")
        try:
            out += [f"    {n}" for n in self.notifications.since(self.mark)]
        except GLib.Error as error:
            out.append(f"    (cannot read them: {error.message})")
        log = self.notifications.log().splitlines()
        out.append(f"--- notification server log (last 40 of {len(log)} lines):")
        out += [f"    {line}" for line in log[-40:]]
        bus_log = _read(os.environ.get("UI_BUS_LOG", "")).splitlines()
        if bus_log:
            out.append(f"--- bus log (last 15 of {len(bus_log)} lines):")
            out += [f"    {line}" for line in bus_log[-15:]]
        if self.tray is not None:
            out.append("--- watcher: " + "; ".join(self.tray.events()))
        for app in self.apps:
            if not app.running():
                continue
            if self.tray is not None:
                try:
                    out.append(f"--- tray menu of {app.pid}:")
                    item = self.tray.wait_item(pid=app.pid, timeout=0.5)
                    out += [f"    {line}" for line in item.menu().outline()]
                except (GLib.Error, WaitTimeout) as error:
                    out.append(f"    ({error})")
            try:
                a11y = Accessibility(app.pid)
                for window in a11y.windows():
                    out.append(f"--- window {window.getRoleName()} {window.name!r} of {app.pid}, labels:")
                    out += [f"    {text!r}" for text in a11y.texts(window)[:40]]
            except (GLib.Error, unittest.SkipTest) as error:
                out.append(f"--- windows of {app.pid}: ({error})")
        print("\n".join(out), file=sys.stderr)

    def _track(self, process):
        self.processes.append(process)
        self.addCleanup(process.stop)

    def start_simulator(self, keepalive=None, tls=False, port=0, users=None, kerberos=False, ntlm=False):
        simulator = Simulator(self.dir, keepalive, tls, port=port, users=users, kerberos=kerberos, ntlm=ntlm)
        self._track(simulator.process)
        return simulator

    def install_browser(self):
        """A web browser for the app, as the default handler of https links: it only notes
        each URL it is given, with the startup id it was launched with. Returns the file
        of its notes, one "URL STARTUP-ID" line per launch."""
        notes = os.path.join(self.dir, "browser-opened")
        script = os.path.join(self.dir, "fake-browser")
        with open(script, "w") as f:
            f.write(f'#!/bin/sh\nprintf "%s %s\\n" "$1" "${{DESKTOP_STARTUP_ID:-none}}" >> "{notes}"\n')
        os.chmod(script, 0o755)
        applications = os.path.join(self.dir, "xdg_data_home", "applications")
        os.makedirs(applications, exist_ok=True)
        with open(os.path.join(applications, "fake-browser.desktop"), "w") as f:
            f.write(f"[Desktop Entry]\nType=Application\nName=Fake Browser\nExec={script} %u\n"
                    "MimeType=x-scheme-handler/https;\nStartupNotify=true\n")
        config = os.path.join(self.dir, "xdg_config_home")
        os.makedirs(config, exist_ok=True)
        with open(os.path.join(config, "mimeapps.list"), "w") as f:
            f.write("[Default Applications]\nx-scheme-handler/https=fake-browser.desktop\n")
        return notes

    def colleague(self, simulator, user="bob", password=BOB_PASSWORD):
        colleague = Colleague(simulator.url, user, password)
        self.addCleanup(colleague.close)
        return colleague

    def start_tray(self):
        self.tray = Tray(self.bus, self.dir)
        self._track(self.tray.process)
        return self.tray

    def app_env(self):
        """The environment for ews-notifier: the session's, with the app's state, settings and
        cache in this test's dir, UTC, the C locale, and the account's debug log."""
        env = dict(os.environ)
        for var in ("XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
            env[var] = os.path.join(self.dir, var.lower())
            os.makedirs(env[var], exist_ok=True)
        env["TZ"] = "UTC"
        env["LC_ALL"] = "C.UTF-8"
        env.pop("LANGUAGE", None)
        env.pop("NO_AT_BRIDGE", None)
        env["GIO_USE_PROXY_RESOLVER"] = "dummy"
        domains = env.get("G_MESSAGES_DEBUG", "")
        if domains != "all":
            env["G_MESSAGES_DEBUG"] = " ".join(filter(None, [domains, "ewn-account ewn-notifier ewn-tray"]))
        return env

    def start_app(self, simulator=None, mailboxes=(), args=None, env=None, password=ALICE_PASSWORD,
                  name="ews-notifier", exe=None):
        """The notifier signed in to @simulator as alice, or run with @args as they are (and
        nothing on its standard input); @exe runs another program the same way."""
        if args is None:
            if name == "ews-notifier" and name_has_owner(self.bus, APP_ID):
                raise AssertionError(f"{APP_ID} is already on the bus: an earlier instance is still running")
            args = ["--server", simulator.url, "--user", ALICE, "--password-stdin"]
            if simulator.certificate:
                args += ["--ca-file", simulator.certificate]
            for mailbox in mailboxes:
                args += ["--mailbox", mailbox]
        else:
            password = None
        app = App(self.dir, args, env or self.app_env(), password=password, name=name, exe=exe)
        self.apps.append(app)
        self.processes.append(app.process)
        self.addCleanup(self._stop_app, app)
        return app

    def _stop_app(self, app):
        try:
            owned = name_owner_pid(self.bus, APP_ID) == app.pid
        except GLib.Error:
            owned = False
        app.stop()
        # The next test's instance must not find this one still owning the application id.
        if owned:
            wait_for(lambda: not name_has_owner(self.bus, APP_ID), 10, f"{APP_ID} to leave the bus")

    def wait_tray_item(self, app, timeout=20):
        self.tray_item = self.tray.wait_item(pid=app.pid, timeout=timeout)
        return self.tray_item
