import Foundation
import KubernetesTestSupport
import Testing

@testable import AuthCore

/// Secrets no kubectl would make: each gives one clear error naming the file, never a secret, never a crash.
@Suite struct MountedSecretBadInputTests {
    let dir = TemporaryDirectory()

    /// Mounts raw files and returns the error `get` gives.
    func error(for files: [String: [UInt8]]) throws -> CredentialStoreError {
        _ = try KubeletMount(at: dir.path, files: files)
        do {
            let got = try KubernetesSecretStore(directory: dir.path, defaultRegistry: nil).get("docker.io")
            throw MountError("expected an error, got \(String(describing: got))")
        } catch let error as CredentialStoreError {
            #expect(!error.message.contains("\n"))
            #expect(!error.message.contains("bad-secret"))
            return error
        }
    }

    func text(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func emptyFile() throws {
        let e = try error(for: ["username": [], "password": text("bad-secret")])
        #expect(
            e.message
                == "the Kubernetes secret file \(dir.path)/username is empty; put the value in the secret's \"username\" key"
        )
    }

    @Test func whitespaceOnlyUsername() throws {
        let e = try error(for: ["username": text(" \n"), "password": text("bad-secret")])
        #expect(e.message.contains("/username is empty"))
    }

    @Test func binaryFile() throws {
        let e = try error(for: ["username": text("user"), "password": [0x00, 0xFF, 0x10, 0x80] + text("bad-secret")])
        #expect(e.kind == .corrupt)
        #expect(e.message.contains("/password holds binary data, not text"))
    }

    @Test func invalidUTF8IsBinary() throws {
        let e = try error(for: ["username": [0xC3, 0x28], "password": text("bad-secret")])
        #expect(e.message.contains("/username holds binary data"))
    }

    @Test func usernameWithoutPassword() throws {
        let e = try error(for: ["username": text("user")])
        #expect(e.message.contains("/username has no matching \"password\" key in the same secret"))
    }

    @Test func registryWithoutCredentials() throws {
        let e = try error(for: ["registry": text("quay.example.com")])
        #expect(e.message.contains("/registry names a registry but the secret has no username and password keys"))
    }

    @Test func dockerConfigJSONNotJSON() throws {
        let e = try error(for: [".dockerconfigjson": text("{\"auths\": {\"r\": {\"auth\": \"bad-secret\"")])
        #expect(e.message.hasPrefix("the Kubernetes secret file \(dir.path)/.dockerconfigjson is not valid JSON"))
    }

    @Test func dockerConfigJSONWithoutAuths() throws {
        let e = try error(for: [".dockerconfigjson": text(#"{"credsStore": "bad-secret"}"#)])
        #expect(e.message.contains("there is no \"auths\" member"))
    }

    @Test func dockerConfigJSONWithAuthsOfTheWrongType() throws {
        let e = try error(for: [".dockerconfigjson": text(#"{"auths": ["bad-secret"]}"#)])
        #expect(e.message.contains("\"auths\" is an array, expected an object"))
    }

    @Test func authThatIsNotBase64OfUserColonPassword() throws {
        let e = try error(for: [".dockercfg": text(#"{"r.example.com": {"auth": "bad-secret"}}"#)])
        #expect(e.message.contains("\"auth\" of the entry for \"r.example.com\" is not base64"))
    }

    @Test func dockercfgThatIsAnArray() throws {
        let e = try error(for: [".dockercfg": text("[1, 2]")])
        #expect(e.message.contains("/.dockercfg holds an array, expected a JSON object"))
    }

    @Test(.enabled(if: getuid() != 0, "root reads files whatever their mode"))
    func unreadableFile() throws {
        let mount = try KubeletMount(at: dir.path, files: ["username": text("u"), "password": text("bad-secret")])
        chmod(try mount.currentFile("password"), 0)
        do {
            _ = try KubernetesSecretStore(directory: dir.path, defaultRegistry: nil).get("docker.io")
            Issue.record("expected an error")
        } catch let error as CredentialStoreError {
            #expect(error.kind == .unavailable)
            #expect(
                error.message.contains("cannot read the Kubernetes secret file \(dir.path)/password: Permission denied")
            )
        }
    }

    @Test func keyThatIsADirectory() throws {
        _ = try KubeletMount(at: dir.path, files: ["password": text("bad-secret")])
        try FileManager.default.createDirectory(
            atPath: dir.path + "/..data/username", withIntermediateDirectories: true)
        do {
            _ = try KubernetesSecretStore(directory: dir.path, defaultRegistry: nil).get("docker.io")
            Issue.record("expected an error")
        } catch let error as CredentialStoreError {
            #expect(
                error.message.contains(
                    "cannot read the Kubernetes secret file \(dir.path)/username: Is a directory; a secret key must be a file"
                ))
        }
    }

    @Test func brokenSecretBesideAGoodOneIsStillAnError() throws {
        _ = try KubeletMount(at: dir.file("good"), fixture: "opaque-default.json")
        _ = try KubeletMount(at: dir.file("broken"), files: [".dockerconfigjson": text("not json")])
        #expect(throws: CredentialStoreError.self) {
            try KubernetesSecretStore(directory: dir.path, defaultRegistry: nil).get("docker.io")
        }
    }
}
