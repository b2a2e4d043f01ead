#!/usr/bin/env bash
# Benchmark: docker-credential-ossb-secretservice against Go's docker-credential-secretservice
# (golang-docker-credential-helpers) on the same gnome-keyring, side by side: `get` of one credential and
# `list` of 10, with hyperfine. Prints each median and the ratio ours/Go (below 1.0 means ours is faster).
# Usage: bench/keyring-helper.sh [--runs N]
# Runs itself inside a private D-Bus session with an unlocked gnome-keyring (scripts/testbed/keyring-session.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=100
if [ "${1:-}" = "--runs" ]; then runs=$2; fi

if [ -z "${OSSB_BENCH_INNER:-}" ]; then
  "$root/scripts/install-deps.sh" --bench
  cd "$root"
  # The configuration users get: release, Swift runtime linked in statically (libsecret stays dynamic).
  swift build -c release --static-swift-stdlib --product docker-credential-ossb-secretservice >&2
  bin=$(swift build -c release --static-swift-stdlib --show-bin-path)
  OSSB_BENCH_INNER=1 OSSB_BENCH_BIN="$bin" exec "$root/scripts/testbed/keyring-session.sh" "$0" "$@"
fi

[ -n "${OSSB_TEST_KEYRING:-}" ] || { echo "bench: gnome-keyring did not come up" >&2; exit 1; }
ours="$OSSB_BENCH_BIN/docker-credential-ossb-secretservice"
go=$(command -v docker-credential-secretservice) || { echo "bench: Go's docker-credential-secretservice is missing" >&2; exit 1; }
work=$(mktemp -d /tmp/ossb-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

# 10 credentials, half stored by each helper, so each reads items the other wrote too.
for i in $(seq 1 10); do
  helper=$ours; [ $((i % 2)) = 0 ] && helper=$go
  printf '{"ServerURL":"bench-%02d.example:5000","Username":"user%02d","Secret":"secret-%02d"}' "$i" "$i" "$i" \
    | "$helper" store
done
printf 'bench-05.example:5000' > "$work/get.in"

# Both must give the same answers before they are timed.
[ "$("$ours" get < "$work/get.in")" = "$("$go" get < "$work/get.in")" ] || { echo "bench: get answers differ" >&2; exit 1; }
count=$(python3 -c 'import json,sys; print(len(json.load(sys.stdin)))' <<<"$("$ours" list < /dev/null)")
[ "$count" = 10 ] || { echo "bench: expected 10 items, ours lists $count" >&2; exit 1; }

hyperfine --warmup 10 --runs "$runs" --style basic --export-json "$work/get.json" \
  -n "ours get" "$ours get < $work/get.in" -n "go get" "$go get < $work/get.in" >&2
hyperfine --warmup 10 --runs "$runs" --style basic --export-json "$work/list.json" \
  -n "ours list (10 items)" "$ours list < /dev/null" -n "go list (10 items)" "$go list < /dev/null" >&2

python3 - "$work/get.json" "$work/list.json" <<'PY'
import json, sys
print("keyring helper benchmark (gnome-keyring on a private session bus; median wall time, hyperfine)")
print(f"{'action':<8} {'ours ms':>9} {'Go ms':>9} {'ratio ours/Go':>14}")
for path, action in zip(sys.argv[1:], ["get", "list"]):
    ours, go = json.load(open(path))["results"]
    o, g = ours["median"] * 1000, go["median"] * 1000
    print(f"{action:<8} {o:9.2f} {g:9.2f} {o / g:14.2f}")
PY
