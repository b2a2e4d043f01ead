import Foundation

/// The servers `scripts/test.sh` starts, as it announces them through the environment.
package enum TestServers {
    /// This process's environment, where scripts/test.sh announces the beds.
    package static let environment = ProcessInfo.processInfo.environment

    /// The project's HTTP test server (scripts/testbed/http-server.py) on 127.0.0.1, and the same server on
    /// 127.0.0.2: another origin.
    package static var http: (main: String, other: String)? {
        guard let main = environment["OSSB_TEST_HTTP_SERVER"], let other = environment["OSSB_TEST_HTTP_OTHER"] else {
            return nil
        }
        return (main, other)
    }

    /// The hostile registry and token server (scripts/testbed/hostile-registry.py), which misbehaves by
    /// repository name, on 127.0.0.1; and its login target on 127.0.0.2, which answers credentials with a
    /// hostile error.
    package static var hostile: (registry: String, login: String)? {
        guard let registry = environment["OSSB_TEST_HOSTILE_REGISTRY"],
            let login = environment["OSSB_TEST_HOSTILE_LOGIN"]
        else { return nil }
        return (registry, login)
    }

    /// The registry with token auth and its token server.
    package static var token: TokenBed? {
        guard let registry = environment["OSSB_TEST_TOKEN_REGISTRY"], let realm = environment["OSSB_TEST_TOKEN_REALM"],
            let user = environment["OSSB_TEST_TOKEN_USER"], let password = environment["OSSB_TEST_TOKEN_PASSWORD"],
            let pullUser = environment["OSSB_TEST_TOKEN_PULL_USER"],
            let pullPassword = environment["OSSB_TEST_TOKEN_PULL_PASSWORD"]
        else { return nil }
        return TokenBed(
            registry: registry, realm: realm, user: user, password: password, pullUser: pullUser,
            pullPassword: pullPassword)
    }

    /// The Google and Azure stand-ins (scripts/testbed/cloud-beds.sh): their http address, the https port of the
    /// Azure registry exchange (answering for any `*.azurecr.io` name resolved to 127.0.0.1) and the directory
    /// with the credential files and the exchange's CA certificate.
    package static var cloud: (server: String, exchangePort: Int, directory: String)? {
        guard let server = environment["OSSB_TEST_CLOUD_SERVER"],
            let port = environment["OSSB_TEST_CLOUD_EXCHANGE_PORT"].flatMap(Int.init),
            let directory = environment["OSSB_TEST_CLOUD_DIR"]
        else { return nil }
        return (server, port, directory)
    }

    /// moto, the AWS stand-in (scripts/testbed/moto.sh): one server checking SigV4 signatures, with the access key
    /// of an IAM user allowed `ecr:GetAuthorizationToken`, and one server checking nothing (for web identity).
    package static var moto: (checked: String, keyID: String, secret: String, open: String)? {
        guard let checked = environment["OSSB_TEST_MOTO"], let key = environment["OSSB_TEST_MOTO_KEY_ID"],
            let secret = environment["OSSB_TEST_MOTO_SECRET"], let open = environment["OSSB_TEST_MOTO_OPEN"]
        else { return nil }
        return (checked, key, secret, open)
    }

    /// The loopback AWS metadata services (scripts/testbed/aws-metadata.py): IMDSv2, container credentials (token
    /// `container-secret` at `/container-credentials`), and an ECR whose tokens last 12 hours (`GET /count`).
    package static var awsMetadata: String? { environment["OSSB_TEST_AWS_METADATA"] }

    /// The fault-injecting proxy in front of the Basic-auth registry (scripts/testbed/fault-proxy.py).
    package static var faultProxy: String? { environment["OSSB_TEST_FAULT_PROXY"] }

    /// The registry with htpasswd (Basic) auth.
    package static var basic: (address: String, user: String, password: String)? {
        guard let address = environment["OSSB_TEST_BASIC_REGISTRY"], let user = environment["OSSB_TEST_BASIC_USER"],
            let password = environment["OSSB_TEST_BASIC_PASSWORD"]
        else { return nil }
        return (address, user, password)
    }

    /// The Basic registry's password for user `AWS`, which the ECR stand-in mints for the access key `AKIAE2E`.
    package static var basicECRToken: String? { environment["OSSB_TEST_BASIC_ECR_TOKEN"] }

    /// The HTTPS registry with a private CA that asks for client certificates: address, the CA certificate,
    /// a client certificate and its key (paths).
    package static var tls: (address: String, caFile: String, clientCert: String, clientKey: String)? {
        guard let address = environment["OSSB_TEST_TLS_REGISTRY"], let ca = environment["OSSB_TEST_TLS_CA"],
            let cert = environment["OSSB_TEST_TLS_CLIENT_CERT"], let key = environment["OSSB_TEST_TLS_CLIENT_KEY"]
        else { return nil }
        return (address, ca, cert, key)
    }
}

/// The token-auth test bed (scripts/testbed/token-registry.sh).
package struct TokenBed: Sendable {
    package let registry: String
    package let realm: String
    package let user: String
    package let password: String
    package let pullUser: String
    package let pullPassword: String
}
