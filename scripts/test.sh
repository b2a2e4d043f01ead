#!/usr/bin/env bash
# The test command (README): installs what is missing, starts the test beds on free loopback ports (a real
# docker-registry, a private D-Bus session with gnome-keyring), runs `swift test`, and stops what it started.
# Arguments are passed to `swift test` (for example: scripts/test.sh --filter FileStore).
# A test bed that does not start stops the run. The last line is `tests: N passed, N failed, N skipped`, counted
# from Swift Testing's own results; with CI set, a test skipped for a missing peer fails the run.
# OSSB_TEST_SCRATCH_PATH: build into that directory instead of .build (scripts/coverage.sh uses it), with the
# extra `swift build` flags in OSSB_TEST_BUILD_FLAGS.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# Tests whose skip condition can never be met on some machines, whatever is installed: one runs only as root
# (the helper drops to `nobody` with setpriv), the other only as another user (root reads a mode-0 file). On
# any machine one of them skips; CI accepts these skips and no others.
never_apply=(
  "HelperTests.K8sHelperProcessTests/unreadableFileAsAnotherUser()"
  "AuthCoreTests.MountedSecretBadInputTests/unreadableFile()"
)

scripts/install-deps.sh

OSSB_TESTBED_DIR=$(mktemp -d /tmp/ossb-testbed.XXXXXX)
export OSSB_TESTBED_DIR
# shellcheck source=testbed/lib.sh
source scripts/testbed/lib.sh
cleanup() {
  # Quietly: the shell's "Killed" notes for servers that needed SIGKILL would come after the summary line, which
  # must stay the last line of the run.
  { stop_all; wait; } 2>/dev/null
  rm -rf "$OSSB_TESTBED_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for bed in scripts/testbed/registry.sh scripts/testbed/token-registry.sh scripts/testbed/tls-registry.sh \
  scripts/testbed/http-server.sh scripts/testbed/hostile-registry.sh scripts/testbed/dbus-beds.sh \
  scripts/testbed/cloud-beds.sh scripts/testbed/moto.sh scripts/testbed/cloud-names.sh; do
  # shellcheck disable=SC1090
  source "$bed"
done
# start_bed NAME FUNCTION: starts one test bed or stops the run, so that its tests never skip silently. The
# summary line still ends the output, counting the run itself as the one failure.
start_bed() {
  "$2" && return 0
  testbed_failed "$1"
  echo "failed: (the test beds)"
  echo "tests: 0 passed, 1 failed, 0 skipped"
  exit 1
}
start_bed "the registry with Basic auth" start_basic_registry
start_bed "the fault-injecting proxy" start_fault_proxy
start_bed "the token registry" start_token_registry
start_bed "the Google and Azure stand-ins" start_cloud_beds
start_bed "the HTTPS registry" start_tls_registry
start_bed "the HTTP test server" start_http_server
start_bed "the hostile registry" start_hostile_registry
start_bed "the hostile cloud endpoints" start_hostile_cloud
start_bed "the bare D-Bus bus" start_bare_bus
start_bed "the silent D-Bus bus" start_silent_bus
start_bed "the flaky Secret Service" start_flaky_keyring_bus
start_bed "moto (AWS stand-in)" start_moto
# Only as root (port 443, unshare -m); as another user it starts nothing and its tests skip.
start_bed "the cloud-named registries" start_cloud_names

build=(swift build --build-tests)
run=(swift test --skip-build)
if [ -n "${OSSB_TEST_SCRATCH_PATH:-}" ]; then
  build+=(--scratch-path "$OSSB_TEST_SCRATCH_PATH")
  run+=(--scratch-path "$OSSB_TEST_SCRATCH_PATH")
fi
# shellcheck disable=SC2206  # the flags are words on purpose
build+=(${OSSB_TEST_BUILD_FLAGS:-})
# Build every product first: the tests run the helper executables as child processes.
"${build[@]}"
# Short libFuzzer runs on full runs (OSSB_FUZZ_SECONDS per target, default 10: four targets; 0 skips), before the
# tests so that the summary stays the last line.
if [ $# -eq 0 ] && [ "${OSSB_FUZZ_SECONDS:-10}" != 0 ]; then scripts/fuzz.sh "${OSSB_FUZZ_SECONDS:-10}"; fi

# Swift Testing writes its results as JUnit XML beside the path given (results-swift-testing.xml); XCTest, if
# the package ever has XCTest tests, writes results.xml. The summary counts both.
results="$OSSB_TESTBED_DIR/results.xml"
# At most as many test cases at once as the task pool has threads (one a core). Swift Testing's default is twice
# that, and with two synchronous process tests blocking both threads for half a minute (a keyring that never
# answers, a lock held 35 s) the other two cases in flight could not run their own tasks: a streaming copy's
# download never started and its upload gave up after 60 s; measured on a loaded machine, reproduced twice.
export SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH="${SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH:-$(nproc)}"
set +e
scripts/testbed/keyring-session.sh "${run[@]}" --xunit-output "$results" "$@"
status=$?
set -e
summary_status=0
python3 - "$results" "$status" "${never_apply[@]}" <<'PY' || summary_status=$?
import os, sys, xml.etree.ElementTree as ET

results, status, never_apply = sys.argv[1], int(sys.argv[2]), set(sys.argv[3:])
files = [f for f in (results.removesuffix(".xml") + "-swift-testing.xml", results) if os.path.exists(f)]
passed, failed, skipped = [], [], []
for path in files:
    for case in ET.parse(path).iter("testcase"):
        name = f"{case.get('classname')}/{case.get('name')}"
        if case.find("failure") is not None or case.find("error") is not None:
            failed.append(name)
        elif (skip := case.find("skipped")) is not None:
            skipped.append((name, (skip.text or skip.get("message") or "").strip()))
        else:
            passed.append(name)
code = 0
if not files:
    # The test process died before writing its results (a crash, a signal): nothing can be counted.
    print(f"test.sh: swift test exited with status {status} without writing its results; see the output above")
    failed.append("(the test run)")
for name in failed:
    print(f"failed: {name}")
for name, reason in skipped:
    print(f"skipped: {name}: {reason}")
missing_peer = [(n, r) for n, r in skipped if n not in never_apply]
if os.environ.get("CI") and missing_peer:
    print(f"test.sh: CI is set and {len(missing_peer)} test(s) skipped for a missing peer or test bed; install "
          "it (scripts/install-deps.sh) or fix the test bed:")
    for name, reason in missing_peer:
        print(f"  {name}: {reason}")
    code = 1
if status != 0 and not failed:
    # swift test failed without a failing test case (an issue recorded outside any test, a build step).
    print(f"test.sh: swift test exited with status {status}")
    failed.append("(the test run)")
print(f"tests: {len(passed)} passed, {len(failed)} failed, {len(skipped)} skipped")
sys.exit(code)
PY
if [ "$status" -ne 0 ]; then exit "$status"; fi
exit "$summary_status"
