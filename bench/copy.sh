#!/usr/bin/env bash
# Copying an image between two local docker-registry instances (both with Basic auth): `ossb-registry copy` (which
# streams each blob from the source's response into the destination's upload) against `skopeo copy docker://A
# docker://B`, side by side with hyperfine, for one 200 MiB layer and for 30 layers of 8 MiB; the destination's
# storage (and our cache) is emptied before every run, so every blob really travels. `ossb-registry copy --cache`
# (which also writes each blob into the cache) is timed beside them, and, for the single layer, the floor the two
# registries allow: `curl GET | curl PUT` of the layer alone (no manifest, no verification on the way). Then each
# one's peak memory.
# Target: ossb-registry at most 0.6x skopeo's time in both cases.
# Usage: bench/copy.sh [LAYER_MIB] [LAYERS] [SMALL_LAYER_MIB]   (defaults 200, 30, 8)
# BENCH_DEST_TMPFS=1 keeps the destination registry's storage on /dev/shm (memory), to see the copy without the
# destination's disk: its writes and syncs are what the registry spends much of a blob's time on.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
bench_begin
big_mib=${1:-200}
layers=${2:-30}
small_mib=${3:-8}

cli=$(build_cli)
start_bench_registry
source_registry=$OSSB_TEST_BASIC_REGISTRY

# The destination: a second docker-registry with the same users.
dest_dir="$OSSB_TESTBED_DIR/dest-registry"
if [ "${BENCH_DEST_TMPFS:-0}" = 1 ]; then
  dest_dir=$(mktemp -d /dev/shm/ossb-bench-dest.XXXXXX)
  trap 'bench_end; rm -rf "$dest_dir"' EXIT  # bench_end stops the registries first
fi
dest_port=$(free_port)
registry_config "$dest_dir" "$dest_port" <<YAML
auth:
  htpasswd:
    realm: ossb-dest
    path: $OSSB_TESTBED_DIR/basic-registry/htpasswd
YAML
# Without REGISTRY_STORAGE (start_bench_registry's variable): docker-registry reads REGISTRY_* as configuration.
env -u REGISTRY_STORAGE docker-registry serve "$dest_dir/config.yml" > "$dest_dir/registry.log" 2>&1 &
record_pid $!
wait_for_http "http://127.0.0.1:$dest_port/v2/" "401" 20 || { tail -5 "$dest_dir/registry.log"; exit 1; }
dest_registry="127.0.0.1:$dest_port"
export "OSSB_127_0_0_1_${dest_port}_USERNAME=$OSSB_TEST_BASIC_USER" "OSSB_127_0_0_1_${dest_port}_PASSWORD=$OSSB_TEST_BASIC_PASSWORD"

seed() {
  python3 scripts/testbed/seed-image.py --registry "$source_registry" --user "$OSSB_TEST_BASIC_USER" \
    --password-env OSSB_TEST_BASIC_PASSWORD --tag v1 "$@" >/dev/null
}
seed --repo bench/big --layer-mib "$big_mib" --layers 1
seed --repo bench/many --layer-mib "$small_mib" --layers "$layers" --every-layer

export HOME="$BENCH_DIR/home" OSSB_CACHE_DIR="$BENCH_DIR/cache"
mkdir -p "$HOME"
creds="$OSSB_TEST_BASIC_USER:$OSSB_TEST_BASIC_PASSWORD"
empty="rm -rf $dest_dir/storage/docker/registry/v2/blobs $dest_dir/storage/docker/registry/v2/repositories $OSSB_CACHE_DIR"

# curl_pipeline REPO: a script that moves REPO's first layer with one curl into another's upload (POST, then
# PUT ?digest= with the body streaming from the first curl), as the destination's floor.
curl_pipeline() {
  local repo=$1 layer size
  read -r layer size < <(curl -s -u "$creds" -H "Accept: application/vnd.oci.image.manifest.v1+json" \
    "http://$source_registry/v2/$repo/manifests/v1" |
    python3 -c 'import json,sys; l=json.load(sys.stdin)["layers"][0]; print(l["digest"], l["size"])')
  cat > "$BENCH_DIR/curl-$2.sh" <<SH
loc=\$(curl -s -f -u $creds -X POST -D - -o /dev/null http://$dest_registry/v2/$repo-curl/blobs/uploads/ | tr -d '\r' | awk 'tolower(\$1)=="location:" {print \$2}')
curl -s -f -u $creds http://$source_registry/v2/$repo/blobs/$layer | curl -s -f -u $creds -X PUT -H "Content-Type: application/octet-stream" -H "Content-Length: $size" -T - "\$loc&digest=$layer" -o /dev/null
SH
  echo "sh $BENCH_DIR/curl-$2.sh"
}

# bench_case NAME REPO DESCRIPTION [FLOOR_COMMAND]
bench_case() {
  local name=$1 repo=$2 description=$3 floor=${4:-}
  local src="$source_registry/$repo:v1"
  local ours="$cli copy --quiet $src $dest_registry/$repo-ours:v1"
  local ours_cache="$cli copy --quiet --cache $src $dest_registry/$repo-cache:v1"
  local skopeo_cmd="skopeo copy --quiet --src-tls-verify=false --dest-tls-verify=false --src-creds $creds --dest-creds $creds docker://$src docker://$dest_registry/$repo-skopeo:v1"
  local floor_args=()
  if [ -n "$floor" ]; then floor_args=(-n "curl | curl (the layer alone)" "$floor"); fi
  eval "$empty"
  $ours >/dev/null && $ours_cache >/dev/null && $skopeo_cmd >/dev/null  # each must work before it is timed
  if [ -n "$floor" ]; then $floor; fi
  hyperfine --style basic --warmup 1 --runs "${BENCH_RUNS:-7}" --export-json "$BENCH_DIR/$name.json" --prepare "$empty" \
    -n "ossb-registry copy" "$ours" -n "skopeo copy docker: docker:" "$skopeo_cmd" \
    -n "ossb-registry copy --cache" "$ours_cache" "${floor_args[@]}" >/dev/null 2>&1
  echo "Copy of $description between two local registries (hyperfine, ${BENCH_RUNS:-7} runs, destination emptied each run):"
  print_ratios "$BENCH_DIR/$name.json" 1
  python3 - "$BENCH_DIR/$name.json" <<'PY'
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
print(f"  ossb-registry / skopeo = {r['ossb-registry copy'] / r['skopeo copy docker: docker:']:.2f}   (target <= 0.6)")
PY
  eval "$empty"
  local ours_rss skopeo_rss
  ours_rss=$(peak_rss_mib $ours)
  eval "$empty"
  skopeo_rss=$(peak_rss_mib $skopeo_cmd)
  echo "Peak memory (MiB): ossb-registry $ours_rss, skopeo $skopeo_rss"
}

bench_case big bench/big "one ${big_mib} MiB layer" "$(curl_pipeline bench/big big)"
bench_case many bench/many "${layers} layers of ${small_mib} MiB"
