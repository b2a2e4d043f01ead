#!/usr/bin/env bash
# Benchmark: docker-credential-ossb-secretservice against Go's docker-credential-secretservice
# (golang-docker-credential-helpers) on the same gnome-keyring, side by side: `get` of one credential, `get` of
# a registry with nothing stored, and `list`, with 10 and then 100 items in the keyring, with hyperfine. Prints each median and the ratio ours/Go
# (below 1.0 means ours is faster).
# Usage: bench/keyring-helper.sh [--runs N]   (N runs per helper per round, 5 rounds)
# The rounds alternate which helper goes first, so a change in machine load mid-run biases neither side.
# Runs itself inside a private D-Bus session with an unlocked gnome-keyring (scripts/testbed/keyring-session.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=40
rounds=5
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

seed() {  # seed FROM TO: credentials bench-FROM..TO, alternately stored by each helper (each reads the other's)
  local i helper
  for i in $(seq "$1" "$2"); do
    helper=$ours; [ $((i % 2)) = 0 ] && helper=$go
    printf '{"ServerURL":"bench-%03d.example:5000","Username":"user%03d","Secret":"secret-%03d"}' "$i" "$i" "$i" \
      | "$helper" store
  done
}
check() {  # check COUNT: both helpers give the same answers before they are timed
  [ "$("$ours" get < "$work/get.in")" = "$("$go" get < "$work/get.in")" ] || { echo "bench: get answers differ" >&2; exit 1; }
  local count
  count=$(python3 -c 'import json,sys; print(len(json.load(sys.stdin)))' <<<"$("$ours" list < /dev/null)")
  [ "$count" = "$1" ] || { echo "bench: expected $1 items, ours lists $count" >&2; exit 1; }
}
printf 'bench-005.example:5000' > "$work/get.in"
printf 'not-stored.example:5000' > "$work/miss.in"  # docker asks for every registry, stored or not

bench_pair() {  # bench_pair NAME OURS_COMMAND GO_COMMAND [RUNS]: $rounds hyperfine runs, alternating the order
  local name=$1 ours_cmd=$2 go_cmd=$3 runs=${4:-$runs} round
  for round in $(seq 1 "$rounds"); do
    if [ $((round % 2)) = 1 ]; then
      hyperfine ${HYPERFINE_EXTRA:-} --warmup 5 --runs "$runs" --style none --export-json "$work/$name.$round.json" \
        -n ours "$ours_cmd" -n go "$go_cmd"
    else
      hyperfine ${HYPERFINE_EXTRA:-} --warmup 5 --runs "$runs" --style none --export-json "$work/$name.$round.json" \
        -n go "$go_cmd" -n ours "$ours_cmd"
    fi
  done
}
seed 1 10
check 10
bench_pair get "$ours get < $work/get.in" "$go get < $work/get.in"
bench_pair list "$ours list < /dev/null" "$go list < /dev/null"
# Not found exits 1, which hyperfine must accept (-i through HYPERFINE_EXTRA).
HYPERFINE_EXTRA=-i bench_pair miss "$ours get < $work/miss.in" "$go get < $work/miss.in"
# 100 items: Go's list reads every item through a proxy and its secret, so fewer runs keep the bench short.
seed 11 100
check 100
bench_pair get100 "$ours get < $work/get.in" "$go get < $work/get.in"
HYPERFINE_EXTRA=-i bench_pair miss100 "$ours get < $work/miss.in" "$go get < $work/miss.in"
bench_pair list100 "$ours list < /dev/null" "$go list < /dev/null" $(( (runs + 3) / 4 ))

python3 - "$work" "$rounds" <<'PY'
import json, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
print("keyring helper benchmark: docker-credential-ossb-secretservice vs Go's docker-credential-secretservice 0.6.4")
print("(gnome-keyring on a private session bus; wall time per call, hyperfine, %d alternating rounds)" % rounds)
print(f"{'action':<16} {'ours median':>12} {'Go median':>10} {'ratio ours/Go':>14} {'per-round ratios':>18}")
for action, label in [("get", "get (10 items)"), ("list", "list (10 items)"), ("miss", "get, not stored"),
                      ("get100", "get (100 items)"), ("miss100", "not stored (100)"), ("list100", "list (100 items)")]:
    times = {"ours": [], "go": []}
    per_round = []
    for r in range(1, rounds + 1):
        results = {x["command"]: x for x in json.load(open(f"{work}/{action}.{r}.json"))["results"]}
        for name in times: times[name] += results[name]["times"]
        per_round.append(results["ours"]["median"] / results["go"]["median"])
    o, g = statistics.median(times["ours"]) * 1000, statistics.median(times["go"]) * 1000
    spread = f"{min(per_round):.2f}-{max(per_round):.2f}"
    print(f"{label:<16} {o:9.2f} ms {g:7.2f} ms {o / g:14.2f} {spread:>18}")
PY
