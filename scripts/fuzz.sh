#!/usr/bin/env bash
# Builds and runs the libFuzzer targets: the WWW-Authenticate parser with the scope grammar, the image reference
# parser, the JSON parser and writer (round trip), and the credential-helper protocol on arbitrary stdin.
# Usage: scripts/fuzz.sh [SECONDS]   (per target, default 20)
# The sources are compiled directly with swiftc (-sanitize=fuzzer,address) instead of through a separate package
# build: RegistryVocabulary, which imports nothing, is built whole as a module of its own that the fuzz entries
# import as users do; the helper protocol's entry is compiled with all of AuthCore (FoundationEssentials, Glibc and
# the CLinuxFiles declarations, a header only).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-20}
out="$root/.build/fuzz"

# The vocabulary module, instrumented: every file of Sources/RegistryVocabulary, so a new file needs no edit here.
vocabulary="$out/RegistryVocabulary"
mkdir -p "$vocabulary"
swiftc -O -sanitize=fuzzer,address -parse-as-library -package-name ossb_registry -module-name RegistryVocabulary -emit-module \
  -emit-module-path "$vocabulary/RegistryVocabulary.swiftmodule" -emit-library -static \
  -o "$vocabulary/libRegistryVocabulary.a" "$root"/Sources/RegistryVocabulary/*.swift 2> "$vocabulary/build.log" \
  || { cat "$vocabulary/build.log" >&2; exit 1; }

# fuzz NAME SOURCES...: builds fuzz/NAME/NAME.swift with the sources, against the vocabulary module, and runs it
# on its corpus.
fuzz() {
  local name=$1; shift
  mkdir -p "$out/$name/corpus"
  cp "$root/fuzz/$name/corpus/"* "$out/$name/corpus/"
  swiftc -O -sanitize=fuzzer,address -parse-as-library -package-name ossb_registry -module-name "$name" \
    -I "$vocabulary" -I "$root/Sources/CLinuxFiles" \
    "$root/fuzz/$name/$name.swift" "$@" "$vocabulary/libRegistryVocabulary.a" -o "$out/$name/fuzzer" \
    2> "$out/$name/build.log" || { cat "$out/$name/build.log" >&2; exit 1; }
  # Without this, Swift's backtracer kills the process on a trap before libFuzzer writes the crash input.
  SWIFT_BACKTRACE=enable=no "$out/$name/fuzzer" -max_total_time="$seconds" -max_len=4096 \
    -artifact_prefix="$out/$name/" "$out/$name/corpus" 2>&1 | tail -n 3
  echo "fuzz: $name ran ${seconds}s without a crash" >&2
}

fuzz ChallengeFuzzer
fuzz ReferenceFuzzer
fuzz JSONFuzzer "$root"/Sources/AuthCore/JSON/*.swift
# shellcheck disable=SC2046  # AuthCore's file names have no spaces
fuzz HelperProtocolFuzzer $(find "$root/Sources/AuthCore" -name '*.swift' | sort)
