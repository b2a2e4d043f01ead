#!/usr/bin/env bash
# Per-blob overhead: pulling an image of many small layers (default 200 of 4 KiB, random bytes) from a local
# docker-registry, `ossb-registry pull` (empty cache every run) against `curl -Z --parallel-max JOBS` fetching
# the manifest and the same layers at the same parallelism, plain and followed by `sync -f` (one syncfs: the
# same durability pass ours makes before its blobs get their names). Twice: on loopback, and through
# bench/delay-proxy.py, which delays each direction by DELAY_MS (default 10: 20 ms round trips), for both.
# Targets: ours within 1.2x of curl -Z + sync, on loopback and with the added latency. The commands run in
# interleaved rounds (bench/interleave.py), since the machine's load drifts while they run.
# BENCH_BASELINE=PATH[:PATH...] adds other ossb-registry executables (earlier builds) to the same rounds.
# BENCH_OUT=DIR puts what the pulls write (ours: the cache and the layout; curl's files) in DIR instead of under
# /tmp, to compare file systems: creating a file costs 20 times more on an ext4 without a journal, as this
# machine's root is, than on one with (docs/performance.md).
# Usage: [BENCH_RUNS=10] [OSSB_MAX_CONCURRENT=6] [BENCH_BASELINE=PATH] [BENCH_OUT=DIR] bench/pull-many.sh [LAYERS] [KIB] [DELAY_MS]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
bench_begin
layers=${1:-200}
kib=${2:-4}
delay=${3:-10}
jobs=${OSSB_MAX_CONCURRENT:-6}
runs=${BENCH_RUNS:-10}
out=$BENCH_DIR
if [ -n "${BENCH_OUT:-}" ]; then out=$(mktemp -d "$BENCH_OUT/ossb-bench.XXXXXX"); fi

cli=$(build_cli)
start_bench_registry
seeded=$(python3 scripts/testbed/seed-image.py --registry "$OSSB_TEST_BASIC_REGISTRY" --user "$OSSB_TEST_BASIC_USER" \
  --password-env OSSB_TEST_BASIC_PASSWORD --repo bench/many --tag v1 --layers "$layers" --layer-kib "$kib")

# The delaying proxy, stopped by its PID when the script ends.
python3 bench/delay-proxy.py --upstream "$OSSB_TEST_BASIC_REGISTRY" --delay-ms "$delay" >"$BENCH_DIR/proxy.port" &
proxy_pid=$!
trap 'kill "$proxy_pid" 2>/dev/null || true; [ "$out" = "$BENCH_DIR" ] || rm -rf "$out"; bench_end' EXIT
for _ in $(seq 50); do [ -s "$BENCH_DIR/proxy.port" ] && break; sleep 0.1; done
proxy="127.0.0.1:$(head -1 "$BENCH_DIR/proxy.port")"
export "OSSB_$(echo "$proxy" | tr '.:' '__')_USERNAME=$OSSB_TEST_BASIC_USER" \
  "OSSB_$(echo "$proxy" | tr '.:' '__')_PASSWORD=$OSSB_TEST_BASIC_PASSWORD"

export HOME="$BENCH_DIR/home" OSSB_CACHE_DIR="$out/cache"
mkdir -p "$HOME" "$out/curl"
echo "Pulls write to: $out ($(stat -f -c %T "$out"), $(findmnt -n -o SOURCE,OPTIONS -T "$out" | cut -c1-60))"
creds="$OSSB_TEST_BASIC_USER:$OSSB_TEST_BASIC_PASSWORD"
accept="application/vnd.oci.image.manifest.v1+json"
echo "Machine load before: $(cut -d' ' -f1-3 /proc/loadavg)"

