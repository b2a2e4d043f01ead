#!/usr/bin/env bash
# Builds ossb-registry in release mode with the Swift runtime linked statically, installs the helpers and the
# CLI (stripped) where a shell finds them, with bash and zsh completions for ossb-registry, and shows a
# store/get/list round trip (README's first command). Needs Swift 6 on PATH (swift.org's toolchain).
#
# Usage: scripts/install.sh [--prefix DIR] [--no-demo] [--uninstall]
#   --prefix DIR  install into DIR/bin (default: /usr/local when writable or root, else ~/.local)
#   --no-demo     skip the round trip at the end
#   --uninstall   remove what an install into the same prefix put there (stored credentials stay)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

prefix="" demo=1 uninstall=0
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#--prefix=}; shift ;;
    --no-demo) demo=0; shift ;;
    --uninstall) uninstall=1; shift ;;
    -h|--help) sed -n '2,/^[^#]/p' "$0" | sed -n 's/^# \{0,1\}//p'; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$prefix" ]; then
  if [ "$(id -u)" = 0 ] || [ -w /usr/local/bin ]; then prefix=/usr/local; else prefix="$HOME/.local"; fi
fi
bindir="$prefix/bin"
bash_completion="$prefix/share/bash-completion/completions/ossb-registry"
zsh_completion="$prefix/share/zsh/site-functions/_ossb-registry"
products=(ossb-registry)
for dir in helpers/*/; do products+=("$(basename "$dir")"); done

if [ "$uninstall" = 1 ]; then
  removed=()
  for path in "${products[@]/#/$bindir/}" "$bash_completion" "$zsh_completion"; do
    if [ -e "$path" ]; then rm -f "$path"; removed+=("$path"); fi
  done
  if [ ${#removed[@]} = 0 ]; then
    echo "install: nothing of ossb-registry's is installed under $prefix"
  else
    printf 'install: removed %s\n' "${removed[@]}"
  fi
  echo "install: stored credentials (~/.ossb, the keyring) are left as they are"
  exit 0
fi
mkdir -p "$bindir"

scripts/install-deps.sh

# Helpers that link a C library without a static archive (libsecret; libcurl in ossb-cloud-mint) cannot be fully
# static; they and the CLI get a static Swift runtime (--static-swift-stdlib). The cloud helpers link libcrypto,
# whose static archive libssl-dev ships. Every other helper is a fully static executable: no dynamic loader work
# at all, which is what makes `get` start in about a millisecond (docs/performance.md).
dynamic_products=(docker-credential-ossb-secretservice ossb-cloud-mint ossb-registry)
static_products=()
for dir in helpers/*/; do
  name=$(basename "$dir")
  case " ${dynamic_products[*]} " in *" $name "*) ;; *) static_products+=("$name") ;; esac
done

# Build output goes to a log (the static link prints glibc's getpw* notes, harmless: HOME is read from the
# environment, never from the password database); it is shown when a build fails.
log=$(mktemp)
build() {
  if ! swift build -c release "$@" > "$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "install: swift build $* failed (full log: $log)" >&2
    exit 1
  fi
}
# Symbols only serve a debugger; stripped, an executable is 40% smaller (docs/performance.md). strip writes a
# copy that install then copies: a file as strip leaves it starts measurably slower until it drops out of the
# page cache, one install writes does not.
stripped=$(mktemp)
install_stripped() {
  strip -o "$stripped" "$1"
  install -m 0755 "$stripped" "$2"
}
installed=()
for product in "${static_products[@]}"; do
  echo "install: building $product (fully static)" >&2
  build --scratch-path .build/static-executable -Xswiftc -static-executable --product "$product"
  install_stripped ".build/static-executable/release/$product" "$bindir/$product"
  installed+=("$product")
done
for product in "${dynamic_products[@]}"; do
  if [ -d "helpers/$product" ] || [ -d "Sources/$product" ]; then
    echo "install: building $product (static Swift runtime)" >&2
    build --static-swift-stdlib --product "$product"
    install_stripped ".build/release/$product" "$bindir/$product"
    installed+=("$product")
  fi
done
rm -f "$log" "$stripped"
# The completions are written by the CLI from its command table, so they list exactly what it accepts.
completions=$(mktemp)
"$bindir/ossb-registry" completions bash > "$completions"
install -D -m 0644 "$completions" "$bash_completion"
"$bindir/ossb-registry" completions zsh > "$completions"
install -D -m 0644 "$completions" "$zsh_completion"
rm -f "$completions"
echo "install: installed into $bindir: ${installed[*]}"
echo "install: completions: $bash_completion, $zsh_completion"
case ":$PATH:" in *":$bindir:"*) ;; *) echo "install: note: $bindir is not on PATH; add it to use the helpers" ;; esac

if [ "$demo" = 1 ]; then
  # The round trip uses a throwaway store so that it never touches your real credentials.
  demo_dir=$(mktemp -d)
  trap 'rm -rf "$demo_dir"' EXIT
  export OSSB_CREDENTIALS_FILE="$demo_dir/credentials.json"
  helper="$bindir/docker-credential-ossb-file"
  echo
  echo "Round trip through docker-credential-ossb-file (store in $OSSB_CREDENTIALS_FILE):"
  # Each line shown is the command run, quoted so that it can be pasted into a shell.
  credential='{"ServerURL":"registry.example.com","Username":"demo","Secret":"demo-secret"}'
  echo "\$ echo '$credential' | docker-credential-ossb-file store"
  echo "$credential" | "$helper" store
  echo '$ echo registry.example.com | docker-credential-ossb-file get'
  echo registry.example.com | "$helper" get
  echo '$ docker-credential-ossb-file list'
  "$helper" list
  echo '$ echo registry.example.com | docker-credential-ossb-file erase && docker-credential-ossb-file list'
  echo registry.example.com | "$helper" erase
  "$helper" list
fi
