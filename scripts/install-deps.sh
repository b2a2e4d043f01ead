#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, only those missing (with sudo when not root).
# Usage: scripts/install-deps.sh [--bench]   (--bench adds what bench/ needs)
set -euo pipefail

packages=(
  pkg-config libcurl4-openssl-dev libssl-dev libsecret-1-dev   # C libraries the package links
  docker-registry apache2-utils skopeo                          # a real registry, htpasswd, a real client
  podman buildah umoci                                          # other real clients of registries and layouts
  dbus gnome-keyring libsecret-tools                            # a headless Secret Service for the keyring tests
  python3-dbus python3-gi                                       # a Secret Service that fails as gnome-keyring can
  golang-docker-credential-helpers                              # Go's reference helpers, for interoperation
  python3 python3-venv curl openssl util-linux                  # test beds; setpriv for the run-as-nobody test
  binutils zsh                                                  # strip for install.sh; zsh checks the completion
  gcc libc6-dev                                                 # builds the call log a durability test preloads
  azure-cli                                                     # the real Azure CLI, whose `az login` the Azure tests use
)
# The docker CLI is a peer of the end-to-end tests. Any docker on PATH will do (a static client binary is
# common); only when there is none, Debian's docker.io provides one (its daemon is not used).
if ! command -v docker >/dev/null; then packages+=(docker.io); fi
if [ "${1:-}" = "--bench" ]; then packages+=(hyperfine time pass gnupg amazon-ecr-credential-helper strace); fi

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

# The test token server signs JWTs with the `cryptography` package. Debian 12's python3 refuses `pip install`
# into the system (PEP 668), so: Debian's python3-cryptography first, else a virtual environment of our own whose
# python3 comes first on PATH for the test beds ($testbed_venv in scripts/testbed/lib.sh).
# shellcheck source=testbed/lib.sh
source "$(dirname "$0")/testbed/lib.sh"
if ! python3 -c 'import cryptography' 2>/dev/null; then
  echo "install-deps: installing python3 cryptography" >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q python3-cryptography >&2 || true
  if ! python3 -c 'import cryptography' 2>/dev/null; then
    python3 -m venv "$testbed_venv" >&2
    "$testbed_venv/bin/python3" -m pip install -q cryptography >&2
  fi
fi

# moto in server mode (the AWS stand-in of the ECR tests, scripts/testbed/moto.sh) and boto3 (which the tests
# compare tokens with): Debian's packages first, else the same virtual environment, which then gets
# `cryptography` too, since its python3 serves every test bed.
if ! python3 -c 'import moto.server, boto3, flask_cors' 2>/dev/null; then
  echo "install-deps: installing moto and boto3" >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q python3-moto python3-boto3 python3-flask python3-flask-cors >&2 || true
  if ! python3 -c 'import moto.server, boto3, flask_cors' 2>/dev/null; then
    [ -x "$testbed_venv/bin/python3" ] || python3 -m venv "$testbed_venv" >&2
    "$testbed_venv/bin/python3" -m pip install -q 'moto[server]' boto3 cryptography >&2
  fi
fi
