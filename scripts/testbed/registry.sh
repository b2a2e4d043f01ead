# Starts Debian's docker-registry (distribution 2.8.2) with htpasswd (Basic) auth on a free loopback port.
# Source lib.sh first. Exports:
#   OSSB_TEST_BASIC_REGISTRY   127.0.0.1:PORT
#   OSSB_TEST_BASIC_USER / OSSB_TEST_BASIC_PASSWORD
#   OSSB_TEST_BASIC_ECR_TOKEN  the password of a second user, `AWS`, as ECR names its users: the ECR stand-in of
#                              aws-metadata.py mints exactly this token, so the registry accepts the helper's answer
start_basic_registry() {
  local dir="$OSSB_TESTBED_DIR/basic-registry" port
  mkdir -p "$dir/storage"
  port=$(free_port)
  OSSB_TEST_BASIC_USER=ossb-tester
  OSSB_TEST_BASIC_PASSWORD="pw-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  htpasswd -Bbn "$OSSB_TEST_BASIC_USER" "$OSSB_TEST_BASIC_PASSWORD" > "$dir/htpasswd" 2>"$dir/htpasswd.log" || return 1
  OSSB_TEST_BASIC_ECR_TOKEN="ecr-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  htpasswd -Bbn AWS "$OSSB_TEST_BASIC_ECR_TOKEN" >> "$dir/htpasswd" 2>>"$dir/htpasswd.log" || return 1
  registry_config "$dir" "$port" <<YAML
auth:
  htpasswd:
    realm: ossb-basic
    path: $dir/htpasswd
YAML
  docker-registry serve "$dir/config.yml" > "$dir/registry.log" 2>&1 &
  record_pid $!
  wait_for_http "http://127.0.0.1:$port/v2/" "401" 20 || return 1
  export OSSB_TEST_BASIC_REGISTRY="127.0.0.1:$port" OSSB_TEST_BASIC_USER OSSB_TEST_BASIC_PASSWORD OSSB_TEST_BASIC_ECR_TOKEN
  # Tests that corrupt a blob on the registry's disk need its storage.
  export OSSB_TEST_BASIC_STORAGE="$dir/storage"
  echo "testbed: registry with Basic auth on $OSSB_TEST_BASIC_REGISTRY" >&2
}

# Starts the fault-injecting proxy (fault-proxy.py) in front of the Basic-auth registry. Exports
# OSSB_TEST_FAULT_PROXY (127.0.0.1:PORT).
start_fault_proxy() {
  local port
  port=$(free_port)
  python3 "$(dirname "${BASH_SOURCE[0]}")/fault-proxy.py" "$port" "$OSSB_TEST_BASIC_REGISTRY" \
    > "$OSSB_TESTBED_DIR/fault-proxy.log" 2>&1 &
  record_pid $!
  wait_for_http "http://127.0.0.1:$port/v2/" "401" 20 || return 1
  export OSSB_TEST_FAULT_PROXY="127.0.0.1:$port"
  echo "testbed: fault-injecting proxy on $OSSB_TEST_FAULT_PROXY" >&2
}
