import Foundation

/// The servers `scripts/test.sh` starts, as it announces them through the environment.
enum TestServers {
    static let environment = ProcessInfo.processInfo.environment

    /// The project's HTTP test server (scripts/testbed/http-server.py) on 127.0.0.1, and the same server on
    /// 127.0.0.2: another origin.
    static var http: (main: String, other: String)? {
        guard let main = environment["OSSB_TEST_HTTP_SERVER"], let other = environment["OSSB_TEST_HTTP_OTHER"] else { return nil }
        return (main, other)
    }

    /// The registry with token auth and its token server.
    static var token: TokenBed? {
        guard let registry = environment["OSSB_TEST_TOKEN_REGISTRY"], let realm = environment["OSSB_TEST_TOKEN_REALM"],
            let user = environment["OSSB_TEST_TOKEN_USER"], let password = environment["OSSB_TEST_TOKEN_PASSWORD"],
            let pullUser = environment["OSSB_TEST_TOKEN_PULL_USER"],
            let pullPassword = environment["OSSB_TEST_TOKEN_PULL_PASSWORD"]
        else { return nil }
        return TokenBed(
            registry: registry, realm: realm, user: user, password: password, pullUser: pullUser,
            pullPassword: pullPassword)
    }

    /// The registry with htpasswd (Basic) auth.
    static var basic: (address: String, user: String, password: String)? {
        guard let address = environment["OSSB_TEST_BASIC_REGISTRY"], let user = environment["OSSB_TEST_BASIC_USER"],
            let password = environment["OSSB_TEST_BASIC_PASSWORD"]
        else { return nil }
        return (address, user, password)
    }

    /// The HTTPS registry with a private CA: address and the CA certificate's path.
    static var tls: (address: String, caFile: String)? {
        guard let address = environment["OSSB_TEST_TLS_REGISTRY"], let ca = environment["OSSB_TEST_TLS_CA"] else { return nil }
        return (address, ca)
    }
}

/// The token-auth test bed (scripts/testbed/token-registry.sh).
struct TokenBed: Sendable {
    let registry: String
    let realm: String
    let user: String
    let password: String
    let pullUser: String
    let pullPassword: String
}
