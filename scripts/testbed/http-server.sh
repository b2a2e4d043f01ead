# Starts the project's small HTTP test server (http-server.py) on 127.0.0.1:PORT and 127.0.0.2:PORT, for the
# transport tests: redirects across origins, echo of request headers, streamed bytes. Source lib.sh first.
# Exports:
#   OSSB_TEST_HTTP_SERVER   127.0.0.1:PORT
#   OSSB_TEST_HTTP_OTHER    127.0.0.2:PORT (another origin)
start_http_server() {
  local port
  port=$(start_python_server http-server)
  wait_for_http "http://127.0.0.1:$port/echo" "200" 20 || return 1
  wait_for_http "http://127.0.0.2:$port/echo" "200" 20 || return 1
  export OSSB_TEST_HTTP_SERVER="127.0.0.1:$port" OSSB_TEST_HTTP_OTHER="127.0.0.2:$port"
  echo "testbed: HTTP test server on $OSSB_TEST_HTTP_SERVER and $OSSB_TEST_HTTP_OTHER" >&2
}
