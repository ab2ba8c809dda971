#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# SPDX-FileCopyrightText: The EWS Notifier authors
#
# The demo: the built-in EWS simulator on loopback, with a scripted colleague who keeps
# changing meetings and tasks, and EWS Notifier watching that mailbox through the real
# protocol. The user's own settings, keyring and state are not touched.
set -euo pipefail

build=${1:?usage: demo.sh BUILD_DIR}
build=$(cd "$build" && pwd)
tmp=$(mktemp -d)
sim_pid=""
tail_pid=""

cleanup() {
  [ -n "$tail_pid" ] && kill "$tail_pid" 2>/dev/null || true
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A throwaway password for a throwaway mailbox; it only ever travels through a pipe.
password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')

"$build/tests/simulator/ews-simulator" --port 0 --user "demo:$password" --demo \
  >"$tmp/simulator.out" 2>"$tmp/simulator.log" &
sim_pid=$!

url=""
for _ in $(seq 100); do
  url=$(sed -n 's/^url=//p' "$tmp/simulator.out" | head -n 1)
  [ -n "$url" ] && break
  kill -0 "$sim_pid" 2>/dev/null || { cat "$tmp/simulator.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "the simulator did not start" >&2; exit 1; }

mkdir -p "$tmp/config" "$tmp/state" "$tmp/cache" "$tmp/data"
export GSETTINGS_BACKEND=memory
export XDG_CONFIG_HOME="$tmp/config" XDG_STATE_HOME="$tmp/state"
export XDG_CACHE_HOME="$tmp/cache" XDG_DATA_HOME="$tmp/data"

# A desktop gets the real experience: tray icon, notifications, item window. The
# application's settings schema and icons come from the build, not from an install.
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${EWN_DEMO_HEADLESS:-}" ]; then
  export GSETTINGS_SCHEMA_DIR="$build/data"
  mkdir -p "$tmp/data/icons"
  cp -r "$(dirname "$0")/../data/icons/hicolor" "$tmp/data/icons/"
  cat <<MSG
EWS Notifier demo (desktop)
  simulator: $url (mailbox demo@example.com)
  A colleague changes meetings and tasks every few seconds (lines marked "colleague:").
  Watch the notifications and the EWS Notifier icon in the tray; click a notification
  to see the meeting. Quit from the tray menu, or press Ctrl+C here.
  (Without a desktop, or with EWN_DEMO_HEADLESS=1, the demo prints the changes instead.)

MSG
  tail -n +1 -f "$tmp/simulator.log" | sed -u 's/^demo: //; s/^/    colleague: /' &
  tail_pid=$!
  printf '%s\n' "$password" |
    "$build/src/ews-notifier" --server "$url" --user demo@example.com --password-stdin
  exit $?
fi

cat <<MSG
EWS Notifier demo
  simulator: $url (mailbox demo@example.com)
  A colleague changes meetings and tasks every few seconds (lines marked "colleague:");
  EWS Notifier reports each change it receives through the EWS streaming subscription.
  Press Ctrl+C to stop.

MSG

tail -n +1 -f "$tmp/simulator.log" | sed -u 's/^demo: //; s/^/    colleague: /' &
tail_pid=$!

printf '%s\n' "$password" |
  "$build/src/ews-notifier" --watch --server "$url" --user demo --password-stdin
