#!/usr/bin/env bash
# Start-up latency of `get` for the file and env helpers, side by side with /bin/true (the floor) and Go's
# docker-credential-pass (Debian's golang-docker-credential-helpers), measured with hyperfine.
# Target: the file helper's `get` within 4x of /bin/true per invocation.
#
# hyperfine 1.15 has no --input, so every command runs as `CMD < input` through the shell and hyperfine
# subtracts the measured cost of spawning that shell; medians are reported because they resist the noise
# of a shared 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
bench_begin

file_helper=$(build_static_helper docker-credential-ossb-file)
env_helper=$(build_static_helper docker-credential-ossb-env)

export OSSB_CREDENTIALS_FILE="$BENCH_DIR/credentials.json"
export REGISTRY_EXAMPLE_COM_USERNAME=bench REGISTRY_EXAMPLE_COM_PASSWORD=bench-secret
echo registry.example.com > "$BENCH_DIR/in.txt"
# A realistic store: ten registries, the one asked for among them.
for i in $(seq 1 9); do
  printf '{"ServerURL":"r%s.example.com","Username":"u","Secret":"s"}' "$i" | "$file_helper" store
done
printf '{"ServerURL":"registry.example.com","Username":"bench","Secret":"bench-secret"}' | "$file_helper" store

names=("/bin/true" "docker-credential-ossb-file get" "docker-credential-ossb-env get")
commands=("/bin/true < $BENCH_DIR/in.txt" "$file_helper get < $BENCH_DIR/in.txt" "$env_helper get < $BENCH_DIR/in.txt")
if command -v docker-credential-pass >/dev/null && command -v pass >/dev/null; then
  setup_pass "$BENCH_DIR"
  printf '{"ServerURL":"registry.example.com","Username":"bench","Secret":"bench-secret"}' | docker-credential-pass store >/dev/null 2>&1
  docker-credential-pass get < "$BENCH_DIR/in.txt" >/dev/null 2>&1
  names+=("docker-credential-pass get (Go)")
  commands+=("docker-credential-pass get < $BENCH_DIR/in.txt")
fi

time_commands "$BENCH_DIR/startup.json" "${BENCH_RUNS:-500}"
echo "Helper start-up, \`get\` (hyperfine, shell-corrected, ${BENCH_RUNS:-500}+ runs each):"
print_ratios "$BENCH_DIR/startup.json" 0
echo "Go docker-credential-pass against the file helper:"
python3 - "$BENCH_DIR/startup.json" <<'PY'
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
go = r.get("docker-credential-pass get (Go)")
if go:
    print(f"  docker-credential-ossb-file get / docker-credential-pass get = {r['docker-credential-ossb-file get']/go:.3f}")
PY
