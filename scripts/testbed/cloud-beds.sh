# Starts the Google and Azure stand-ins (cloud-token-server.py) on free loopback ports: token endpoints, STS,
# metadata servers, Entra ID and IMDS over http, and an Azure registry's /oauth2/exchange over https with a
# private CA. Start the token registry first: the exchange signs refresh tokens with its exchange.secret, for its
# pull-only user. Source lib.sh first. Exports:
#   OSSB_TEST_CLOUD_SERVER        127.0.0.1:PORT (GCE_METADATA_HOST, AZURE_AUTHORITY_HOST, IMDS, App Service)
#   OSSB_TEST_CLOUD_EXCHANGE_PORT the https port answering for any *.azurecr.io name resolved to 127.0.0.1
#   OSSB_TEST_CLOUD_DIR           credential files (google-*.json, azure.json, federated-token) and ca.crt
start_cloud_beds() {
  local dir="$OSSB_TESTBED_DIR/cloud" port tport
  mkdir -p "$dir"
  chmod 700 "$dir"
  port=$(free_port)
  tport=$(free_port)
  python3 "$(dirname "${BASH_SOURCE[0]}")/cloud-token-server.py" "$port" "$tport" "$dir" \
    "$OSSB_TESTBED_DIR/token-registry/exchange.secret" "$OSSB_TEST_TOKEN_PULL_USER" > "$dir/cloud-token-server.log" 2>&1 &
  record_pid $!
  wait_for_http "http://127.0.0.1:$port/stats" "200" 20 || return 1
  wait_for_http "https://127.0.0.1:$tport/oauth2/exchange" "404 405 501" 20 || return 1
  export OSSB_TEST_CLOUD_SERVER="127.0.0.1:$port" OSSB_TEST_CLOUD_EXCHANGE_PORT="$tport" OSSB_TEST_CLOUD_DIR="$dir"
  echo "testbed: Google and Azure stand-ins on 127.0.0.1:$port, Azure registry exchange (https) on 127.0.0.1:$tport" >&2
}
