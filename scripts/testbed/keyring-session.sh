#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring (a real Secret Service).
# Usage: scripts/testbed/keyring-session.sh COMMAND [ARGS...]
# Exports OSSB_TEST_KEYRING=1 to the command. When the keyring cannot be started the command does not run: the
# script says why and exits 1, so that the keyring tests fail the run instead of skipping.
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

# keyring_failed REASON: stops here, with the daemon's own words, instead of running the tests without a keyring.
keyring_failed() {
  echo "testbed: gnome-keyring did not come up ($1); stopping the run (the keyring tests would only skip)" >&2
  if [ -s "$OSSB_KEYRING_SESSION_DIR/daemon.log" ]; then tail -n 5 "$OSSB_KEYRING_SESSION_DIR/daemon.log" >&2; fi
  exit 1
}
command -v gnome-keyring-daemon >/dev/null \
  || keyring_failed "gnome-keyring-daemon is not on PATH; scripts/install-deps.sh installs gnome-keyring"
# A non-empty password is required: with an empty one the daemon asks a graphical prompter.
printf %s "ossb-test-keyring" | timeout 10 gnome-keyring-daemon --unlock --components=secrets \
  > "$OSSB_KEYRING_SESSION_DIR/daemon.env" 2>"$OSSB_KEYRING_SESSION_DIR/daemon.log" || true
wait_until 10 name_has_owner || keyring_failed "nothing owns org.freedesktop.secrets on the session bus after 10 s"
pid=$(dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
  org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets | awk '/uint32/ {print $2}')
echo "$pid" > "$OSSB_KEYRING_SESSION_DIR/keyring.pid"
wait_until 10 default_unlocked || keyring_failed "the default collection is still locked after 10 s"
export OSSB_TEST_KEYRING=1
echo "testbed: gnome-keyring unlocked on a private session bus (pid $pid)" >&2

status=0
"$@" || status=$?
if [ -f "$OSSB_KEYRING_SESSION_DIR/keyring.pid" ]; then kill "$(cat "$OSSB_KEYRING_SESSION_DIR/keyring.pid")" 2>/dev/null || true; fi
exit $status
