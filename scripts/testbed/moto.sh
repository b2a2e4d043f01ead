# Starts two moto servers (AWS stand-ins) for the ECR helper's tests. Source lib.sh first.
# - one checking requests: after the six set-up requests of moto-setup.py (INITIAL_NO_AUTH_ACTION_COUNT=6) every
#   request must carry a SigV4 signature by the IAM user's key, so a wrong signature gets 403;
# - one open: moto answers the unsigned AssumeRoleWithWebIdentity with 500 when it checks, so web identity and
#   role chains are tested here.
# Readiness is probed on the TCP port: every HTTP request counts toward moto's unchecked allowance.
# Exports:
#   OSSB_TEST_MOTO                http://127.0.0.1:PORT (checking)
#   OSSB_TEST_MOTO_KEY_ID         the IAM user's access key ID
#   OSSB_TEST_MOTO_SECRET         its secret access key
#   OSSB_TEST_MOTO_OPEN           http://127.0.0.1:PORT (not checking)
#   OSSB_TEST_AWS_METADATA        http://127.0.0.1:PORT: aws-metadata.py (IMDSv2, container credentials, an ECR
#                                 whose tokens can be cached, the SSO portal; started after moto-setup.py, since
#                                 its SSO role `ecr-puller` hands out the IAM user's key)
moto_command() {
  if command -v moto_server >/dev/null 2>&1; then echo moto_server; else echo "python3 -m moto.server"; fi
}

wait_for_port() {
  local port=$1 deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    python3 -c "import socket,sys; s=socket.socket(); s.settimeout(1); sys.exit(s.connect_ex(('127.0.0.1',$port)))" && return 0
    sleep 0.2
  done
  echo "testbed: moto on port $port did not listen within $2 s" >&2
  return 1
}

start_moto() {
  local checked open metadata keys key secret role_key role_secret role_token
  checked=$(free_port)
  open=$(free_port)
  metadata=$(free_port)
  # shellcheck disable=SC2046  # the command is one or three words on purpose
  INITIAL_NO_AUTH_ACTION_COUNT=6 $(moto_command) -H 127.0.0.1 -p "$checked" > "$OSSB_TESTBED_DIR/moto.log" 2>&1 &
  record_pid $!
  # shellcheck disable=SC2046
  $(moto_command) -H 127.0.0.1 -p "$open" > "$OSSB_TESTBED_DIR/moto-open.log" 2>&1 &
  record_pid $!
  wait_for_port "$checked" 30 || return 1
  wait_for_port "$open" 30 || return 1
  keys=$(python3 "$(dirname "${BASH_SOURCE[0]}")/moto-setup.py" "http://127.0.0.1:$checked") || return 1
  read -r key secret role_key role_secret role_token <<< "$keys"
  python3 "$(dirname "${BASH_SOURCE[0]}")/aws-metadata.py" "$metadata" "${OSSB_TEST_BASIC_ECR_TOKEN:-}" \
    "$role_key" "$role_secret" "$role_token" > "$OSSB_TESTBED_DIR/aws-metadata.log" 2>&1 &
  record_pid $!
  wait_for_http "http://127.0.0.1:$metadata/count" "200" 20 || return 1
  export OSSB_TEST_MOTO="http://127.0.0.1:$checked" OSSB_TEST_MOTO_OPEN="http://127.0.0.1:$open"
  export OSSB_TEST_AWS_METADATA="http://127.0.0.1:$metadata"
  export OSSB_TEST_MOTO_KEY_ID="$key" OSSB_TEST_MOTO_SECRET="$secret"
  echo "testbed: moto on $OSSB_TEST_MOTO (checking SigV4) and $OSSB_TEST_MOTO_OPEN" >&2
}
