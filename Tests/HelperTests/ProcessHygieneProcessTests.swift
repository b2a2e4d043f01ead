import Foundation
import Testing

/// Every process that holds secrets is non-dumpable, bad numbers in the environment are one clear error, and a
/// third-party helper never sees the credential variables OSSB itself reads.
@Suite struct ProcessHygieneProcessTests {
    let home = TemporaryDirectory()
    var env: [String: String] {
        TestBed.clientEnvironment(home: home.path, extra: ["OSSB_K8S_SECRETS_DIR": home.file("none")])
    }

    /// Starts a program as an unprivileged user (uid 65534) with its stdin left open, so that it waits for
    /// its request, and says whether it made itself non-dumpable. Linux shows that from outside: the files
    /// of a non-dumpable process's /proc directory belong to root instead of to the process's user.
    func isNonDumpable(_ executable: String, _ arguments: [String]) throws -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", executable] + arguments
        process.environment = env
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        }
        // setpriv execs the program in place; poll until it is past its start-up.
        for _ in 0..<300 {
            let attributes = try? FileManager.default.attributesOfItem(
                atPath: "/proc/\(process.processIdentifier)/environ")
            let exe =
                (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(process.processIdentifier)/exe"))
                ?? ""
            if exe.hasSuffix("/" + (executable as NSString).lastPathComponent),
                (attributes?[.ownerAccountID] as? NSNumber)?.intValue == 0
            {
                return true
            }
            usleep(5_000)
        }
        return false
    }

    @Test(arguments: [
        ("docker-credential-ossb-file", ["store"]), ("docker-credential-ossb-env", ["get"]),
        ("docker-credential-ossb-k8s", ["get"]), ("docker-credential-ossb-secretservice", ["get"]),
        ("docker-credential-ossb", ["store"]), ("ossb-kubelet-credential-provider", []),
        ("ossb-registry", ["login", "127.0.0.1:9", "-u", "u", "--password-stdin"]),
    ])
    func everyProcessHoldingSecretsIsNonDumpable(program: String, arguments: [String]) throws {
        // uid 65534 must meet "no such file" for registry.json in the home, not "permission denied": ossb-registry
        // reads it before it waits for the password.
        chmod(home.path, 0o755)
        try #require(
            getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
            "needs root and setpriv to run the program as another user")
        #expect(
            try isNonDumpable(ChildProcess.product(program), arguments), "\(program) can leave a core dump with secrets"
        )
    }

    @Test(arguments: ["nan", "-1", "abc", "inf", "1e400", "0"])
    func badHelperTimeoutIsOneClearLine(value: String) throws {
        var e = env
        e["OSSB_HELPER_TIMEOUT"] = value
        let front = try ChildProcess.run(
            ChildProcess.product("docker-credential-ossb"), ["get"], input: "r.example.com", environment: e, timeout: 20
        )
        #expect(
            front.status == 1
                && front.stdout.contains(
                    "OSSB_HELPER_TIMEOUT must be a number of seconds more than 0 and at most 86400 (got \"\(value)\")"),
            "\(value): \(front)")
        #expect(front.stdout.split(separator: "\n").count == 1)
        let plugin = try ChildProcess.run(
            ChildProcess.product("ossb-kubelet-credential-provider"), [],
            input:
                #"{"kind":"CredentialProviderRequest","apiVersion":"credentialprovider.kubelet.k8s.io/v1","image":"r.example.com/a"}"#,
            environment: e, timeout: 20)
        #expect(
            plugin.status == 1 && plugin.stderr.contains("OSSB_HELPER_TIMEOUT must be a number of seconds"),
            "\(value): \(plugin)")
        let cli = try ChildProcess.run(
            ChildProcess.product("ossb-registry"), ["logout", "r.example.com"], input: "", environment: e, timeout: 20)
        #expect(
            cli.status == 1 && cli.stderr.contains("OSSB_HELPER_TIMEOUT must be a number of seconds"),
            "\(value): \(cli)")
    }

    @Test func thirdPartyHelperGetsNoCredentialVariables() throws {
        let bin = home.file("bin")
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try home.write(
            "bin/docker-credential-dumpenv",
            "#!/bin/sh\nenv > \"$HOME/dumped-env\"\necho 'credentials not found in native keychain'\nexit 1\n")
        chmod(home.file("bin/docker-credential-dumpenv"), 0o755)
        try home.write(".ossb/registry.json", #"{"credential_helpers": {"r.example.com": "dumpenv"}}"#)
        try home.write(".docker/config.json", #"{"credHelpers": {"d.example.com": "dumpenv"}}"#)
        var e = env
        e["PATH"] = "\(bin):\(e["PATH"]!)"
        let credentialVariables = [
            "DOCKER_PASSWORD": "hub-secret", "REGISTRY_EXAMPLE_COM_PASSWORD": "short-secret",
            "OSSB_127_0_0_1_5000_IDENTITY_TOKEN": "token-secret", "DOCKER_AUTH_CONFIG": #"{"auths":{}}"#,
            "OSSB_REGISTRY_X_HOST": "x-y.example.com", "OSSB_REGISTRY_X_PASSWORD": "bound-secret",
        ]
        e.merge(credentialVariables) { $1 }
        e["KEEP_ME"] = "1"
        for server in ["r.example.com", "d.example.com"] {
            try? FileManager.default.removeItem(atPath: home.file("dumped-env"))
            let got = try ChildProcess.run(
                ChildProcess.product("docker-credential-ossb"), ["get"], input: server, environment: e)
            #expect(got.status == 1, "\(got)")
            let dumped = try home.read("dumped-env")
            for name in credentialVariables.keys {
                #expect(!dumped.contains("\(name)="), "\(server): the helper saw \(name)")
            }
            for secret in credentialVariables.values where secret.hasSuffix("secret") {
                #expect(!dumped.contains(secret))
            }
            #expect(dumped.contains("KEEP_ME=1") && dumped.contains("HOME=\(home.path)"))
        }
    }
}
