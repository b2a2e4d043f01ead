#!/usr/bin/env bash
# Pulling an image with one 200 MiB layer and four small ones from a local docker-registry: `ossb-registry pull`
# (empty cache every run) against `skopeo copy docker://… oci:DIR` and against curl fetching the same blobs,
# side by side with hyperfine; then each one's peak memory.
# Targets: faster than skopeo (ratio under 0.7), within 1.3x of curl, and peak memory that does not
# grow with layer size (under 40 MiB for the 200 MiB layer).
# Usage: bench/pull.sh [LAYER_MIB]   (default 200)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
bench_begin
mib=${1:-200}

cli=$(build_cli)
start_bench_registry
seeded=$(python3 scripts/testbed/seed-image.py --registry "$OSSB_TEST_BASIC_REGISTRY" --user "$OSSB_TEST_BASIC_USER" \
  --password-env OSSB_TEST_BASIC_PASSWORD --repo bench/big --tag v1 --layer-mib "$mib" --layers 5)
ref="$OSSB_TEST_BASIC_REGISTRY/bench/big:v1"
creds="$OSSB_TEST_BASIC_USER:$OSSB_TEST_BASIC_PASSWORD"
# curl fetches exactly the blobs the others fetch: config and layers, one connection, in order.
curl_args=$(python3 - "$seeded" "$OSSB_TEST_BASIC_REGISTRY" "$BENCH_DIR/curl" <<'PY'
import json, sys
seeded, registry, out = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
blobs = seeded["layers"]["linux/amd64"]
print(" ".join(f"-o {out}/{i} http://{registry}/v2/bench/big/blobs/{d}" for i, d in enumerate(blobs)))
PY
)
export HOME="$BENCH_DIR/home" OSSB_CACHE_DIR="$BENCH_DIR/cache"
mkdir -p "$HOME" "$BENCH_DIR/curl"
ours="$cli pull --quiet $ref --output $BENCH_DIR/ours"
skopeo_cmd="skopeo copy --quiet --src-tls-verify=false --src-creds $creds docker://$ref oci:$BENCH_DIR/skopeo:v1"
curl_cmd="curl -s -f -u $creds $curl_args"
# curl does not make its files durable; ossb-registry fsyncs each blob before it enters the cache (a power cut
# must never leave a wrong blob under a digest's name). The same curl followed by `sync` of its files is the
# like-for-like peer.
curl_sync_cmd="sh -c 'curl -s -f -u $creds $curl_args && sync $BENCH_DIR/curl/*'"
$ours >/dev/null && $skopeo_cmd >/dev/null && $curl_cmd  # each must work before it is timed

hyperfine --style basic --warmup 1 --runs "${BENCH_RUNS:-7}" --export-json "$BENCH_DIR/pull.json" \
  --prepare "rm -rf $BENCH_DIR/ours $BENCH_DIR/skopeo $OSSB_CACHE_DIR $BENCH_DIR/curl/*" \
  -n "ossb-registry pull" "$ours" -n "skopeo copy" "$skopeo_cmd" -n "curl (same blobs)" "$curl_cmd" -n "curl + sync" "$curl_sync_cmd" >/dev/null 2>&1
echo "Pull of one ${mib} MiB layer and four small ones from a local registry (hyperfine, ${BENCH_RUNS:-7} runs, empty cache each run):"
print_ratios "$BENCH_DIR/pull.json" 0
python3 - "$BENCH_DIR/pull.json" <<'PY'
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
print(f"  ossb-registry / skopeo = {r['ossb-registry pull'] / r['skopeo copy']:.2f}   (target < 0.7)")
print(f"  ossb-registry / curl   = {r['ossb-registry pull'] / r['curl (same blobs)']:.2f}   (target < 1.3)")
print(f"  ossb-registry / (curl + sync) = {r['ossb-registry pull'] / r['curl + sync']:.2f}")
PY
rm -rf "$BENCH_DIR/ours" "$BENCH_DIR/skopeo" "$OSSB_CACHE_DIR"
echo "Peak memory (MiB): ossb-registry $(peak_rss_mib $ours), skopeo $(rm -rf "$BENCH_DIR/skopeo"; peak_rss_mib $skopeo_cmd), curl $(peak_rss_mib $curl_cmd)   (target for ossb-registry < 40)"