# bench_case KEY NAME HOST: ours and curl against HOST (the registry, or the proxy in front of it).
bench_case() {
  local key=$1 name=$2 host=$3 urls
  urls=$(python3 - "$seeded" "$host" "$out/curl" <<'PY'
import json, sys
seeded, host, out = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
urls = [f"-o {out}/manifest http://{host}/v2/bench/many/manifests/v1"]
urls += [f"-o {out}/{i} http://{host}/v2/bench/many/blobs/{d}" for i, d in enumerate(seeded["layers"]["linux/amd64"])]
print(" ".join(urls))
PY
)
  local ours="$cli pull --quiet --jobs $jobs $host/bench/many:v1 --output $out/ours"
  local curl_cmd="curl -s -f -Z --parallel-max $jobs -H 'Accept: $accept' -u $creds $urls"
  local baseline=() other
  IFS=: read -r -a others <<<"${BENCH_BASELINE:-}"
  for other in "${others[@]}"; do baseline+=("$(basename "$other") pull" "${ours/$cli/$other}"); done
  $ours >/dev/null && sh -c "$curl_cmd" 2>/dev/null  # each must work before it is timed (quietly: -Z shows a meter)
  python3 bench/interleave.py "$BENCH_DIR/$key.json" "$runs" 1 "rm -rf $out/ours $OSSB_CACHE_DIR $out/curl/*" \
    "ossb-registry pull" "$ours" "curl -Z" "$curl_cmd" "curl -Z + sync -f" "$curl_cmd && sync -f $out/curl" \
    "${baseline[@]}"
  echo "$layers layers of $kib KiB, $name, $jobs at once ($runs interleaved rounds, empty cache each run):"
  print_ratios "$BENCH_DIR/$key.json" 0
  python3 - "$BENCH_DIR/$key.json" <<'PY'
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
print(f"  ossb-registry / (curl -Z + sync -f) = {r['ossb-registry pull'] / r['curl -Z + sync -f']:.2f}   (target < 1.2)")
print(f"  ossb-registry / curl -Z             = {r['ossb-registry pull'] / r['curl -Z']:.2f}")
PY
}

# cpu_and_calls NAME COMMAND: CPU time (user + system, median of BENCH_RUNS runs) and, once under strace, the
# system calls a pull makes: what each blob costs the client, whatever the registry's and the machine's load.
cpu_and_calls() {
  local name=$1 command=$2 i
  : >"$BENCH_DIR/cpu"
  for ((i = 0; i < runs; i++)); do
    rm -rf "$out/ours" "$OSSB_CACHE_DIR" "$out"/curl/*
    /usr/bin/time -a -o "$BENCH_DIR/cpu" -f '%U %S' sh -c "$command" >/dev/null 2>&1
  done
  rm -rf "$out/ours" "$OSSB_CACHE_DIR" "$out"/curl/*
  strace -f -c -o "$BENCH_DIR/calls" sh -c "$command" >/dev/null 2>&1
  python3 - "$name" "$BENCH_DIR/cpu" "$BENCH_DIR/calls" "$layers" <<'PY'
import statistics, sys
name, cpu, calls, layers = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
t = statistics.median(float(u) + float(s) for u, s in (l.split() for l in open(cpu) if l.strip()))
counts = {}
for line in open(calls):
    parts = line.split()
    if len(parts) >= 5 and parts[0][0].isdigit() and parts[-1] != "total":
        counts[parts[-1]] = int(parts[3])
total = sum(counts.values())
pick = " ".join(f"{k} {counts.get(k, 0)}" for k in ["fsync", "fdatasync", "syncfs", "rename", "openat", "mkdir", "getdents64"])
print(f"  {name:22s} CPU {t * 1000:6.0f} ms ({t * 1000 / layers:.2f} ms a blob); {total} system calls: {pick}")
PY
}

echo "Client cost, loopback ($runs runs each; CPU is the median of user + system time):"
cpu_and_calls "ossb-registry pull" "$cli pull --quiet --jobs $jobs $OSSB_TEST_BASIC_REGISTRY/bench/many:v1 --output $out/ours"
IFS=: read -r -a others <<<"${BENCH_BASELINE:-}"
for other in "${others[@]}"; do
  cpu_and_calls "$(basename "$other") pull" "$other pull --quiet --jobs $jobs $OSSB_TEST_BASIC_REGISTRY/bench/many:v1 --output $out/ours"
done

bench_case direct "loopback" "$OSSB_TEST_BASIC_REGISTRY"
bench_case delayed "$((2 * delay)) ms round trips (bench/delay-proxy.py)" "$proxy"
echo "Machine load after: $(cut -d' ' -f1-3 /proc/loadavg)"
