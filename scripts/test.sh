#!/usr/bin/env bash
# The test command (README): installs what is missing, starts the test beds on free loopback ports (a real
# docker-registry, a private D-Bus session with gnome-keyring), runs `swift test`, and stops what it started.
# Arguments are passed to `swift test` (for example: scripts/test.sh --filter FileStore).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/install-deps.sh

OSSB_TESTBED_DIR=$(mktemp -d /tmp/ossb-testbed.XXXXXX)
export OSSB_TESTBED_DIR
# shellcheck source=testbed/lib.sh
source scripts/testbed/lib.sh
cleanup() {
  stop_all
  rm -rf "$OSSB_TESTBED_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for bed in scripts/testbed/registry.sh scripts/testbed/token-registry.sh scripts/testbed/tls-registry.sh \
  scripts/testbed/http-server.sh scripts/testbed/hostile-registry.sh scripts/testbed/dbus-beds.sh; do
  # shellcheck disable=SC1090
  source "$bed"
done
start_basic_registry
start_fault_proxy
start_token_registry
start_tls_registry
start_http_server
start_hostile_registry
start_bare_bus
start_silent_bus

# Build every product first: the tests run the helper executables as child processes.
swift build --build-tests
# Short libFuzzer runs of the parsers on full runs (OSSB_FUZZ_SECONDS each, default 20; 0 skips), before the
# tests so that swift test's summary stays the last line.
if [ $# -eq 0 ] && [ "${OSSB_FUZZ_SECONDS:-20}" != 0 ]; then scripts/fuzz.sh "${OSSB_FUZZ_SECONDS:-20}"; fi
log="$OSSB_TESTBED_DIR/swift-test.log"
set +e
scripts/testbed/keyring-session.sh swift test --skip-build "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One plain summary line for CI, from Swift Testing's closing line ("Test run with N tests ... passed/failed").
python3 - "$log" "$status" <<'PY'
import re, sys
text = open(sys.argv[1], errors="replace").read()
m = re.findall(r"Test run with (\d+) tests? .*?(passed|failed)(?: after [\d.]+ seconds)?(?: with (\d+) issues?)?", text)
if m:
    total, outcome, issues = m[-1]
    failed = 0 if outcome == "passed" else len(set(re.findall(r"✘ Test (\S+?)\(", text))) or 1
    print(f"tests: {int(total) - failed} passed, {failed} failed")
PY
exit "$status"
