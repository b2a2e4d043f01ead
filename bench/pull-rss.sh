#!/usr/bin/env bash
# Peak memory and time of pulling images of 1, 10 and 30 layers of 8 MiB each from a local docker-registry:
# `ossb-registry pull` (empty cache every run) against `skopeo copy docker://… oci:DIR` and against
# `curl -Z --parallel-max JOBS` fetching the same blobs. Memory must not grow with the layer count.
# Each figure is the median of BENCH_RUNS runs (default 5); min and max show how noisy the machine was.
# Usage: [BENCH_LAYER_MIB=8] bench/pull-rss.sh [LAYER_COUNTS...]   (default 1 10 30; BENCH_LAYER_MIB=0 gives tiny layers)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
bench_begin
counts=("${@:-1 10 30}")
read -r -a counts <<<"${counts[*]}"
runs=${BENCH_RUNS:-5}
jobs=${OSSB_MAX_CONCURRENT:-6}
mib=${BENCH_LAYER_MIB:-8}

cli=$(build_cli)
start_bench_registry
export HOME="$BENCH_DIR/home" OSSB_CACHE_DIR="$BENCH_DIR/cache"
mkdir -p "$HOME" "$BENCH_DIR/curl"
creds="$OSSB_TEST_BASIC_USER:$OSSB_TEST_BASIC_PASSWORD"

# measure NAME PREPARE COMMAND: runs COMMAND `runs` times under GNU time after PREPARE; prints the median,
# min and max of peak RSS (MiB) and of wall time (s).
measure() {
  local name=$1 prepare=$2 command=$3 i
  : >"$BENCH_DIR/samples"
  for ((i = 0; i < runs; i++)); do
    sh -c "$prepare"
    /usr/bin/time -f '%M %e' -o "$BENCH_DIR/one" sh -c "$command" >/dev/null 2>&1 || { echo "  $name failed"; return 1; }
    cat "$BENCH_DIR/one" >>"$BENCH_DIR/samples"
  done
  python3 - "$name" "$BENCH_DIR/samples" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[2]) if l.strip()]
rss = [int(r[0]) / 1024 for r in rows]; t = [float(r[1]) for r in rows]
print(f"  {sys.argv[1]:30s} peak RSS median {statistics.median(rss):6.1f} MiB (min {min(rss):5.1f}, max {max(rss):5.1f})"
      f"   time median {statistics.median(t):5.2f} s (min {min(t):5.2f}, max {max(t):5.2f})")
PY
}

for n in "${counts[@]}"; do
  seeded=$(python3 scripts/testbed/seed-image.py --registry "$OSSB_TEST_BASIC_REGISTRY" --user "$OSSB_TEST_BASIC_USER" \
    --password-env OSSB_TEST_BASIC_PASSWORD --repo "bench/rss$n" --tag v1 --layer-mib "$mib" --every-layer --layers "$n")
  ref="$OSSB_TEST_BASIC_REGISTRY/bench/rss$n:v1"
  # curl fetches exactly the layers the others fetch, JOBS at a time over reused connections.
  curl_args=$(python3 - "$seeded" "$OSSB_TEST_BASIC_REGISTRY" "$BENCH_DIR/curl" "$n" <<'PY'
import json, sys
seeded, registry, out, n = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
blobs = seeded["layers"]["linux/amd64"]
print(" ".join(f"-o {out}/{i} http://{registry}/v2/bench/rss{n}/blobs/{d}" for i, d in enumerate(blobs)))
PY
)
  echo "Pull of $n layer(s) of $mib MiB ($runs runs each, empty cache every run):"
  measure "ossb-registry pull" "rm -rf $BENCH_DIR/ours $OSSB_CACHE_DIR" "$cli pull --quiet $ref --output $BENCH_DIR/ours"
  measure "skopeo copy" "rm -rf $BENCH_DIR/skopeo" \
    "skopeo copy --quiet --src-tls-verify=false --src-creds $creds docker://$ref oci:$BENCH_DIR/skopeo:v1"
  measure "curl -Z --parallel-max $jobs + sync" "rm -rf $BENCH_DIR/curl/*" \
    "curl -s -f -Z --parallel-max $jobs -u $creds $curl_args && sync $BENCH_DIR/curl/*"
done
