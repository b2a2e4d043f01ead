#!/usr/bin/env bash
# Regenerates the Kubernetes secret fixtures with the real kubectl (client-side dry run: no cluster needed).
# kubectl is installed on the development machines but is not a Debian package, so the output is committed
# and the tests only read it. The secrets are test values, never real ones.
set -euo pipefail
cd "$(dirname "$0")"
command -v kubectl >/dev/null || { echo "kubectl is not installed; the committed fixtures are used as they are" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The standard docker-registry secret (kubernetes.io/dockerconfigjson: auths with username, password, email, auth).
kubectl create secret docker-registry regcred --docker-server=127.0.0.1:5000 \
  --docker-username=k8s-user --docker-password=k8s-fixture-secret-1 --docker-email=k8s@example.com \
  --dry-run=client -o json > dockerconfigjson-regcred.json
# Docker Hub under docker's own key.
kubectl create secret docker-registry hubcred --docker-server=https://index.docker.io/v1/ \
  --docker-username=hub-k8s --docker-password=hub-fixture-secret-2 \
  --dry-run=client -o json > dockerconfigjson-hub.json
# A dockerconfigjson made from a config.json whose entries carry only `auth` (as `docker login` writes it).
printf '{"auths":{"ghcr.example.com":{"auth":"%s"},"127.0.0.1:5001":{"auth":"%s"}}}' \
  "$(printf 'ghcr-user:ghcr-fixture-secret-6' | base64 -w0)" "$(printf 'five-user:five-fixture-secret-7' | base64 -w0)" \
  > "$tmp/config.json"
kubectl create secret generic authonly --type=kubernetes.io/dockerconfigjson \
  --from-file=.dockerconfigjson="$tmp/config.json" --dry-run=client -o json > dockerconfigjson-authonly.json
# The legacy kubernetes.io/dockercfg type: the bare map, no `auths` wrapper, entries with only `auth`.
printf '{"https://legacy.example.com/v1/":{"auth":"%s","email":"legacy@example.com"}}' \
  "$(printf 'legacy-user:legacy-fixture-secret-8' | base64 -w0)" > "$tmp/dockercfg"
kubectl create secret generic legacycred --type=kubernetes.io/dockercfg \
  --from-file=.dockercfg="$tmp/dockercfg" --dry-run=client -o json > dockercfg-legacy.json
# An Opaque secret with username and password and no registry key (the form the Go package read).
kubectl create secret generic registry-secret --from-literal=username=opaque-user \
  --from-literal=password=opaque-fixture-secret-3 --dry-run=client -o json > opaque-default.json
# An Opaque secret naming its registry.
kubectl create secret generic registry-secret-quay --from-literal=username=quay-user \
  --from-literal=password=quay-fixture-secret-4 --from-literal=registry=quay.example.com \
  --dry-run=client -o json > opaque-registry.json
# The same secret after rotation (a new password), for the `..data` swap test.
kubectl create secret generic registry-secret-quay --from-literal=username=quay-user \
  --from-literal=password=quay-rotated-secret-5 --from-literal=registry=quay.example.com \
  --dry-run=client -o json > opaque-registry-rotated.json
echo "fixtures written to $(pwd)"
