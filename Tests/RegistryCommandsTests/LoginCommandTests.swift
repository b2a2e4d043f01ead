import AuthCore
import Foundation
import HTTPTransport
import OSSBTestSupport
import Testing

/// `ossb-registry login` and `logout` in-process against the real registries of the test beds.
@Suite struct LoginCommandTests {
    @Test(.enabled(if: TestServers.token != nil, "needs scripts/test.sh's token registry"))
    func tokenRegistryStoresTheRefreshTokenAsAnIdentityToken() async throws {
        let bed = try #require(TestServers.token)
        let harness = CommandHarness()
        let result = await harness.run(
            ["login", bed.registry, "-u", bed.user, "--password-stdin"], stdin: bed.password + "\n")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "Login Succeeded\n")
        let entry = try #require(try harness.storedEntry(bed.registry))
        let refresh = try #require(entry["identitytoken"], "the refresh token is stored instead of the password")
        #expect(entry["auth"] == nil)
        let file = try String(contentsOfFile: harness.credentialsFile, encoding: .utf8)
        #expect(!file.contains(bed.password))
        // The stored identity token works: the OAuth2 POST exchanges it for an access token.
        let store = FileStore(path: harness.credentialsFile)
        let credential = try #require(try store.get(bed.registry))
        #expect(credential.isIdentityToken)
        let auth = RegistryAuthenticator(
            registry: HTTPOrigin(URL(string: "http://\(bed.registry)/")!)!, credentials: credential.credentials,
            client: CurlHTTPClient(), allowPlainHTTP: true)
        #expect(try await auth.send(HTTPRequest(url: URL(string: "http://\(bed.registry)/v2/")!)).status == 200)
        #expect(!refresh.isEmpty)
    }

    @Test(.enabled(if: TestServers.token != nil, "needs scripts/test.sh's token registry"))
    func wrongPasswordIsReportedAndNothingIsStored() async throws {
        let bed = try #require(TestServers.token)
        let harness = CommandHarness()
        let wrong = "not-the-password-\(UUID())"
        let result = await harness.run(["login", "--password-stdin", bed.registry, "-u", bed.user], stdin: wrong)
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)")
        #expect(result.stderr.contains("refused the credentials of user \(bed.user)"))
        #expect(!result.stderr.contains(wrong))
        #expect(result.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: harness.credentialsFile))
    }

    @Test(.enabled(if: TestServers.token != nil, "needs scripts/test.sh's token registry"))
    func explanationNamesTheRealmHostAndNoSecret() async throws {
        let bed = try #require(TestServers.token)
        let harness = CommandHarness()
        let result = await harness.run(
            ["login", bed.registry, "-u", bed.user, "--password-stdin"], stdin: bed.password,
            environment: ["OSSB_EXPLAIN": "1"])
        #expect(result.status == 0)
        #expect(result.stderr.contains("ossb: realm host: 127.0.0.1:"))
        #expect(result.stderr.contains("stored an identity token"))
        let refresh = try #require(try harness.storedEntry(bed.registry)?["identitytoken"])
        #expect(!result.stderr.contains(bed.password))
        #expect(!result.stderr.contains(refresh))
        // Without OSSB_EXPLAIN nothing is explained.
        let quiet = await harness.run(["login", bed.registry, "-u", bed.user, "--password-stdin"], stdin: bed.password)
        #expect(
            quiet.stderr == "ossb-registry: credentials stored in \(harness.credentialsFile)\n", "only where it stored")
        #expect(
            result.stderr.contains("ossb: stored an identity token for \(bed.registry) in \(harness.credentialsFile)"))
    }

    @Test(.enabled(if: TestServers.basic != nil, "needs scripts/test.sh's Basic registry"))
    func basicRegistryStoresUserAndPasswordThenLogoutRemovesThem() async throws {
        let bed = try #require(TestServers.basic)
        let registry = bed.address
        let harness = CommandHarness()
        let login = await harness.run(
            ["login", registry, "--username=\(bed.user)", "--password-stdin"], stdin: bed.password + "\r\n")
        #expect(login.status == 0, "\(login.stderr)")
        #expect(
            login.stderr == "ossb-registry: credentials stored in \(harness.credentialsFile)\n",
            "login says where it stored")
        let entry = try #require(try harness.storedEntry(bed.address))
        #expect(entry["auth"] == Data("\(bed.user):\(bed.password)".utf8).base64EncodedString())
        let logout = await harness.run(["logout", bed.address])
        #expect(logout.status == 0)
        #expect(logout.stdout == "Removing login credentials for \(bed.address)\n")
        #expect(try harness.storedEntry(bed.address) == nil)
        let again = await harness.run(["logout", "http://\(bed.address)/"])
        #expect(again.status == 0)
        #expect(again.stdout == "Not logged in to \(bed.address)\n")
    }

    /// With a keyring on the session bus (`credential_store: auto`), login stores there and says so; logout
    /// removes it from there.
    @Test(
        .enabled(
            if: TestServers.basic != nil && ProcessInfo.processInfo.environment["OSSB_TEST_KEYRING"] != nil,
            "needs scripts/test.sh's Basic registry and keyring session"))
    func loginWithAKeyringStoresThereAndSaysSo() async throws {
        let bed = try #require(TestServers.basic)
        let harness = CommandHarness()
        let bus = try #require(ProcessInfo.processInfo.environment["DBUS_SESSION_BUS_ADDRESS"])
        let env = ["DBUS_SESSION_BUS_ADDRESS": bus, "XDG_RUNTIME_DIR": harness.home.path]
        let login = await harness.run(
            ["login", bed.address, "-u", bed.user, "--password-stdin"], stdin: bed.password, environment: env)
        #expect(login.status == 0, "\(login.stderr)")
        #expect(login.stderr == "ossb-registry: credentials stored in the keyring (Secret Service)\n")
        #expect(!FileManager.default.fileExists(atPath: harness.credentialsFile))
        let logout = await harness.run(["logout", bed.address], environment: env)
        #expect(logout.status == 0, "\(logout.stderr)")
        #expect(logout.stdout == "Removing login credentials for \(bed.address)\n")
    }

    /// A keyring that does not answer: login fails (the registry's answer is not written to the plain-text file
    /// instead) and logout fails, each with one line; neither waits longer than OSSB_KEYRING_TIMEOUT allows.
    @Test(
        .enabled(
            if: TestServers.basic != nil && ProcessInfo.processInfo.environment["OSSB_TEST_SILENT_BUS"] != nil,
            "needs scripts/test.sh's Basic registry and silent bus"))
    func aKeyringThatDoesNotAnswerFailsLoginAndLogout() async throws {
        let bed = try #require(TestServers.basic)
        let harness = CommandHarness()
        let env = [
            "DBUS_SESSION_BUS_ADDRESS": try #require(ProcessInfo.processInfo.environment["OSSB_TEST_SILENT_BUS"]),
            "XDG_RUNTIME_DIR": harness.home.path, "OSSB_KEYRING_TIMEOUT": "1",
        ]
        let login = await harness.run(
            ["login", bed.address, "-u", bed.user, "--password-stdin"], stdin: bed.password, environment: env)
        #expect(login.status == 1)
        #expect(
            login.stderr.contains("keyring not answering: the Secret Service did not answer within 1 s"),
            "\(login.stderr)")
        #expect(login.stderr.split(separator: "\n").count == 1, "\(login.stderr)")
        #expect(!login.stderr.contains(bed.password))
        #expect(!FileManager.default.fileExists(atPath: harness.credentialsFile), "no silent fall back to the file")
        let logout = await harness.run(["logout", bed.address], environment: env)
        #expect(logout.status == 1)
        #expect(logout.stderr.contains("keyring not answering"), "\(logout.stderr)")
        #expect(logout.stderr.split(separator: "\n").count == 1, "\(logout.stderr)")
    }

    @Test(.enabled(if: TestServers.basic != nil, "needs scripts/test.sh's Basic registry"))
    func basicRegistryWrongPassword() async throws {
        let bed = try #require(TestServers.basic)
        let harness = CommandHarness()
        let result = await harness.run(
            ["login", bed.address, "-u", bed.user, "--password-stdin"], stdin: "wrong-basic-pw")
        #expect(result.status == 1)
        #expect(result.stderr.contains("refused the user name or password"))
        #expect(!result.stderr.contains("wrong-basic-pw"))
        #expect(!FileManager.default.fileExists(atPath: harness.credentialsFile))
    }

    @Test func unreachableRegistryFailsWithOneLine() async {
        let harness = CommandHarness()
        let result = await harness.run(["login", "127.0.0.1:1", "-u", "u", "--password-stdin"], stdin: "pw")
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("ossb-registry login: cannot reach"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func plainHttpIsRefusedForARemoteRegistryUnlessInsecure() async {
        let harness = CommandHarness()
        let result = await harness.run(
            ["login", "http://registry.invalid", "-u", "u", "--password-stdin"], stdin: "pw")
        #expect(result.status == 1)
        #expect(result.stderr.contains("may not be reached over plain http"))
    }
}

/// `login` to an HTTPS registry with a private CA: the CA and client certificate come from the certs.d
/// directory named by OSSB_CERTS_D; without them the failure says where to put the CA.
@Suite(.enabled(if: TestServers.tls != nil, "needs scripts/test.sh's TLS registry"))
struct LoginTLSTests {
    @Test func loginVerifiesWithCertsDAndExplainsTheFailureWithout() async throws {
        let bed = try #require(TestServers.tls)
        let harness = CommandHarness()
        let without = await harness.run(["login", bed.address, "-u", "u", "--password-stdin"], stdin: "pw")
        #expect(without.status == 1)
        #expect(without.stderr.contains("certs.d"), "\(without.stderr)")
        #expect(without.stderr.split(separator: "\n").count == 1)

        let hostDir = harness.home.file("certs.d/\(bed.address)")
        try FileManager.default.createDirectory(atPath: hostDir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: bed.caFile, toPath: "\(hostDir)/ca.crt")
        try FileManager.default.copyItem(atPath: bed.clientCert, toPath: "\(hostDir)/client.cert")
        try FileManager.default.copyItem(atPath: bed.clientKey, toPath: "\(hostDir)/client.key")
        let with = await harness.run(
            ["login", bed.address, "-u", "u", "--password-stdin", "--explain"], stdin: "pw")
        #expect(with.status == 0, "\(with.stderr)")
        #expect(with.stderr.contains("TLS for \(bed.address): system CAs plus"))
        #expect(with.stderr.contains("asks for no authentication"))
    }
}
