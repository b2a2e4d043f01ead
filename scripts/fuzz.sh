#!/usr/bin/env bash
# Builds and runs the libFuzzer target for the WWW-Authenticate parser and scope grammar.
# Usage: scripts/fuzz.sh [SECONDS]   (default 20)
# The parser's sources depend on the standard library only, so they are compiled directly with the fuzz entry
# (swiftc -sanitize=fuzzer,address) instead of through a separate package build.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-20}
out="$root/.build/fuzz"
mkdir -p "$out/corpus"
cp "$root"/fuzz/ChallengeFuzzer/corpus/* "$out/corpus/"
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name ChallengeFuzzer \
  "$root/fuzz/ChallengeFuzzer/ChallengeFuzzer.swift" \
  "$root/Sources/AuthCore/Auth/AuthChallenge.swift" \
  "$root/Sources/AuthCore/Auth/BearerChallenge.swift" \
  "$root/Sources/AuthCore/Auth/Scope.swift" \
  "$root/Sources/AuthCore/Auth/ScopeSet.swift" \
  -o "$out/challenge-fuzzer" 2> "$out/build.log" || { cat "$out/build.log" >&2; exit 1; }
# Without this, Swift's backtracer kills the process on a trap before libFuzzer writes the crash input.
SWIFT_BACKTRACE=enable=no "$out/challenge-fuzzer" -max_total_time="$seconds" -max_len=4096 \
  -artifact_prefix="$out/" "$out/corpus" 2>&1 | tail -n 5
echo "fuzz: challenge parser ran ${seconds}s without a crash" >&2
