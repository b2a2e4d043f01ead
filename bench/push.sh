#!/usr/bin/env bash
# Pushing an image with one 200 MiB layer and four small ones from an OCI layout to a local docker-registry:
# `ossb-registry push DIR REF` against `skopeo copy oci:DIR docker://REF`, side by side with hyperfine (the
# registry's storage is emptied before every run, so every blob is really uploaded); then peak memory.
# Target: faster than skopeo (ratio under 0.8), memory independent of layer size.
# Usage: bench/push.sh [LAYER_MIB]   (default 200)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
bench_begin
mib=${1:-200}

cli=$(build_cli)
start_bench_registry
python3 scripts/testbed/seed-image.py --registry "$OSSB_TEST_BASIC_REGISTRY" --user "$OSSB_TEST_BASIC_USER" \
  --password-env OSSB_TEST_BASIC_PASSWORD --repo bench/src --tag v1 --layer-mib "$mib" --layers 5 >/dev/null
export HOME="$BENCH_DIR/home" OSSB_CACHE_DIR="$BENCH_DIR/cache"
mkdir -p "$HOME"
"$cli" pull --quiet "$OSSB_TEST_BASIC_REGISTRY/bench/src:v1" --output "$BENCH_DIR/layout" >/dev/null
creds="$OSSB_TEST_BASIC_USER:$OSSB_TEST_BASIC_PASSWORD"
# Forget where blobs came from, or ours would mount them (correctly, but that is not an upload).
rm -rf "$OSSB_CACHE_DIR"
empty="rm -rf $REGISTRY_STORAGE/docker/registry/v2/blobs $REGISTRY_STORAGE/docker/registry/v2/repositories $OSSB_CACHE_DIR"
ours="$cli push --quiet $BENCH_DIR/layout $OSSB_TEST_BASIC_REGISTRY/bench/ours:v1"
skopeo_cmd="skopeo copy --quiet --dest-tls-verify=false --dest-creds $creds oci:$BENCH_DIR/layout:v1 docker://$OSSB_TEST_BASIC_REGISTRY/bench/skopeo:v1"
$ours >/dev/null && $skopeo_cmd >/dev/null

hyperfine --style basic --warmup 1 --runs "${BENCH_RUNS:-7}" --export-json "$BENCH_DIR/push.json" --prepare "$empty" \
  -n "ossb-registry push" "$ours" -n "skopeo copy oci: docker:" "$skopeo_cmd" >/dev/null 2>&1
echo "Push of one ${mib} MiB layer and four small ones to a local registry (hyperfine, ${BENCH_RUNS:-7} runs, registry emptied each run):"
print_ratios "$BENCH_DIR/push.json" 0
python3 - "$BENCH_DIR/push.json" <<'PY'
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
print(f"  ossb-registry / skopeo = {r['ossb-registry push'] / r['skopeo copy oci: docker:']:.2f}   (target < 0.8)")
PY
eval "$empty"
ours_rss=$(peak_rss_mib $ours)
eval "$empty"
echo "Peak memory (MiB): ossb-registry $ours_rss, skopeo $(peak_rss_mib $skopeo_cmd)"
