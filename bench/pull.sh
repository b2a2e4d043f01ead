#!/usr/bin/env bash
# Pulling an image with one 200 MiB layer and four small ones from a local docker-registry: `ossb-registry pull`
# (empty cache every run) against `skopeo copy docker://… oci:DIR` and against curl fetching the same blobs,
# side by side in interleaved rounds (bench/interleave.py); then each one's peak memory.
# Targets: faster than skopeo (ratio under 0.7), within 1.3x of curl, and peak memory that does not
# grow with layer size (under 40 MiB for the 200 MiB layer). For one 1 GiB layer
# (`BENCH_LAYERS=1 bench/pull.sh 1024`): within 1.1x of `curl -o` followed by `sync`, peak memory under 40 MiB.
# ossb-registry writes each blob once, durably, into the layout (the cache keeps a hard link to it, so the
# layout and the cache share the file); `pull --no-cache` (no cache at all) is timed beside it. BENCH_SKOPEO=0
# leaves skopeo out (slow for 1 GiB).
# Usage: [BENCH_RUNS=7] [BENCH_LAYERS=5] [BENCH_SKOPEO=1] bench/pull.sh [LAYER_MIB]   (default 200)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
bench_begin
mib=${1:-200}
layers=${BENCH_LAYERS:-5}
runs=${BENCH_RUNS:-7}

cli=$(build_cli)
start_bench_registry
seeded=$(python3 scripts/testbed/seed-image.py --registry "$OSSB_TEST_BASIC_REGISTRY" --user "$OSSB_TEST_BASIC_USER" \
  --password-env OSSB_TEST_BASIC_PASSWORD --repo bench/big --tag v1 --layer-mib "$mib" --layers "$layers")
ref="$OSSB_TEST_BASIC_REGISTRY/bench/big:v1"
creds="$OSSB_TEST_BASIC_USER:$OSSB_TEST_BASIC_PASSWORD"
# curl fetches the layers the others fetch (not the small config), one connection, in order.
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
ours_nocache="$cli pull --quiet --no-cache $ref --output $BENCH_DIR/ours-nocache"
skopeo_cmd="skopeo copy --quiet --src-tls-verify=false --src-creds $creds docker://$ref oci:$BENCH_DIR/skopeo:v1"
curl_cmd="curl -s -f -u $creds $curl_args"
# curl does not make its files durable; ossb-registry makes every blob durable before it gets its digest's name
# (a power cut must never leave a wrong blob under it). The same curl followed by `sync` of its files is the
# like-for-like peer.
curl_sync_cmd="curl -s -f -u $creds $curl_args && sync $BENCH_DIR/curl/*"
$ours >/dev/null && $ours_nocache >/dev/null && $curl_cmd  # each must work before it is timed
peers=("curl (same blobs)" "$curl_cmd" "curl + sync" "$curl_sync_cmd")
if [ "${BENCH_SKOPEO:-1}" = 1 ]; then
  $skopeo_cmd >/dev/null
  peers+=("skopeo copy" "$skopeo_cmd")
fi
echo "Machine load before: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 bench/interleave.py "$BENCH_DIR/pull.json" "$runs" 1 \
  "rm -rf $BENCH_DIR/ours $BENCH_DIR/ours-nocache $BENCH_DIR/skopeo $OSSB_CACHE_DIR $BENCH_DIR/curl/*" \
  "ossb-registry pull" "$ours" "ossb-registry pull --no-cache" "$ours_nocache" "${peers[@]}"
echo "Pull of $layers layer(s), the first $mib MiB, from a local registry ($runs interleaved rounds, empty cache each run):"
print_ratios "$BENCH_DIR/pull.json" 0
python3 - "$BENCH_DIR/pull.json" <<'PY'
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
ours = r["ossb-registry pull"]
if "skopeo copy" in r:
    print(f"  ossb-registry / skopeo = {ours / r['skopeo copy']:.2f}   (target < 0.7)")
print(f"  ossb-registry / curl   = {ours / r['curl (same blobs)']:.2f}   (target < 1.3)")
print(f"  ossb-registry / (curl + sync) = {ours / r['curl + sync']:.2f}   (target for one 1 GiB layer < 1.1)")
print(f"  ossb-registry --no-cache / (curl + sync) = {r['ossb-registry pull --no-cache'] / r['curl + sync']:.2f}   (target for one 1 GiB layer < 1.1)")
PY
echo "Machine load after: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$BENCH_DIR/ours" "$BENCH_DIR/ours-nocache" "$BENCH_DIR/skopeo" "$OSSB_CACHE_DIR"
echo "Peak memory (MiB): ossb-registry $(peak_rss_mib $ours), curl $(peak_rss_mib $curl_cmd)   (target for ossb-registry < 40)"
