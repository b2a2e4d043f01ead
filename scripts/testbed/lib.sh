# Shared functions for the test beds. Source it; every server is started on 127.0.0.1 and its PID recorded in
# $OSSB_TESTBED_DIR/pids so that stop_all can stop exactly what was started.

# Where scripts/install-deps.sh makes a Python virtual environment with `cryptography` when Debian's
# python3-cryptography cannot be installed; when it exists, its python3 serves the test beds and the tests.
testbed_venv="${OSSB_PYTHON_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/ossb-testbed/venv}"
if [ -x "$testbed_venv/bin/python3" ]; then PATH="$testbed_venv/bin:$PATH"; export PATH; fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_python_server NAME: runs scripts/testbed/NAME.py with a free port as its argument, logging to NAME.log;
# records its PID and prints the port.
start_python_server() {
  local port
  port=$(free_port)
  python3 "$(dirname "${BASH_SOURCE[0]}")/$1.py" "$port" > "$OSSB_TESTBED_DIR/$1.log" 2>&1 &
  record_pid $!
  echo "$port"
}

record_pid() { echo "$1" >> "$OSSB_TESTBED_DIR/pids"; }

# testbed_failed NAME: says that a test bed did not start, with the end of the beds' logs. The caller stops the
# run: tests whose bed is missing would only skip, and a green run that tested nothing is worse than a red one.
testbed_failed() {
  echo "testbed: $1 did not start; stopping the run (its tests would only skip). The end of the beds' logs:" >&2
  find "$OSSB_TESTBED_DIR" -name '*.log' -size +0 -exec tail -n 5 -v {} + >&2 2>/dev/null || true
}

# wait_for_http URL EXPECTED_CODES SECONDS: polls until curl gets one of the codes (space-separated).
wait_for_http() {
  local url=$1 codes=$2 seconds=$3 code deadline=$((SECONDS + $3))
  while [ $SECONDS -lt $deadline ]; do
    code=$(curl -s -k -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true)
    for c in $codes; do [ "$code" = "$c" ] && return 0; done
    sleep 0.1
  done
  echo "testbed: $url did not answer $codes within ${seconds}s (last: $code)" >&2
  return 1
}

stop_all() {
  [ -f "$OSSB_TESTBED_DIR/pids" ] || return 0
  while read -r pid; do
    kill "$pid" 2>/dev/null || true
  done < "$OSSB_TESTBED_DIR/pids"
  sleep 0.2
  while read -r pid; do
    kill -9 "$pid" 2>/dev/null || true
  done < "$OSSB_TESTBED_DIR/pids"
  rm -f "$OSSB_TESTBED_DIR/pids"
}

# registry_config DIR PORT: writes DIR/config.yml for docker-registry (distribution 2.8.2) on 127.0.0.1:PORT
# with its storage in DIR/storage (deletes enabled, manifests naming http(s) URLs for foreign layers accepted),
# followed by the `http:` extras and top-level sections read
# from standard input (indented as they belong: auth, tls).
registry_config() {
  local dir=$1 port=$2 extra
  extra=$(cat)
  mkdir -p "$dir/storage"
  cat > "$dir/config.yml" <<YAML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
# Foreign (non-distributable) layers name URLs; distribution refuses every manifest with URLs unless allowed.
validation:
  manifests:
    urls:
      allow:
        - ^https?://
http:
  addr: 127.0.0.1:$port
  secret: ossb-test-secret
$extra
YAML
}
