#!/usr/bin/env bash
# Measures a blob download through the libcurl transport (write to a file + SHA-256 in the write callback,
# as a pull does) against curl(1) side by side: `curl -o FILE` (no hash) and `curl | tee FILE | sha256sum`.
# Serves the blob from a real docker-registry (Basic auth) on loopback. Prints hyperfine's table and ratios.
# Usage: bench/http-download.sh [SIZE_MIB]   (default 512)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
size_mib=${1:-512}
scripts/install-deps.sh --bench

OSSB_TESTBED_DIR=$(mktemp -d /tmp/ossb-bench.XXXXXX)
export OSSB_TESTBED_DIR
source scripts/testbed/lib.sh
source scripts/testbed/registry.sh
trap 'stop_all; rm -rf "$OSSB_TESTBED_DIR"' EXIT
start_basic_registry

swift build -c release --product ossb-bench-download >&2
tool="$root/.build/release/ossb-bench-download"

blob="$OSSB_TESTBED_DIR/blob"
head -c "$((size_mib * 1024 * 1024))" /dev/urandom > "$blob"
digest="sha256:$(sha256sum "$blob" | cut -d' ' -f1)"
base="http://$OSSB_TEST_BASIC_REGISTRY"
auth="$OSSB_TEST_BASIC_USER:$OSSB_TEST_BASIC_PASSWORD"
location=$(curl -s -u "$auth" -X POST -D - -o /dev/null "$base/v2/bench/blob/blobs/uploads/" \
  | tr -d '\r' | awk 'tolower($1)=="location:" {print $2}')
case "$location" in http*) ;; *) location="$base$location" ;; esac
sep='?'; case "$location" in *\?*) sep='&' ;; esac
curl -s -f -u "$auth" -X PUT -H 'Content-Type: application/octet-stream' --data-binary @"$blob" \
  "$location${sep}digest=$digest" -o /dev/null
url="$base/v2/bench/blob/blobs/$digest"

# Correctness first: the transport's digest must be the blob's.
got=$(OSSB_BENCH_USER=$OSSB_TEST_BASIC_USER OSSB_BENCH_PASSWORD=$OSSB_TEST_BASIC_PASSWORD "$tool" "$url" "$OSSB_TESTBED_DIR/out-ossb")
[ "${got%% *}" = "$digest" ] || { echo "bench: digest mismatch: $got" >&2; exit 1; }

export OSSB_BENCH_USER=$OSSB_TEST_BASIC_USER OSSB_BENCH_PASSWORD=$OSSB_TEST_BASIC_PASSWORD
echo "blob: ${size_mib} MiB over loopback from docker-registry to disk (tmp: $OSSB_TESTBED_DIR)"
hyperfine --warmup 1 --runs 7 --export-json "$OSSB_TESTBED_DIR/result.json" \
  -n "ossb CurlHTTPClient + FileSink (SHA-256)" "$tool $url $OSSB_TESTBED_DIR/out-ossb" \
  -n "ossb, as above without fsync" "OSSB_BENCH_NO_SYNC=1 $tool $url $OSSB_TESTBED_DIR/out-ossb" \
  -n "curl -o FILE (no hash)" "curl -s -u $auth -o $OSSB_TESTBED_DIR/out-curl $url" \
  -n "curl | tee FILE | sha256sum" "curl -s -u $auth $url | tee $OSSB_TESTBED_DIR/out-tee | sha256sum >/dev/null"
python3 - "$OSSB_TESTBED_DIR/result.json" "$size_mib" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
size = float(sys.argv[2])
ossb = results[0]
for r in results:
    print("%-44s median %6.3f s  %7.1f MiB/s  user+sys %6.3f s  ratio to ossb %.2f" % (
        r["command"], r["median"], size / r["median"], r["user"] + r["system"], r["median"] / ossb["median"]))
PY
for name in ossb curl; do
  if [ "$name" = ossb ]; then cmd=("$tool" "$url" "$OSSB_TESTBED_DIR/out-ossb"); else cmd=(curl -s -u "$auth" -o "$OSSB_TESTBED_DIR/out-curl" "$url"); fi
  rss=$(/usr/bin/time -f '%M' "${cmd[@]}" 2>&1 >/dev/null | tail -1)
  echo "peak RSS $name: $((rss / 1024)) MiB"
done
