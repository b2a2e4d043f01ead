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

for bed in scripts/testbed/registry.sh scripts/testbed/dbus-beds.sh; do
  # shellcheck disable=SC1090
  source "$bed"
done
start_basic_registry
start_bare_bus
start_silent_bus

# Build every product first: the tests run the helper executables as child processes.
swift build --build-tests
scripts/testbed/keyring-session.sh swift test --skip-build "$@"
