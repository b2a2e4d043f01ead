# Shared bench helpers. A bench script starts with:
#   cd "$(dirname "$0")/.." && source bench/lib.sh && bench_begin
# which installs what benches need, makes $BENCH_DIR and removes it (and stops any test bed) on exit.

bench_begin() {
  set -euo pipefail
  scripts/install-deps.sh --bench
  BENCH_DIR=$(mktemp -d /tmp/ossb-bench.XXXXXX)
  trap bench_end EXIT
}

bench_end() {
  if [ -n "${OSSB_TESTBED_DIR:-}" ]; then stop_all; fi
  gpgconf --kill gpg-agent 2>/dev/null || true
  rm -rf "$BENCH_DIR"
}

# build_helpers: release builds as scripts/install.sh makes them (fully static helpers), into .build/static-executable.
build_static_helper() {
  swift build -c release --scratch-path .build/static-executable -Xswiftc -static-executable --product "$1" \
    > "$BENCH_DIR/build-$1.log" 2>&1 || { tail -20 "$BENCH_DIR/build-$1.log"; return 1; }
  # Stripped and copied as scripts/install.sh installs it, so that the figures are the installed executable's.
  strip -o "$BENCH_DIR/$1.stripped" ".build/static-executable/release/$1"
  install -m 0755 "$BENCH_DIR/$1.stripped" "$BENCH_DIR/$1"
  echo "$BENCH_DIR/$1"
}

# ratios JSON BASELINE_INDEX: prints each command's median and its ratio to the baseline command's median.
print_ratios() {
  python3 - "$1" "$2" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
base = results[int(sys.argv[2])]
for r in results:
    med = r["median"] * 1000
    print(f"  {r['command'][:34]:34s} median {med:7.3f} ms  mean {r['mean']*1000:7.3f} ms  "
          f"ratio to {base['command']}: {r['median']/base['median']:5.2f}x")
PY
}

# time_commands JSON RUNS: times every command of the arrays `names` and `commands` (each run through the shell,
# as `CMD < input`) with hyperfine into JSON, after checking that each one succeeds: a command that fails would
# be timed failing fast.
time_commands() {
  local out=$1 runs=$2 c i
  for c in "${commands[@]}"; do sh -c "$c" >/dev/null; done
  local args=()
  for i in "${!commands[@]}"; do args+=(-n "${names[$i]}" "${commands[$i]}"); done
  hyperfine --style basic --warmup 30 --min-runs "$runs" --export-json "$out" "${args[@]}" >/dev/null 2>&1
}

# setup_pass DIR: a throwaway gpg key and password store for Go's docker-credential-pass (its batch recipe, so that no prompt appears).
setup_pass() {
  export GNUPGHOME="$1/gnupg" PASSWORD_STORE_DIR="$1/password-store"
  mkdir -p "$GNUPGHOME" && chmod 700 "$GNUPGHOME"
  gpg --batch --pinentry-mode loopback --passphrase '' --quick-gen-key "ossb bench <bench@ossb.invalid>" ed25519 cert never >/dev/null 2>&1
  local fpr
  fpr=$(gpg --list-keys --with-colons | awk -F: '/^fpr/ {print $10; exit}')
  gpg --batch --pinentry-mode loopback --passphrase '' --quick-add-key "$fpr" cv25519 encr never >/dev/null 2>&1
  pass init "$fpr" >/dev/null 2>&1
}

# start_bench_registry: a Basic-auth docker-registry on loopback (the test bed's), its PID recorded under
# $BENCH_DIR so the caller's trap stops it. Exports OSSB_TEST_BASIC_* like the test bed and the env-variable
# credentials ossb-registry reads for it.
start_bench_registry() {
  export OSSB_TESTBED_DIR="$BENCH_DIR/testbed"
  mkdir -p "$OSSB_TESTBED_DIR"
  source scripts/testbed/lib.sh
  source scripts/testbed/registry.sh
  start_basic_registry 2>/dev/null
  local prefix
  prefix="OSSB_$(echo "$OSSB_TEST_BASIC_REGISTRY" | tr '.:' '__')"
  export "${prefix}_USERNAME=$OSSB_TEST_BASIC_USER" "${prefix}_PASSWORD=$OSSB_TEST_BASIC_PASSWORD"
  export REGISTRY_STORAGE="$OSSB_TESTBED_DIR/basic-registry/storage"
}

# build_cli: ossb-registry in release mode with a static Swift runtime, as scripts/install.sh builds it.
build_cli() {
  swift build -c release --static-swift-stdlib --product ossb-registry > "$BENCH_DIR/build-cli.log" 2>&1 \
    || { tail -20 "$BENCH_DIR/build-cli.log"; return 1; }
  echo "$PWD/.build/release/ossb-registry"
}

# peak_rss_mib COMMAND...: the command's peak resident memory in MiB (GNU time).
peak_rss_mib() {
  /usr/bin/time -f '%M' -o "$BENCH_DIR/rss" "$@" >/dev/null 2>&1
  awk '{printf "%.1f", $1 / 1024}' "$BENCH_DIR/rss"
}
