# D-Bus session buses on which no keyring answers, for the keyring helper's headless failure tests.
# Source lib.sh first. Exports:
#   OSSB_TEST_BARE_BUS     address of a private session bus with no Secret Service on it
#   OSSB_TEST_SILENT_BUS   address of a unix socket that accepts connections and never answers (a hung bus)

start_bare_bus() {
  local dir="$OSSB_TESTBED_DIR/bare-bus" out
  mkdir -p "$dir"
  # The same minimal configuration as the keyring session: nothing is auto-activated.
  out=$(dbus-daemon --config-file="$(dirname "${BASH_SOURCE[0]}")/session-bus.conf" --fork \
        --print-address=1 --print-pid=1 2>"$dir/dbus.log") || return 1
  OSSB_TEST_BARE_BUS=$(printf '%s\n' "$out" | sed -n 1p)
  record_pid "$(printf '%s\n' "$out" | sed -n 2p)"
  [ -n "$OSSB_TEST_BARE_BUS" ] || return 1
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
