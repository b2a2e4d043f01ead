# Starts the hostile registry and token server (hostile-registry.py) on 127.0.0.1:PORT, and its login target on
# 127.0.0.2:PORT, for the tests of what the client refuses to believe or print. Source lib.sh first. Exports
# OSSB_TEST_HOSTILE_REGISTRY (127.0.0.1:PORT) and OSSB_TEST_HOSTILE_LOGIN (127.0.0.2:PORT).
start_hostile_registry() {
  local port
  port=$(start_python_server hostile-registry)
  wait_for_http "http://127.0.0.1:$port/v2/" "200" 20 || return 1
  wait_for_http "http://127.0.0.2:$port/v2/" "401" 20 || return 1
  export OSSB_TEST_HOSTILE_REGISTRY="127.0.0.1:$port" OSSB_TEST_HOSTILE_LOGIN="127.0.0.2:$port"
  echo "testbed: hostile registry on $OSSB_TEST_HOSTILE_REGISTRY, its login target on $OSSB_TEST_HOSTILE_LOGIN" >&2
}

# Starts the hostile cloud token endpoint and metadata server (hostile-cloud.py) on 127.0.0.1:PORT and
# 127.0.0.2:PORT, for CloudAttackProcessTests. Exports OSSB_TEST_HOSTILE_CLOUD (127.0.0.1:PORT).
start_hostile_cloud() {
  local port
  port=$(start_python_server hostile-cloud)
  wait_for_http "http://127.0.0.1:$port/log" "200" 20 || return 1
  export OSSB_TEST_HOSTILE_CLOUD="127.0.0.1:$port"
  echo "testbed: hostile cloud endpoints on $OSSB_TEST_HOSTILE_CLOUD" >&2
}
