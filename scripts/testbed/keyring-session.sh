#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring (a real Secret Service).
# Usage: scripts/testbed/keyring-session.sh COMMAND [ARGS...]
# Exports OSSB_TEST_KEYRING=1 to the command when the keyring came up; when it cannot be started the command
# still runs (without OSSB_TEST_KEYRING) and the keyring tests report themselves as skipped with the reason.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

if [ "${1:-}" != "--inner" ]; then
  session=$(mktemp -d /tmp/ossb-keyring.XXXXXX)
  chmod 700 "$session"
  mkdir -p "$session/data" "$session/runtime"
  chmod 700 "$session/runtime"
  unset DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS
  export XDG_DATA_HOME="$session/data" XDG_RUNTIME_DIR="$session/runtime" OSSB_KEYRING_SESSION_DIR="$session"
  status=0
  dbus-run-session --config-file="$here/session-bus.conf" -- "$0" --inner "$@" || status=$?
  # A daemon that never reached the bus can outlive the session: stop it by the PID we recorded.
  if [ -f "$session/keyring.pid" ]; then kill "$(cat "$session/keyring.pid")" 2>/dev/null || true; fi
  rm -rf "$session"
  exit $status
fi
shift

wait_until() {  # wait_until SECONDS COMMAND...
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.1
  done
}
name_has_owner() {
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets | grep -q 'boolean true'
}
default_unlocked() {
  dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets/aliases/default \
    org.freedesktop.DBus.Properties.Get string:org.freedesktop.Secret.Collection string:Locked \
    | grep -q 'boolean false'
}

if command -v gnome-keyring-daemon >/dev/null; then
  # A non-empty password is required: with an empty one the daemon asks a graphical prompter.
  printf %s "ossb-test-keyring" | timeout 10 gnome-keyring-daemon --unlock --components=secrets \
    > "$OSSB_KEYRING_SESSION_DIR/daemon.env" 2>"$OSSB_KEYRING_SESSION_DIR/daemon.log" || true
  if wait_until 10 name_has_owner && wait_until 10 default_unlocked; then
    pid=$(dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets | awk '/uint32/ {print $2}')
    echo "$pid" > "$OSSB_KEYRING_SESSION_DIR/keyring.pid"
    export OSSB_TEST_KEYRING=1
    echo "testbed: gnome-keyring unlocked on a private session bus (pid $pid)" >&2
  else
    echo "testbed: gnome-keyring did not come up; keyring tests will be skipped" >&2
  fi
fi

status=0
"$@" || status=$?
if [ -f "$OSSB_KEYRING_SESSION_DIR/keyring.pid" ]; then kill "$(cat "$OSSB_KEYRING_SESSION_DIR/keyring.pid")" 2>/dev/null || true; fi
exit $status
