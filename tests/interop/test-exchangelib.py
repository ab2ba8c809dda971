#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# SPDX-FileCopyrightText: The EWS Notifier authors
"""Interop: Debian's exchangelib, a third-party EWS client, against ews-simulator.

Usage: test-exchangelib.py PATH-TO-ews-simulator

Streams calendar and task events while the main thread creates and updates a
calendar item through exchangelib, then checks the streamed events and a
SyncFolderItems run. Then signs in with NTLM (requests-ntlm, a second, independent
implementation of MS-NLMP) against the simulator's NTLM, with the right password and
a wrong one. The whole test is bounded well under 30 seconds.
"""

import datetime
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading

DEADLINE = 25  # seconds


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


OPENSSL_LEGACY = """openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
legacy = legacy_sect
[default_sect]
activate = 1
[legacy_sect]
activate = 1
"""


def ensure_md4():
    """Python's NTLM hashes passwords with MD4, which OpenSSL 3 keeps in its legacy
    provider: run again with that provider loaded when it is not."""
    import hashlib
    try:
        hashlib.new("md4")
        return
    except ValueError:
        pass
    if os.environ.get("EWN_INTEROP_OPENSSL_LEGACY"):
        fail("MD4 is not available even with OpenSSL's legacy provider")
    conf = tempfile.NamedTemporaryFile("w", suffix=".cnf", delete=False)
    conf.write(OPENSSL_LEGACY)
    conf.close()
    env = dict(os.environ, OPENSSL_CONF=conf.name, EWN_INTEROP_OPENSSL_LEGACY="1")
    try:
        result = subprocess.run([sys.executable] + sys.argv, env=env, check=False)
    finally:
        os.unlink(conf.name)
    sys.exit(result.returncode)


def start_simulator(exe, *extra):
    proc = subprocess.Popen(
        [exe, "--port", "0", "--user", "alice:secret", "--user", "bob:hunter2", "--keepalive", "1", *extra],
        stdout=subprocess.PIPE,
        text=True,
    )
    ready, _, _ = select.select([proc.stdout], [], [], 10)
    if not ready:
        proc.kill()
        fail("the simulator printed no url line")
    line = proc.stdout.readline().strip()
    if not line.startswith("url="):
        proc.kill()
        fail(f"unexpected first line {line!r}")
    return proc, line[len("url="):]


