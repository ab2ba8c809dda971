#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# SPDX-FileCopyrightText: The EWS Notifier authors
#
# session.sh COMMAND [ARGS…]: runs COMMAND in a throwaway headless desktop and passes its exit
# status through.
#
# The desktop: temporary HOME and XDG dirs (exported before the bus starts, so that services the
# bus activates use them too), Xvfb on a free display, a private session bus, gnome-keyring with
# an unlocked login collection, and a python-dbusmock notification server that records every call.
# No tray watcher: tests start tests/ui/sni-watcher.py when they want one.
#
# COMMAND sees DISPLAY, DBUS_SESSION_BUS_ADDRESS, HOME, XDG_*, and
#   UI_SESSION_DIR   the temporary dir (removed afterwards unless UI_SESSION_KEEP=1)
#   UI_NOTIFY_LOG    the notification server's log, one line per call
#   UI_BUS_LOG       what the bus and the services it activated printed
#   UI_NOTIFY_PID    the notification server's pid
#   UI_KEYRING_PASSWORD  the login keyring's throwaway password
# Knobs: UI_SESSION_SCREEN (default 1280x800x24), UI_NOTIFY_CAPS (the advertised capabilities),
#   UI_SESSION_KEEP=1.
# Everything it starts is stopped by pid, including the services the buses activated, so several
# sessions can run side by side. Missing tools make it exit 77, which meson reports as a skip.
# shellcheck disable=SC2317 # the cleanup functions run from traps
set -u

PYTHON=/usr/bin/python3 # dbusmock and gi are Debian packages: another python3 on PATH lacks them
SELF=${BASH_SOURCE[0]}

say() { printf 'session.sh: %s\n' "$*" >&2; }

# The pid owning NAME on a bus: owner_pid GDBUS-BUS-OPTIONS… NAME
owner_pid() {
  local name=${*: -1}
  gdbus call "${@:1:$#-1}" --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.GetConnectionUnixProcessID "$name" 2>/dev/null |
    sed -n 's/^(uint32 \([0-9]*\),)$/\1/p'
}

# Sends SIGTERM to each pid and waits up to five seconds for all of them, then SIGKILLs the rest.
stop_pids() {
  local pid alive
  for pid in "$@"; do kill "$pid" 2>/dev/null; done
  for _ in $(seq 100); do
    alive=
    for pid in "$@"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ -z "$alive" ] && return
    sleep 0.05
  done
  for pid in "$@"; do kill -9 "$pid" 2>/dev/null; done
}

inner() {
  local keyring_pid="" notify_pid=""

  inner_cleanup() {
    local a11y pids=
    # Activated by the app, not by us: at-spi's registry on the accessibility bus, the bus
    # launcher and dconf. They hold X connections, so they go before Xvfb does.
    a11y=$(gdbus call --session --dest org.a11y.Bus --object-path /org/a11y/bus \
      --method org.a11y.Bus.GetAddress 2>/dev/null | sed -n "s/^('\(.*\)',)$/\1/p")
    [ -n "$a11y" ] && pids=$(owner_pid --address "$a11y" org.a11y.atspi.Registry)
    for name in org.a11y.Bus ca.desrt.dconf; do
      pids="$pids $(owner_pid --session "$name")"
    done
    # shellcheck disable=SC2086
    stop_pids $pids $notify_pid $keyring_pid
    wait 2>/dev/null
  }
  trap inner_cleanup EXIT
  trap 'exit 143' TERM
  trap 'exit 130' INT

  # An unlocked login collection; without one a secret store under X waits for a prompt forever.
  # Tests that lock the keyring unlock it again with this.
  export UI_KEYRING_PASSWORD="throwaway-$$"
  printf '%s' "$UI_KEYRING_PASSWORD" |
    gnome-keyring-daemon --foreground --unlock --components=secrets >"$UI_SESSION_DIR/keyring.log" 2>&1 &
  keyring_pid=$!

  "$PYTHON" -m dbusmock --template notification_daemon -l "$UI_NOTIFY_LOG" \
    -p "{\"capabilities\": \"${UI_NOTIFY_CAPS:-body body-markup actions persistence icon-static}\"}" \
    >"$UI_SESSION_DIR/notify.out" 2>&1 &
  notify_pid=$!
  export UI_NOTIFY_PID=$notify_pid

  if ! gdbus wait --session --timeout 20 org.freedesktop.secrets; then
    say "gnome-keyring did not come up:"; cat "$UI_SESSION_DIR/keyring.log" >&2
    exit 70
  fi
  if ! gdbus wait --session --timeout 20 org.freedesktop.Notifications; then
    say "the notification server did not come up:"; cat "$UI_SESSION_DIR/notify.out" >&2
    exit 70
  fi

  "$@"
  exit $?
}

