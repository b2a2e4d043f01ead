#!/usr/bin/env bash
# A cached `get` of docker-credential-ossb-ecr (a token served from ~/.ossb/tokens, no network) side by side with the
# file helper's `get` and Debian's amazon-ecr-credential-helper (docker-credential-ecr-login, whose cache is
# ~/.ecr/cache.json), measured with hyperfine. Target (issue 18): at most 2x the file helper's `get`.
# The OSSB programs are built as scripts/install.sh builds them: the file helper fully static, the ECR helper (which
# links libcrypto) and ossb-cloud-mint (libcurl, run only to mint) with a static Swift runtime. The token caches are filled once from the
# loopback ECR stand-in (scripts/testbed/aws-metadata.py), whose tokens last 12 hours.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
bench_begin

file_helper=$(build_static_helper docker-credential-ossb-file)
for product in docker-credential-ossb-ecr ossb-cloud-mint; do
  swift build -c release --static-swift-stdlib --product "$product" > "$BENCH_DIR/build-$product.log" 2>&1 \
    || { tail -20 "$BENCH_DIR/build-$product.log"; exit 1; }
  strip -o "$BENCH_DIR/$product" ".build/release/$product"
done

OSSB_TESTBED_DIR="$BENCH_DIR/testbed"
mkdir -p "$OSSB_TESTBED_DIR"
export OSSB_TESTBED_DIR
source scripts/testbed/lib.sh
port=$(free_port)
python3 scripts/testbed/aws-metadata.py "$port" > "$OSSB_TESTBED_DIR/aws-metadata.log" 2>&1 &
record_pid $!
wait_for_http "http://127.0.0.1:$port/count" 200 20

registry=123456789012.dkr.ecr.us-east-1.amazonaws.com
export HOME="$BENCH_DIR/home" OSSB_CREDENTIALS_FILE="$BENCH_DIR/credentials.json"
export AWS_ACCESS_KEY_ID=AKIABENCH AWS_SECRET_ACCESS_KEY=bench-secret AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
export AWS_ENDPOINT_URL_ECR="http://127.0.0.1:$port"
mkdir -p "$HOME"
echo "$registry" > "$BENCH_DIR/in.txt"
printf '{"ServerURL":"%s","Username":"AWS","Secret":"bench-token"}' "$registry" | "$file_helper" store

names=("docker-credential-ossb-file get" "docker-credential-ossb-ecr get (cached)")
commands=("$file_helper get < $BENCH_DIR/in.txt" "$BENCH_DIR/docker-credential-ossb-ecr get < $BENCH_DIR/in.txt")
"$BENCH_DIR/docker-credential-ossb-ecr" get < "$BENCH_DIR/in.txt" > /dev/null  # fills the cache
if command -v docker-credential-ecr-login >/dev/null; then
  # The Go helper reads the endpoint override from the SDK (aws-sdk-go-v2 honours AWS_ENDPOINT_URL_ECR).
  if docker-credential-ecr-login get < "$BENCH_DIR/in.txt" > /dev/null 2>&1 && [ -s "$HOME/.ecr/cache.json" ]; then
    names+=("docker-credential-ecr-login get (cached, Go)")
    commands+=("docker-credential-ecr-login get < $BENCH_DIR/in.txt")
  else
    echo "cloud-get: docker-credential-ecr-login did not fill its cache from the stand-in; measured without it" >&2
  fi
fi
before=$(curl -s "http://127.0.0.1:$port/count")
for c in "${commands[@]}"; do sh -c "$c" >/dev/null; done
args=()
for i in "${!commands[@]}"; do args+=(-n "${names[$i]}" "${commands[$i]}"); done
hyperfine --style basic --warmup 30 --min-runs "${BENCH_RUNS:-300}" --export-json "$BENCH_DIR/cloud.json" \
  "${args[@]}" >/dev/null 2>&1
after=$(curl -s "http://127.0.0.1:$port/count")
echo "Cached \`get\` of an ECR token (hyperfine, ${BENCH_RUNS:-300}+ runs each; tokens minted while timing: $((after - before))):"
print_ratios "$BENCH_DIR/cloud.json" 0
