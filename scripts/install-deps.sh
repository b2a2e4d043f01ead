#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, only those missing (with sudo when not root).
# Usage: scripts/install-deps.sh [--bench]   (--bench adds what bench/ needs)
set -euo pipefail

packages=(
  pkg-config libcurl4-openssl-dev libssl-dev libsecret-1-dev   # C libraries the package links
  docker-registry apache2-utils skopeo                          # a real registry, htpasswd, a real client
  podman buildah umoci                                          # other readers of OCI layouts, for interoperation
  dbus gnome-keyring libsecret-tools                            # a headless Secret Service for the keyring tests
  golang-docker-credential-helpers                              # Go's reference helpers, for interoperation
  python3 curl openssl
)
if [ "${1:-}" = "--bench" ]; then packages+=(hyperfine time pass gnupg); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  $sudo apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi

# The test token server signs JWTs with the `cryptography` package (conventions: Python plus cryptography).
if ! python3 -c 'import cryptography' 2>/dev/null; then
  echo "install-deps: installing python3 cryptography" >&2
  if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q python3-cryptography >&2 \
     || ! python3 -c 'import cryptography' 2>/dev/null; then
    python3 -m pip install -q cryptography >&2
  fi
fi