if [ "${1:-}" = "--inner" ]; then
  shift
  inner "$@"
fi

# ---- outside the bus: dirs and the X server ----
[ $# -ge 1 ] || { echo "usage: $0 COMMAND [ARGS…]" >&2; exit 64; }
for tool in Xvfb dbus-run-session gnome-keyring-daemon gdbus "$PYTHON"; do
  command -v "$tool" >/dev/null || { say "skipped: $tool is not installed"; exit 77; }
done
"$PYTHON" -c 'import dbusmock' 2>/dev/null || { say "skipped: python3-dbusmock is not installed"; exit 77; }

UI_SESSION_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ews-notifier-ui.XXXXXX") || exit 70
export UI_SESSION_DIR UI_NOTIFY_LOG="$UI_SESSION_DIR/notifications.log" UI_BUS_LOG="$UI_SESSION_DIR/bus.log"
xvfb_pid=

outer_cleanup() {
  local status=$?
  [ -n "$xvfb_pid" ] && stop_pids "$xvfb_pid"
  wait 2>/dev/null
  if [ "${UI_SESSION_KEEP:-0}" = 1 ]; then
    say "kept $UI_SESSION_DIR"
  else
    rm -rf "$UI_SESSION_DIR"
  fi
  exit "$status"
}
trap outer_cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

export HOME="$UI_SESSION_DIR/home" \
  XDG_CONFIG_HOME="$UI_SESSION_DIR/config" XDG_DATA_HOME="$UI_SESSION_DIR/data" \
  XDG_CACHE_HOME="$UI_SESSION_DIR/cache" XDG_STATE_HOME="$UI_SESSION_DIR/state" \
  XDG_RUNTIME_DIR="$UI_SESSION_DIR/runtime"
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_STATE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"

# The meson test environment turns accessibility off for every other suite; here it is needed.
unset NO_AT_BRIDGE DBUS_SESSION_BUS_ADDRESS WAYLAND_DISPLAY SESSION_MANAGER GNOME_KEYRING_CONTROL \
  DESKTOP_AUTOSTART_ID
export GDK_BACKEND=x11

# Xvfb picks a free display and writes its number to fd 3 once it accepts connections.
Xvfb -displayfd 3 -screen 0 "${UI_SESSION_SCREEN:-1280x800x24}" -nolisten tcp -noreset \
  3>"$UI_SESSION_DIR/display" >"$UI_SESSION_DIR/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 200); do
  [ -s "$UI_SESSION_DIR/display" ] && break
  if ! kill -0 "$xvfb_pid" 2>/dev/null; then
    say "Xvfb exited:"; cat "$UI_SESSION_DIR/xvfb.log" >&2
    xvfb_pid=
    exit 70
  fi
  sleep 0.05
done
[ -s "$UI_SESSION_DIR/display" ] || { say "Xvfb gave no display within 10 s"; exit 70; }
DISPLAY=":$(head -n1 "$UI_SESSION_DIR/display")"
export DISPLAY

# The bus and the services it activates (at-spi, dconf) print to UI_BUS_LOG, not into the test's
# output, where their chatter would land in the middle of lines.
printf '#!/bin/sh\nexec dbus-daemon "$@" >>"%s" 2>&1\n' "$UI_BUS_LOG" >"$UI_SESSION_DIR/dbus-daemon"
chmod +x "$UI_SESSION_DIR/dbus-daemon"
dbus-run-session --dbus-daemon="$UI_SESSION_DIR/dbus-daemon" -- bash "$SELF" --inner "$@"
exit $?
