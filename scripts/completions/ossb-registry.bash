# bash completion for ossb-registry. install.sh puts it in PREFIX/share/bash-completion/completions/;
# to try it in one shell: source scripts/completions/ossb-registry.bash
# Every command and option of `ossb-registry COMMAND --help` is listed here (a test checks it).
_ossb_registry() {
  local cur prev command options
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "login logout inspect pull push copy tags cache help --help --version" -- "$cur"))
    return
  fi
  command=${COMP_WORDS[1]}
  case "$command" in
    login) options="-u --username --password-stdin --insecure --explain --help" ;;
    logout) options="--help" ;;
    inspect) options="--platform --raw --insecure --explain --help" ;;
    pull) options="-o --output --platform --all-platforms --preserve-digests --insecure -q --quiet --explain --help" ;;
    push) options="--insecure -q --quiet --explain --help" ;;
    copy) options="--all-platforms --platform --insecure -q --quiet --explain --help" ;;
    tags) options="--insecure --explain --help" ;;
    cache)
      if [ "$COMP_CWORD" -eq 2 ] && [[ "$cur" != -* ]]; then COMPREPLY=($(compgen -W "du prune" -- "$cur")); return; fi
      options="--partials --help" ;;
    help) COMPREPLY=($(compgen -W "login logout inspect pull push copy tags cache" -- "$cur")); return ;;
    *) return ;;
  esac
  case "$prev" in
    -o|--output) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    --platform) COMPREPLY=($(compgen -W "linux/amd64 linux/arm64 linux/arm/v7 linux/386 linux/ppc64le linux/s390x" -- "$cur")); return ;;
    -u|--username) return ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$options" -- "$cur"))
  elif [ "$command" = push ] && [ "$COMP_CWORD" -eq 2 ]; then
    COMPREPLY=($(compgen -d -- "$cur"))  # the layout directory
  fi
}
complete -F _ossb_registry ossb-registry
