#!/usr/bin/env bash
# The front's overhead: `docker-credential-ossb get` with the credential in the file backend, against
# `docker-credential-ossb-file get` reading the same file, side by side with hyperfine.
# Target: under 1.5x.
#
# The front walks the default order (env, registry.json, k8s, keyring, file): with no D-Bus session it does
# not start the keyring helper (the keyring source is decided without waiting), which is the case measured
# here; with a session bus the keyring helper's own start-up is added (bench/keyring-helper.sh measures it).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
bench_begin

file_helper=$(build_static_helper docker-credential-ossb-file)
front=$(build_static_helper docker-credential-ossb)

export HOME="$BENCH_DIR/home"
mkdir -p "$HOME"
unset DBUS_SESSION_BUS_ADDRESS DISPLAY DOCKER_CONFIG REGISTRY_AUTH_FILE XDG_RUNTIME_DIR
echo registry.example.com > "$BENCH_DIR/in.txt"
for i in $(seq 1 9); do
  printf '{"ServerURL":"r%s.example.com","Username":"u","Secret":"s"}' "$i" | "$file_helper" store
done
printf '{"ServerURL":"registry.example.com","Username":"bench","Secret":"bench-secret"}' | "$file_helper" store
"$front" get < "$BENCH_DIR/in.txt" | grep -q bench-secret

hyperfine --style basic --warmup 30 --min-runs "${BENCH_RUNS:-500}" --export-json "$BENCH_DIR/front.json" \
  -n "docker-credential-ossb-file get" "$file_helper get < $BENCH_DIR/in.txt" \
  -n "docker-credential-ossb get" "$front get < $BENCH_DIR/in.txt" >/dev/null 2>&1
echo "Front overhead, \`get\` from the file backend (hyperfine, shell-corrected, ${BENCH_RUNS:-500}+ runs each):"
print_ratios "$BENCH_DIR/front.json" 0
