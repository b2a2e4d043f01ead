# Starts a token server (token-server.py) and Debian's docker-registry (distribution 2.8.2) with token auth
# against it, both on free loopback ports. Source lib.sh first. Exports:
#   OSSB_TEST_TOKEN_REGISTRY        127.0.0.1:PORT
#   OSSB_TEST_TOKEN_REALM           http://127.0.0.1:TPORT (the token server; /token, /stats, /control)
#   OSSB_TEST_TOKEN_USER / _PASSWORD            may pull, push and delete everywhere
#   OSSB_TEST_TOKEN_PULL_USER / _PULL_PASSWORD  may only pull
# Anonymous users may pull repositories under public/. The token server also takes, as refresh tokens, the
# tokens an Azure registry's /oauth2/exchange stand-in (cloud-beds.sh) signs with the key in
# $OSSB_TESTBED_DIR/token-registry/exchange.secret.
start_token_registry() {
  local dir="$OSSB_TESTBED_DIR/token-registry" port tport
  mkdir -p "$dir/storage"
  port=$(free_port)
  tport=$(free_port)
  OSSB_TEST_TOKEN_USER=ossb-pusher
  OSSB_TEST_TOKEN_PASSWORD="pw-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  OSSB_TEST_TOKEN_PULL_USER=ossb-puller
  OSSB_TEST_TOKEN_PULL_PASSWORD="pw-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/exchange.secret"
  cat > "$dir/token-config.json" <<JSON
{"issuer": "ossb-test-issuer", "service": "ossb-test-registry", "lifetime": 300, "public_prefix": "public/",
 "exchange_secret_file": "$dir/exchange.secret",
 "users": {"$OSSB_TEST_TOKEN_USER": {"password": "$OSSB_TEST_TOKEN_PASSWORD", "actions": ["pull", "push", "delete"]},
           "$OSSB_TEST_TOKEN_PULL_USER": {"password": "$OSSB_TEST_TOKEN_PULL_PASSWORD", "actions": ["pull"]}}}
JSON
  python3 "$(dirname "${BASH_SOURCE[0]}")/token-server.py" "$tport" "$dir/token-config.json" "$dir/token.crt" \
    > "$dir/token-server.log" 2>&1 &
  record_pid $!
  wait_for_http "http://127.0.0.1:$tport/stats" "200" 20 || return 1
  registry_config "$dir" "$port" <<YAML
auth:
  token:
    realm: http://127.0.0.1:$tport/token
    service: ossb-test-registry
    issuer: ossb-test-issuer
    rootcertbundle: $dir/token.crt
YAML
  docker-registry serve "$dir/config.yml" > "$dir/registry.log" 2>&1 &
  record_pid $!
  wait_for_http "http://127.0.0.1:$port/v2/" "401" 20 || return 1
  export OSSB_TEST_TOKEN_REGISTRY="127.0.0.1:$port" OSSB_TEST_TOKEN_REALM="http://127.0.0.1:$tport"
  export OSSB_TEST_TOKEN_USER OSSB_TEST_TOKEN_PASSWORD OSSB_TEST_TOKEN_PULL_USER OSSB_TEST_TOKEN_PULL_PASSWORD
  echo "testbed: registry with token auth on $OSSB_TEST_TOKEN_REGISTRY, token server on 127.0.0.1:$tport" >&2
}
