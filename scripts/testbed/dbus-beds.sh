# D-Bus session buses on which no keyring, or a failing one, answers, for the keyring helper's failure tests.
# Source lib.sh first. Exports:
#   OSSB_TEST_BARE_BUS     address of a private session bus with no Secret Service on it
#   OSSB_TEST_SILENT_BUS   address of a unix socket that accepts connections and never answers (a hung bus)
#   OSSB_TEST_FLAKY_KEYRING_BUS  a private bus whose stand-in Secret Service refuses first searches

# private_bus DIR: starts a session bus with the keyring session's minimal configuration (nothing is
# auto-activated), records its PID and prints its address.
private_bus() {
  local out address
  out=$(dbus-daemon --config-file="$(dirname "${BASH_SOURCE[0]}")/session-bus.conf" --fork \
        --print-address=1 --print-pid=1 2>"$1/dbus.log") || return 1
  address=$(printf '%s\n' "$out" | sed -n 1p)
  record_pid "$(printf '%s\n' "$out" | sed -n 2p)"
  [ -n "$address" ] && printf '%s\n' "$address"
}

start_bare_bus() {
  local dir="$OSSB_TESTBED_DIR/bare-bus"
  mkdir -p "$dir"
  OSSB_TEST_BARE_BUS=$(private_bus "$dir") || return 1
  export OSSB_TEST_BARE_BUS
  echo "testbed: bare D-Bus session bus (no Secret Service) at $OSSB_TEST_BARE_BUS" >&2
}

start_silent_bus() {
  local dir="$OSSB_TESTBED_DIR/silent-bus"
  mkdir -p "$dir"
  python3 - "$dir/bus" >"$dir/silent.log" 2>&1 <<'PY' &
import socket, sys
# Accepts D-Bus clients and never says a word: the client waits for the authentication reply forever,
# which is what a hung bus or a wedged keyring looks like from the helper's side.
server = socket.socket(socket.AF_UNIX)
server.bind(sys.argv[1])
server.listen(64)
held = []
while True:
    connection, _ = server.accept()
    held.append(connection)
PY
  record_pid $!
  local deadline=$((SECONDS + 10))
  until [ -S "$dir/bus" ]; do
    [ $SECONDS -lt $deadline ] || { echo "testbed: the silent bus did not come up" >&2; return 1; }
    sleep 0.05
  done
  export OSSB_TEST_SILENT_BUS="unix:path=$dir/bus"
  echo "testbed: silent D-Bus socket at $OSSB_TEST_SILENT_BUS" >&2
}

# OSSB_TEST_FLAKY_KEYRING_BUS: a private session bus on which scripts/testbed/flaky-keyring.py provides a Secret
# Service that refuses each caller's first search with UnknownMethod, as gnome-keyring does under load.
start_flaky_keyring_bus() {
  local dir="$OSSB_TESTBED_DIR/flaky-keyring" bus
  mkdir -p "$dir"
  bus=$(private_bus "$dir") || return 1
  # Debian's python3-dbus and python3-gi belong to the system's Python, whatever python3 is first on PATH.
  /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/flaky-keyring.py" "$bus" >"$dir/service.log" 2>&1 &
  record_pid $!
  local deadline=$((SECONDS + 10))
  until grep -q '^ready$' "$dir/service.log" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then
      echo "testbed: the flaky Secret Service did not come up:" >&2
      cat "$dir/service.log" >&2
      return 1
    fi
    sleep 0.05
  done
  export OSSB_TEST_FLAKY_KEYRING_BUS="$bus"
  echo "testbed: flaky Secret Service on a private bus at $OSSB_TEST_FLAKY_KEYRING_BUS" >&2
}
