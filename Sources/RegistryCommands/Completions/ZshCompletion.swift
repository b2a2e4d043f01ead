/// The zsh completion script, written from the command table.
enum ZshCompletion {
    /// The script: `_ossb-registry` describes the commands, and completes each one's options (with their
    /// values) and positionals through `_arguments`.
    static func script(_ commands: [CommandSpec], topOptions: [CommandOption]) -> String {
        let described = commands.map { "    \(quoted("\($0.name):\(brief($0.summary))"))\n" }.joined()
        let top = topOptions.map(argument).joined(separator: " ")
        return """
            #compdef ossb-registry
            # zsh completion for ossb-registry, written by `ossb-registry completions zsh` from its command table.
            # install.sh puts it in PREFIX/share/zsh/site-functions/ (on zsh's fpath for /usr/local; for another
            # prefix add that directory to fpath before compinit).

            _ossb-registry() {
              local -a commands
              commands=(
            \(described)    'help:Show help for a command'
              )
              if (( CURRENT == 2 )); then
                _describe -t commands 'ossb-registry command' commands
                _arguments \(top)
                return
              fi
              local command=${words[2]}
              shift words
              (( CURRENT-- ))
              case $command in
            \(commands.map(branch).joined())    help)
                  _describe -t commands 'ossb-registry command' commands ;;
              esac
            }

            _ossb-registry "$@"

            """
    }

    /// `    login)\n      _arguments ... ;;`: the command's options and positionals.
    static func branch(_ spec: CommandSpec) -> String {
        let options = spec.allOptions.map(argument)
        let positionals = spec.positionals.map { quoted(":\($0.noun):\(action($0.completion))") }
        return "    \(spec.name))\n      _arguments " + (options + positionals).joined(separator: " \\\n        ")
            + " ;;\n"
    }

    /// One option as `_arguments` takes it: `{-o,--output}'[directory to write]:DIR:_directories'`.
    static func argument(_ option: CommandOption) -> String {
        let names = option.short.map { "{-\($0),--\(option.long)}" } ?? "--\(option.long)"
        let value = option.value.map { ":\(brief($0)):\(action(option.completion))" } ?? ""
        return option.short == nil
            ? quoted("\(names)[\(brief(option.help))]\(value)")
            : names + quoted("[\(brief(option.help))]\(value)")
    }

    /// What `_arguments` offers for a value or positional.
    static func action(_ completion: ValueCompletion) -> String {
        switch completion {
        case .none: return ""
        case .directories: return "_directories"
        case .choices(let words): return "(\(words.joined(separator: " ")))"
        }
    }

    /// A help line shortened for a completion menu: up to its first parenthesis or semicolon, without the
    /// characters `_arguments` reads as syntax.
    static func brief(_ help: String) -> String {
        let cut = help.prefix { $0 != "(" && $0 != ";" }.trimmingSuffix(" ")
        return String(cut.filter { !"[]:`\\".contains($0) })
    }

    /// `text` in single quotes, a quote inside written as `'\''`.
    static func quoted(_ text: String) -> String {
        "'" + text.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }
}

extension Substring {
    fileprivate func trimmingSuffix(_ character: Character) -> Substring {
        var text = self
        while text.last == character { text = text.dropLast() }
        return text
    }
}