def stop_simulator(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()


def main():
    if len(sys.argv) != 2:
        fail("usage: test-exchangelib.py PATH-TO-ews-simulator")
    ensure_md4()
    try:
        from exchangelib import (BASIC, DELEGATE, NTLM, Account, Build, CalendarItem, Configuration,
                                 Credentials, EWSDateTime, EWSTimeZone, Version)
        from exchangelib.errors import UnauthorizedError
        from exchangelib.properties import CreatedEvent, ModifiedEvent
    except ImportError as error:
        print(f"SKIP: exchangelib is not installed ({error})")
        sys.exit(77)

    # A hard stop, whatever exchangelib does.
    signal.signal(signal.SIGALRM, lambda *_: os._exit(3))
    signal.alarm(DEADLINE + 3)

    proc, url = start_simulator(sys.argv[1])
    try:
        run(url, Account, BASIC, DELEGATE, Build, CalendarItem, Configuration, Credentials,
            EWSDateTime, EWSTimeZone, Version, CreatedEvent, ModifiedEvent)
    finally:
        stop_simulator(proc)

    proc, url = start_simulator(sys.argv[1], "--ntlm")
    try:
        run_ntlm(url, Account, NTLM, DELEGATE, Build, CalendarItem, Configuration, Credentials,
                 EWSDateTime, EWSTimeZone, Version, UnauthorizedError)
    finally:
        stop_simulator(proc)
    print("ok")


def run_ntlm(url, Account, NTLM, DELEGATE, Build, CalendarItem, Configuration, Credentials,
             EWSDateTime, EWSTimeZone, Version, UnauthorizedError):
    def account_for(password):
        config = Configuration(
            service_endpoint=url,
            credentials=Credentials("SIMULATOR\\alice", password),
            auth_type=NTLM,
            version=Version(build=Build(15, 1, 2507, 6)),
            max_connections=2,
        )
        return Account(primary_smtp_address="alice@example.com", config=config,
                       autodiscover=False, access_type=DELEGATE)

    account = account_for("secret")
    tz = EWSTimeZone("UTC")
    start = EWSDateTime(2024, 3, 13, 9, 0, tzinfo=tz)
    item = CalendarItem(account=account, folder=account.calendar, subject="Signed in with NTLM",
                        start=start, end=start + datetime.timedelta(hours=1))
    item.save()
    subjects = [synced.subject for _, synced in account.calendar.sync_items(only_fields=["subject"])]
    if "Signed in with NTLM" not in subjects:
        fail(f"SyncFolderItems over NTLM did not return the new item: {subjects!r}")

    try:
        list(account_for("not-the-password").calendar.sync_items(only_fields=["subject"]))
    except UnauthorizedError:
        pass
    else:
        fail("a wrong NTLM password was accepted")


def run(url, Account, BASIC, DELEGATE, Build, CalendarItem, Configuration, Credentials,
        EWSDateTime, EWSTimeZone, Version, CreatedEvent, ModifiedEvent):
    # As the project's testing recipe says: no autodiscover, a fixed version, and
    # more than one connection, or a save() waits behind the open stream forever.
    config = Configuration(
        service_endpoint=url,
        credentials=Credentials("alice", "secret"),
        auth_type=BASIC,
        version=Version(build=Build(15, 1, 2507, 6)),
        max_connections=4,
    )
    account = Account(primary_smtp_address="alice@example.com", config=config,
                      autodiscover=False, access_type=DELEGATE)

    calendar_sub = account.calendar.subscribe_to_streaming()
    tasks_sub = account.tasks.subscribe_to_streaming()

    events = []
    errors = []
    lock = threading.Lock()

    def reader():
        try:
            for notification in account.calendar.get_streaming_events(
                    [calendar_sub, tasks_sub], connection_timeout=1, max_notifications_returned=3):
                with lock:
                    events.extend(notification.events)
        except Exception as error:  # reported by the main thread
            errors.append(error)

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()

    tz = EWSTimeZone("UTC")
    start = EWSDateTime(2024, 3, 12, 13, 0, tzinfo=tz)
    item = CalendarItem(account=account, folder=account.calendar, subject="Interop review",
                        start=start, end=start + datetime.timedelta(hours=1), location="Room 2.17")
    item.save()
    created_id = item.id
    item.subject = "Interop review (renamed)"
    item.save(update_fields=["subject"])
    item.start = start + datetime.timedelta(hours=2)
    item.end = start + datetime.timedelta(hours=3)
    item.save(update_fields=["start", "end"])

    thread.join(timeout=DEADLINE - 10)
    if errors:
        fail(f"streaming failed: {errors[0]!r}")
    with lock:
        created = [e for e in events if isinstance(e, CreatedEvent) and e.item_id and e.item_id.id == created_id]
        modified = [e for e in events if isinstance(e, ModifiedEvent) and e.item_id and e.item_id.id == created_id]
    if not created:
        fail(f"no CreatedEvent for the new item in {events!r}")
    if len(modified) < 2:
        fail(f"expected two ModifiedEvents for the item, got {len(modified)} in {events!r}")

    synced = {}
    for change_type, synced_item in account.calendar.sync_items(only_fields=["subject", "start"]):
        synced[getattr(synced_item, "id", None)] = (change_type, synced_item)
    if created_id not in synced:
        fail(f"SyncFolderItems did not return the item: {synced!r}")
    change_type, synced_item = synced[created_id]
    if synced_item.subject != "Interop review (renamed)":
        fail(f"SyncFolderItems returned subject {synced_item.subject!r}")

    account.calendar.unsubscribe(calendar_sub)
    account.tasks.unsubscribe(tasks_sub)


if __name__ == "__main__":
    main()
