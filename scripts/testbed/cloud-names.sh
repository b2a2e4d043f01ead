# Registries under the clouds' own names (cloud-registry-front.py): https on port 443 of a free 127.0.86.N, reached
# by programs run in a private mount namespace whose /etc/hosts maps the names there (`unshare -m`, a bind mount;
# TestSupport's CloudNames), trusting the front's CA through a certs.d directory. Needs root (port 443,
# unshare); as another user nothing is started and the tests that need it skip. Start the token registry, the
# cloud stand-ins (cloud-beds.sh) and moto (moto.sh) first. Source lib.sh first. Names served:
#   ossbtest.azurecr.io                          the token registry; /oauth2/exchange (cloud-token-server.py)
#                                                and /oauth2/token (its token server), as ACR serves them
#   europe-west1-docker.pkg.dev                  the token registry, its token server at /v2/token
#   123456789012.dkr.ecr.us-east-1.amazonaws.com a docker-registry sharing the token registry's storage, with Basic
#                                                auth for the user AWS and the token moto's ECR mints for the
#                                                account 123456789012 (checking moto, OSSB_TEST_MOTO)
#   ossbtest.azurecr.io.evil.example             look-alikes, served like the names they imitate, so that a test
#   123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.example   sees that no cloud credential goes there
# Exports:
#   OSSB_TEST_CLOUD_NAMES        the directory: hosts, certs.d/NAME/ca.crt, ca.crt, address
#   OSSB_TEST_CLOUD_NAMES_STATS  http://127.0.0.1:PORT/stats: per name, requests and those carrying a credential
start_cloud_names() {
  local dir="$OSSB_TESTBED_DIR/cloud-names" ecr_port stats_port token_port
  if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
    echo "testbed: the cloud-named registries need root (port 443 and unshare -m); their tests skip" >&2
    return 0
  fi
  mkdir -p "$dir/ecr"
  ecr_port=$(free_port)
  stats_port=$(free_port)
  token_port=${OSSB_TEST_TOKEN_REALM##*:}
  # moto's ECR answers every caller in the account 123456789012 with this fixed token.
  htpasswd -Bbn AWS "123456789012-auth-token" > "$dir/ecr/htpasswd" 2>"$dir/ecr/htpasswd.log" || return 1
  registry_config "$dir/ecr" "$ecr_port" <<YAML
auth:
  htpasswd:
    realm: ossb-ecr
    path: $dir/ecr/htpasswd
YAML
  # The token registry's storage: images seeded there are served under the ECR name too.
  sed -i "s|rootdirectory: .*|rootdirectory: $OSSB_TESTBED_DIR/token-registry/storage|" "$dir/ecr/config.yml"
  docker-registry serve "$dir/ecr/config.yml" > "$dir/ecr/registry.log" 2>&1 &
  record_pid $!
  wait_for_http "http://127.0.0.1:$ecr_port/v2/" "401" 20 || return 1
  local azure="{\"registry\": \"$OSSB_TEST_TOKEN_REGISTRY\", \"token\": \"http://127.0.0.1:$token_port/token\",
    \"token_path\": \"/oauth2/token\", \"exchange\": \"127.0.0.1:$OSSB_TEST_CLOUD_EXCHANGE_PORT\"}"
  local ecr="{\"registry\": \"127.0.0.1:$ecr_port\"}"
  # Entra ID and Resource Manager under their own names, for the real Azure CLI (`az login`, then
  # `az account get-access-token`): the Azure stand-in answers both (cloud-token-server.py).
  local entra="{\"registry\": \"$OSSB_TEST_CLOUD_SERVER\"}"
  cat > "$dir/routes.json" <<JSON
{"ossbtest.azurecr.io": $azure,
 "ossbtest.azurecr.io.evil.example": $azure,
 "europe-west1-docker.pkg.dev": {"registry": "$OSSB_TEST_TOKEN_REGISTRY",
   "token": "http://127.0.0.1:$token_port/token", "token_path": "/v2/token"},
 "123456789012.dkr.ecr.us-east-1.amazonaws.com": $ecr,
 "123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.example": $ecr,
 "login.microsoftonline.com": $entra,
 "management.azure.com": $entra}
JSON
  python3 "$(dirname "${BASH_SOURCE[0]}")/cloud-registry-front.py" "$dir/routes.json" "$dir" "$stats_port" \
    > "$dir/front.log" 2>&1 &
  record_pid $!
  wait_for_http "http://127.0.0.1:$stats_port/stats" "200" 20 || return 1
  local address
  address=$(cat "$dir/address")
  local deadline=$((SECONDS + 20))
  until [ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$dir/ca.crt" \
      --resolve "ossbtest.azurecr.io:443:$address" https://ossbtest.azurecr.io/v2/)" = 401 ]; do
    if [ $SECONDS -ge $deadline ]; then echo "testbed: the cloud-named registries did not answer" >&2; return 1; fi
    sleep 0.1
  done
  export OSSB_TEST_CLOUD_NAMES="$dir" OSSB_TEST_CLOUD_NAMES_STATS="http://127.0.0.1:$stats_port/stats"
  echo "testbed: cloud-named registries on $address:443 (in a mount namespace with $dir/hosts)" >&2
}
