import AuthCore
import Foundation
import OSSBTestSupport
import Testing

@testable import RegistryClient

/// The registry, proxy and seeding script that scripts/test.sh starts, for the client's integration tests.
enum RegistryTestBed {
    static let environment = ProcessInfo.processInfo.environment
    static var basic: (address: String, user: String, password: String)? {
        guard let a = environment["OSSB_TEST_BASIC_REGISTRY"], let u = environment["OSSB_TEST_BASIC_USER"],
            let p = environment["OSSB_TEST_BASIC_PASSWORD"]
        else { return nil }
        return (a, u, p)
    }
    static var proxy: String? { environment["OSSB_TEST_FAULT_PROXY"] }
    static var storage: String? { environment["OSSB_TEST_BASIC_STORAGE"] }
    static var available: Bool { basic != nil && proxy != nil }

    /// A repository name no earlier run used (the registry and proxy may outlive one test run).
    static func unique(_ name: String) -> String {
        "\(name)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    struct Seeded: Decodable {
        let digest: String
        let mediaType: String
        let manifests: [String: String]
        let layers: [String: [String]]
        let sizes: [String: [Int64]]

        /// seed-image.py writes snake_case.
        enum CodingKeys: String, CodingKey {
            case digest, manifests, layers, sizes
            case mediaType = "media_type"
        }
    }

    /// Pushes a generated image to the Basic-auth registry with seed-image.py.
    static func seed(
        repo: String, tag: String, format: String = "oci", platforms: String = "linux/amd64", index: Bool = false,
        layerMiB: Int = 0, layers: Int = 2, everyLayer: Bool = false
    ) throws -> Seeded {
        let registry = try #require(basic)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var args = [
            "python3", "\(SourceTree.root)/scripts/testbed/seed-image.py", "--registry", registry.address, "--user",
            registry.user,
            "--password-env", "OSSB_TEST_BASIC_PASSWORD", "--repo", repo, "--tag", tag, "--format", format,
            "--platforms", platforms, "--layer-mib", "\(layerMiB)", "--layers", "\(layers)",
        ]
        if index { args.append("--index") }
        if everyLayer { args.append("--every-layer") }
        process.arguments = args
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestFailure("seed-image.py failed for \(repo):\(tag)") }
        return try JSONDecoder().decode(Seeded.self, from: data)
    }

    /// Sets the proxy's fault rules.
    static func faults(_ json: String) throws {
        _ = try curl(["-s", "-X", "PUT", "--data-binary", json, "http://\(try #require(proxy))/__faults"])
    }

    static func curl(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data
    }

    /// The requests the proxy has seen, as (method, path, status, the request's Content-Range or ""); status 0
    /// for a request the proxy cut.
    static func proxyLog() throws -> [(String, String, Int, String)] {
        let data = try curl(["-s", "http://\(try #require(proxy))/__stats"])
        struct Stats: Decodable { let requests: [[Value]] }
        enum Value: Decodable {
            case s(String)
            case i(Int)
            init(from decoder: Decoder) throws {
                let c = try decoder.singleValueContainer()
                if let i = try? c.decode(Int.self) { self = .i(i) } else { self = .s(try c.decode(String.self)) }
            }
        }
        return try JSONDecoder().decode(Stats.self, from: data).requests.map { row in
            guard case .s(let m) = row[0], case .s(let p) = row[1], case .i(let s) = row[2] else {
                return ("", "", 0, "")
            }
            guard row.count > 3, case .s(let range) = row[3] else { return (m, p, s, "") }
            return (m, p, s, range)
        }
    }

    /// A client with private HOME and cache whose credentials for the registry (and proxy) are in env vars.
    static func client(
        home: TemporaryDirectory, config: String? = nil, extraCredentialsFor hosts: [String] = [],
        retry: RetryPolicy = RetryPolicy(maxAttempts: 4, baseDelay: 0.05, maxDelay: 3, maxTotal: 20)
    ) throws -> RegistryClient {
        let registry = try #require(basic)
        var variables = ["HOME": home.path, "PATH": "/usr/bin:/bin"]
        for host in [registry.address] + (proxy.map { [$0] } ?? []) + hosts {
            let prefix = "OSSB_" + EnvironmentStore.prefix(forHost: host)
            variables["\(prefix)_USERNAME"] = registry.user
            variables["\(prefix)_PASSWORD"] = registry.password
        }
        if let config { try home.write(".ossb/registry.json", config) }
        var options = ClientOptions(environment: Environment(variables))
        options.retry = retry
        options.warn = { _ in }
        if environment["OSSB_TEST_EXPLAIN"] != nil { options.explain = { print("explain: \($0)") } }
        return try RegistryClient(options: options)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
