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
  scripts/testbed/http-server.sh; do
  # shellcheck disable=SC1090
  source "$bed"
done
start_basic_registry
start_token_registry
start_tls_registry
start_http_server

# Build every product first: the tests run the helper executables as child processes.
swift build --build-tests
# A short libFuzzer run of the WWW-Authenticate parser on full runs (OSSB_FUZZ_SECONDS, default 20; 0 skips),
# before the tests so that swift test's summary stays the last line.
if [ $# -eq 0 ] && [ "${OSSB_FUZZ_SECONDS:-20}" != 0 ]; then scripts/fuzz.sh "${OSSB_FUZZ_SECONDS:-20}"; fi
scripts/testbed/keyring-session.sh swift test --skip-build "$@"
