# Starts Debian's docker-registry over HTTPS with a private CA made here by openssl, on a free loopback port. It
# also asks for a client certificate signed by that CA (`http.tls.clientcas`), so tests exercise both halves of
# a certs.d directory: ca.crt, and client.cert with client.key. Source lib.sh first. Exports:
#   OSSB_TEST_TLS_REGISTRY      127.0.0.1:PORT
#   OSSB_TEST_TLS_CA            the CA certificate (PEM): a certs.d directory's ca.crt
#   OSSB_TEST_TLS_CLIENT_CERT / OSSB_TEST_TLS_CLIENT_KEY   a client certificate and key signed by the CA
start_tls_registry() {
  local dir="$OSSB_TESTBED_DIR/tls-registry" port
  mkdir -p "$dir/storage"
  port=$(free_port)
  (
    cd "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=ossb test CA" \
      -keyout ca.key -out ca.crt 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > server.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext \
      -out server.crt 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=ossb test client" -keyout client.key -out client.csr 2>/dev/null
    printf 'extendedKeyUsage=clientAuth\n' > client.ext
    openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile client.ext \
      -out client.cert 2>/dev/null
  )
  registry_config "$dir" "$port" <<YAML
  tls:
    certificate: $dir/server.crt
    key: $dir/server.key
    clientcas:
      - $dir/ca.crt
YAML
  docker-registry serve "$dir/config.yml" > "$dir/registry.log" 2>&1 &
  record_pid $!
  local deadline=$((SECONDS + 20))
  until curl -s -o /dev/null --cacert "$dir/ca.crt" --cert "$dir/client.cert" --key "$dir/client.key" \
      "https://127.0.0.1:$port/v2/"; do
    if [ $SECONDS -ge $deadline ]; then echo "testbed: TLS registry did not start" >&2; return 1; fi
    sleep 0.1
  done
  export OSSB_TEST_TLS_REGISTRY="127.0.0.1:$port" OSSB_TEST_TLS_CA="$dir/ca.crt"
  export OSSB_TEST_TLS_CLIENT_CERT="$dir/client.cert" OSSB_TEST_TLS_CLIENT_KEY="$dir/client.key"
  echo "testbed: HTTPS registry with a private CA on $OSSB_TEST_TLS_REGISTRY" >&2
}
