#!/usr/bin/env bash
# Start-up latency of the Kubernetes programs, side by side with /bin/true (the floor) and the file helper's
# `get` (the same start-up with one JSON file to read): docker-credential-ossb-k8s `get` over three secrets
# mounted side by side in kubelet's layout (..data links, read again on every call), and
# ossb-kubelet-credential-provider answering a kubelet request through the whole discovery chain.
# No Go peer exists: none of docker-credential-helpers reads Kubernetes secrets or speaks kubelet's plugin API.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
bench_begin

file_helper=$(build_static_helper docker-credential-ossb-file)
k8s_helper=$(build_static_helper docker-credential-ossb-k8s)
provider=$(build_static_helper ossb-kubelet-credential-provider)

# mount NAME KEY=VALUE...: one secret in kubelet's layout under $BENCH_DIR/secrets/NAME.
mount() {
  local dir="$BENCH_DIR/secrets/$1" version="..2026_01_01_00_00_00.000000001"
  shift
  mkdir -p "$dir/$version"
  for pair in "$@"; do
    printf '%s' "${pair#*=}" > "$dir/$version/${pair%%=*}"
    ln -s "..data/${pair%%=*}" "$dir/${pair%%=*}"
  done
  ln -s "$version" "$dir/..data"
}
auth=$(printf 'k8s-user:bench-secret' | base64 -w0)
mount a-regcred ".dockerconfigjson={\"auths\":{\"127.0.0.1:5000\":{\"auth\":\"$auth\"}}}"
mount b-legacy ".dockercfg={\"https://legacy.example.com/v1/\":{\"auth\":\"$auth\"}}"
mount c-opaque username=bench password=bench-secret registry=registry.example.com

export OSSB_K8S_SECRETS_DIR="$BENCH_DIR/secrets" OSSB_CREDENTIALS_FILE="$BENCH_DIR/credentials.json"
export HOME="$BENCH_DIR/home"
printf '{"ServerURL":"registry.example.com","Username":"bench","Secret":"bench-secret"}' | "$file_helper" store
echo registry.example.com > "$BENCH_DIR/in.txt"
printf '{"kind":"CredentialProviderRequest","apiVersion":"credentialprovider.kubelet.k8s.io/v1","image":"registry.example.com/team/app"}\n' \
  > "$BENCH_DIR/request.json"

names=("/bin/true" "docker-credential-ossb-file get" "docker-credential-ossb-k8s get" "ossb-kubelet-credential-provider")
commands=("/bin/true < $BENCH_DIR/in.txt" "$file_helper get < $BENCH_DIR/in.txt" "$k8s_helper get < $BENCH_DIR/in.txt"
  "$provider --cache-duration=10m < $BENCH_DIR/request.json")
time_commands "$BENCH_DIR/k8s.json" "${BENCH_RUNS:-300}"
echo "Kubernetes programs' start-up (hyperfine, shell-corrected, ${BENCH_RUNS:-300}+ runs each):"
print_ratios "$BENCH_DIR/k8s.json" 0
echo "Against the file helper:"
print_ratios "$BENCH_DIR/k8s.json" 1 | tail -n +3
