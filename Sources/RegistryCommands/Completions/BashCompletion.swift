/// The bash completion script, written from the command table.
enum BashCompletion {
    /// The script: `_ossb_registry` completes commands, each command's options, option values and positionals.
    static func script(_ commands: [CommandSpec], topOptions: [CommandOption]) -> String {
        let names = commands.map(\.name).joined(separator: " ")
        let top = names + " help " + topOptions.flatMap(\.spellings).joined(separator: " ")
        return """
            # bash completion for ossb-registry, written by `ossb-registry completions bash` from its command table.
            # install.sh puts it in PREFIX/share/bash-completion/completions/; to try it in one shell:
            # source <(ossb-registry completions bash)
            _ossb_registry() {
              local cur prev command options valued i word position
              cur=${COMP_WORDS[COMP_CWORD]}
              prev=${COMP_WORDS[COMP_CWORD-1]}
              if [ "$COMP_CWORD" -eq 1 ]; then
                COMPREPLY=($(compgen -W "\(top)" -- "$cur"))
                return
              fi
              command=${COMP_WORDS[1]}
              case "$command" in
            \(commands.map(optionLists).joined())    help) COMPREPLY=($(compgen -W "\(names)" -- "$cur")); return ;;
                *) return ;;
              esac
              case "$command $prev" in
            \(commands.map(valueCases).joined())  esac
              if [[ "$cur" == -* ]]; then
                COMPREPLY=($(compgen -W "$options" -- "$cur"))
                return
              fi
              # Which positional is being typed: the words before it that are neither options nor their values.
              position=0 i=2
              while [ "$i" -lt "$COMP_CWORD" ]; do
                word=${COMP_WORDS[i]}
                case "$word" in
                  -*) case " $valued " in *" $word "*) i=$((i + 1)) ;; esac ;;
                  *) position=$((position + 1)) ;;
                esac
                i=$((i + 1))
              done
              case "$command $position" in
            \(commands.map(positionalCases).joined())  esac
            }
            complete -F _ossb_registry ossb-registry

            """
    }

    /// `    pull) options="..." valued="..." ;;`: the command's option words and those that take a value.
    static func optionLists(_ spec: CommandSpec) -> String {
        let options = spec.allOptions.flatMap(\.spellings).joined(separator: " ")
        let valued = spec.allOptions.filter(\.takesValue).flatMap(\.spellings).joined(separator: " ")
        return "    \(spec.name)) options=\"\(options)\" valued=\"\(valued)\" ;;\n"
    }

    /// `    "pull -o"|"pull --output") ... ;;`: what a value is completed with (nothing for a free value).
    static func valueCases(_ spec: CommandSpec) -> String {
        spec.allOptions.filter(\.takesValue).map { option in
            let words = option.spellings.map { "\"\(spec.name) \($0)\"" }.joined(separator: "|")
            let offer = reply(option.completion)
            return "    \(words)) \(offer.isEmpty ? "" : offer + "; ")return ;;\n"
        }.joined()
    }

    /// `    "push 0") ... ;;`: what each positional is completed with.
    static func positionalCases(_ spec: CommandSpec) -> String {
        spec.positionals.enumerated().filter { $0.element.completion != .none }.map { index, positional in
            "    \"\(spec.name) \(index)\") \(reply(positional.completion)) ;;\n"
        }.joined()
    }

    /// The assignment that offers what `completion` names; empty for a free value.
    static func reply(_ completion: ValueCompletion) -> String {
        switch completion {
        case .none: return ""
        case .directories: return "COMPREPLY=($(compgen -d -- \"$cur\"))"
        case .choices(let words): return "COMPREPLY=($(compgen -W \"\(words.joined(separator: " "))\" -- \"$cur\"))"
        }
    }
}
