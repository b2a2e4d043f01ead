import Foundation

/// A real credential-helper executable written as a shell script, for discovery tests: it answers `get` from
/// a fixed table, logs every call (action and stdin) to a file, and can be told to fail or hang.
struct ScriptedHelper {
    let directory: TemporaryDirectory
    let name: String
    var logPath: String { directory.file("\(name).log") }

    /// Creates `docker-credential-<name>` in `directory`.
    /// - Parameters:
    ///   - answers: server URL -> (username, secret) for `get`.
    ///   - behaviour: `normal`, `fail` (exit 1 with a message), `hang` (sleeps), `garbage` (prints non-JSON).
    init(
        in directory: TemporaryDirectory, name: String, answers: [String: (String, String)] = [:],
        behaviour: String = "normal",
        extraScript: String = ""
    ) throws {
        self.directory = directory
        self.name = name
        var cases = ""
        for (server, (user, secret)) in answers {
            cases +=
                "    '\(server)') printf '{\"ServerURL\":\"%s\",\"Username\":\"\(user)\",\"Secret\":\"\(secret)\"}\\n' \"$input\"; exit 0 ;;\n"
        }
        let script = """
            #!/bin/bash
            input=$(cat)
            echo "$1 $input chain=${OSSB_HELPER_CHAIN:-}" >> '\(logPath)'
            \(extraScript)
            case '\(behaviour)' in
              fail) echo "backend exploded while handling $input"; exit 1 ;;
              hang) sleep 30; exit 0 ;;
              garbage) echo "not json at all"; exit 0 ;;
            esac
            case "$1" in
              get)
                case "$input" in
            \(cases)    *) echo "credentials not found in native keychain"; exit 1 ;;
                esac ;;
              list) echo '{}' ;;
              store|erase) exit 0 ;;
              *) exit 1 ;;
            esac
            """
        let path = directory.file("docker-credential-\(name)")
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
    }

    /// The lines logged so far, one per call.
    var calls: [String] {
        ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }
}
