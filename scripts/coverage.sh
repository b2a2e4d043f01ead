#!/usr/bin/env bash
# Line coverage of the whole suite, counting the helper processes the tests start, per module.
# Usage: scripts/coverage.sh [swift test arguments]   (for example: --filter FileStore)
# Builds an instrumented copy into .build/coverage (the normal build is left alone), runs scripts/test.sh on it
# with LLVM_PROFILE_FILE set (`%p`: every process, test runner and child helper alike, writes its own profile;
# the tests pass the variable on to the children they start), merges the profiles with llvm-profdata and reports
# with llvm-cov: one row per module (Sources/<module>, helpers/<helper>), tests, fuzzers and bench excluded.
# The per-file report is left in .build/coverage/report.txt. Slow (a second full build): not part of CI.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scratch="$root/.build/coverage"
profiles="$scratch/profiles"
rm -rf "$profiles"
mkdir -p "$profiles"
tools=$(dirname "$(readlink -f "$(command -v swift)")")
llvm_profdata="$tools/llvm-profdata" llvm_cov="$tools/llvm-cov"
[ -x "$llvm_profdata" ] && [ -x "$llvm_cov" ] || { echo "coverage: llvm-profdata and llvm-cov are not beside swift in $tools" >&2; exit 1; }

status=0
OSSB_TEST_SCRATCH_PATH="$scratch" OSSB_TEST_BUILD_FLAGS="--enable-code-coverage" OSSB_FUZZ_SECONDS=0 \
  LLVM_PROFILE_FILE="$profiles/%p-%m.profraw" scripts/test.sh "$@" || status=$?

"$llvm_profdata" merge -sparse "$profiles"/*.profraw -o "$scratch/merged.profdata"
bin=$(swift build --scratch-path "$scratch" --show-bin-path)
objects=("$bin/ossb-registryPackageTests.xctest" "$bin/ossb-registry")
for helper in helpers/*; do objects+=("$bin/$(basename "$helper")"); done
object_args=()
for object in "${objects[@]:1}"; do object_args+=(-object "$object"); done
ignore='(/Tests/|/fuzz/|/bench/|/\.build/|/usr/include/)'
"$llvm_cov" report "${objects[0]}" "${object_args[@]}" -instr-profile "$scratch/merged.profdata" \
  -ignore-filename-regex "$ignore" > "$scratch/report.txt"
"$llvm_cov" export -summary-only "${objects[0]}" "${object_args[@]}" -instr-profile "$scratch/merged.profdata" \
  -ignore-filename-regex "$ignore" > "$scratch/summary.json"

python3 - "$scratch/summary.json" "$root" <<'PY'
import json, sys
summary, root = json.load(open(sys.argv[1])), sys.argv[2] + "/"
modules = {}
for entry in summary["data"][0]["files"]:
    path = entry["filename"].removeprefix(root)
    parts = path.split("/")
    module = "/".join(parts[:2]) if parts[0] in ("Sources", "helpers") else parts[0]
    lines = entry["summary"]["lines"]
    covered, count = modules.get(module, (0, 0))
    modules[module] = (covered + lines["covered"], count + lines["count"])
print("| module | lines | covered | line coverage |")
print("|---|---:|---:|---:|")
total_covered = total = 0
for module, (covered, count) in sorted(modules.items()):
    total_covered, total = total_covered + covered, total + count
    print(f"| {module} | {count} | {covered} | {100 * covered / max(count, 1):.1f}% |")
print(f"| all | {total} | {total_covered} | {100 * total_covered / max(total, 1):.1f}% |")
PY
exit "$status"
