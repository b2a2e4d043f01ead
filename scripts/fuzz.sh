#!/usr/bin/env bash
# Builds and runs the libFuzzer targets: the WWW-Authenticate parser with the scope grammar, the image reference
# parser, the JSON parser and writer (round trip), and the credential-helper protocol on arbitrary stdin.
# Usage: scripts/fuzz.sh [SECONDS]   (per target, default 20)
# The sources are compiled directly with each fuzz entry (swiftc -sanitize=fuzzer,address) instead of through a
# separate package build: the parsers need the standard library only, the helper protocol all of AuthCore
# (FoundationEssentials and Glibc).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-20}
out="$root/.build/fuzz"

# fuzz NAME SOURCES...: builds fuzz/NAME/NAME.swift with the sources and runs it on its corpus.
fuzz() {
  local name=$1; shift
  mkdir -p "$out/$name/corpus"
  cp "$root/fuzz/$name/corpus/"* "$out/$name/corpus/"
  swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name "$name" -package-name ossb_registry \
    "$root/fuzz/$name/$name.swift" "$@" -o "$out/$name/fuzzer" 2> "$out/$name/build.log" \
    || { cat "$out/$name/build.log" >&2; exit 1; }
  # Without this, Swift's backtracer kills the process on a trap before libFuzzer writes the crash input.
  SWIFT_BACKTRACE=enable=no "$out/$name/fuzzer" -max_total_time="$seconds" -max_len=4096 \
    -artifact_prefix="$out/$name/" "$out/$name/corpus" 2>&1 | tail -n 3
  echo "fuzz: $name ran ${seconds}s without a crash" >&2
}

fuzz ChallengeFuzzer \
  "$root/Sources/AuthCore/Auth/AuthChallenge.swift" \
  "$root/Sources/AuthCore/Auth/BearerChallenge.swift" \
  "$root/Sources/AuthCore/Auth/Scope.swift" \
  "$root/Sources/AuthCore/Auth/ScopeSet.swift"
fuzz ReferenceFuzzer \
  "$root/Sources/RegistryClient/Reference/ImageReference.swift" \
  "$root/Sources/RegistryClient/Reference/ImageReferenceError.swift" \
  "$root/Sources/RegistryClient/Reference/Digest.swift"
fuzz JSONFuzzer "$root"/Sources/AuthCore/JSON/*.swift
# shellcheck disable=SC2046  # AuthCore's file names have no spaces
fuzz HelperProtocolFuzzer $(find "$root/Sources/AuthCore" -name '*.swift' | sort)
