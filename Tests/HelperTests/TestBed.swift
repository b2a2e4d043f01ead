import Foundation
import OSSBTestSupport

/// The services `scripts/test.sh` starts, as it announces them through the environment.
enum TestBed {
    static let environment = ProcessInfo.processInfo.environment

    /// The repository root (for scripts), found from this source file's location.
    static let repositoryRoot = SourceTree.root

    /// A registry with htpasswd (Basic) auth: address, user, password.
    static var basicRegistry: (address: String, user: String, password: String)? {
        guard let address = environment["OSSB_TEST_BASIC_REGISTRY"], let user = environment["OSSB_TEST_BASIC_USER"],
            let password = environment["OSSB_TEST_BASIC_PASSWORD"]
        else { return nil }
        return (address, user, password)
    }

    /// Whether the docker CLI is installed (it is not a Debian package; tests that need it say so).
    static var hasDockerCLI: Bool { which("docker") != nil }

    static func which(_ program: String) -> String? { TestProcess.which(program) }

    /// The environment for a client run: PATH starting with the built helpers, HOME and DOCKER_CONFIG private.
    static func clientEnvironment(home: String, extra: [String: String] = [:]) -> [String: String] {
        var env = [
            "PATH": "\(ChildProcess.productsDirectory):\(environment["PATH"] ?? "/usr/bin:/bin")",
            "HOME": home,
            "DOCKER_CONFIG": "\(home)/.docker",
        ]
        env.merge(extra) { $1 }
        return env
    }

    /// Pushes a freshly made test image to `registry/repository:tag` with skopeo, authenticating as given.
    static func seedImage(registry: String, repository: String, tag: String, user: String, password: String) throws {
        let dir = TemporaryDirectory()
        let layout = dir.file("layout")
        let made = try ChildProcess.run(
            "\(repositoryRoot)/scripts/testbed/make-test-image.sh", [layout, tag], input: "",
            environment: ["PATH": environment["PATH"] ?? "/usr/bin:/bin"])
        guard made.status == 0 else { throw TestBedError("make-test-image failed: \(made)") }
        let copied = try ChildProcess.run(
            which("skopeo") ?? "/usr/bin/skopeo",
            [
                "copy", "--quiet", "--dest-tls-verify=false", "--dest-creds", "\(user):\(password)",
                "oci:\(layout):\(tag)", "docker://\(registry)/\(repository):\(tag)",
            ],
            input: "", environment: ["PATH": environment["PATH"] ?? "/usr/bin:/bin", "HOME": dir.path])
        guard copied.status == 0 else {
            throw TestBedError("skopeo copy failed: status \(copied.status) \(copied.stderr)")
        }
    }
}

struct TestBedError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
