#!/usr/bin/env bash
# A cached `get` of docker-credential-ossb-ecr (a token served from ~/.ossb/tokens, no network) side by side with the
# file helper's `get` and Debian's amazon-ecr-credential-helper (docker-credential-ecr-login, whose cache is
# ~/.ecr/cache.json), measured with hyperfine. Target (issue 18): at most 2x the file helper's `get`.
# The OSSB programs are built as scripts/install.sh builds them: the file and ECR helpers fully static (the ECR
# helper with libcrypto's static archive), ossb-cloud-mint (libcurl, run only to mint) with a static Swift runtime. The token caches are filled once from the
# loopback ECR stand-in (scripts/testbed/aws-metadata.py), whose tokens last 12 hours.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
bench_begin

file_helper=$(build_static_helper docker-credential-ossb-file)
build_static_helper docker-credential-ossb-ecr > /dev/null
swift build -c release --static-swift-stdlib --product ossb-cloud-mint > "$BENCH_DIR/build-ossb-cloud-mint.log" 2>&1 \
  || { tail -20 "$BENCH_DIR/build-ossb-cloud-mint.log"; exit 1; }
strip -o "$BENCH_DIR/ossb-cloud-mint" .build/release/ossb-cloud-mint

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
  # amazon-ecr-credential-helper 0.6.0 cannot be pointed at a loopback endpoint, so its cache is filled by hand, in
  # its format: ~/.ecr/cache.json, keyed "<region>-<checksum of the access key ID>-<registry ID>" (both checksum
  # spellings it has used), with a token valid for 11 more hours.
  mkdir -p "$HOME/.ecr"
  python3 - "$HOME/.ecr/cache.json" "$AWS_ACCESS_KEY_ID" <<'PY'
import base64, datetime, hashlib, json, sys, time
path, key = sys.argv[1], sys.argv[2]
iso = lambda t: datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
entry = {"AuthorizationToken": base64.b64encode(b"AWS:peer-token").decode(), "RequestedAt": iso(time.time() - 60),
         "ExpiresAt": iso(time.time() + 11 * 3600), "ProxyEndpoint": "https://123456789012.dkr.ecr.us-east-1.amazonaws.com",
         "Service": "ecr"}
sums = [base64.b64encode(key.encode() + hashlib.md5(b"").digest()).decode(),
        base64.b64encode(hashlib.sha256(key.encode()).digest()).decode()]
json.dump({"Registries": {f"us-east-1-{s}-123456789012": entry for s in sums}, "Version": "1.0"}, open(path, "w"))
PY
  if docker-credential-ecr-login get < "$BENCH_DIR/in.txt" 2>/dev/null | grep -q peer-token; then
    names+=("docker-credential-ecr-login get (cached, Go)")
    commands+=("docker-credential-ecr-login get < $BENCH_DIR/in.txt")
  else
    echo "cloud-get: docker-credential-ecr-login did not answer from its cache; measured without it" >&2
  fi
fi
before=$(curl -s "http://127.0.0.1:$port/count")
for c in "${commands[@]}"; do sh -c "$c" >/dev/null; done
args=()
for i in "${!commands[@]}"; do args+=(-n "${names[$i]}" "${commands[$i]}"); done
hyperfine --style basic --warmup 30 --min-runs "${BENCH_RUNS:-300}" --export-json "$BENCH_DIR/cloud.json" \
  "${args[@]}" > "$BENCH_DIR/hyperfine.log" 2>&1 || { tail -20 "$BENCH_DIR/hyperfine.log"; exit 1; }
after=$(curl -s "http://127.0.0.1:$port/count")
echo "Cached \`get\` of an ECR token (hyperfine, ${BENCH_RUNS:-300}+ runs each; tokens minted while timing: $((after - before))):"
print_ratios "$BENCH_DIR/cloud.json" 0
