import Foundation
import Testing

/// Where a credentials file, its lock or a secret key should be, something else (a FIFO, a directory, a
/// symlink planted by another user, a directory others can write) gets one clear line, never a hang and
/// never a write.
@Suite struct FileHygieneProcessTests {
    let home = TemporaryDirectory()
    let file = ChildProcess.product("docker-credential-ossb-file")
    var env: [String: String] { TestBed.clientEnvironment(home: home.path) }
    let storeInput = #"{"ServerURL":"r.example.com","Username":"u","Secret":"hygiene-secret"}"#

    func makeDirectory(_ name: String, mode: Int = 0o700) throws {
        try FileManager.default.createDirectory(atPath: home.file(name), withIntermediateDirectories: true)
        chmod(home.file(name), mode_t(mode))
    }

    @Test func fifoOrDirectoryWhereTheCredentialsFileShouldBeIsAnErrorNotAHang() throws {
        try makeDirectory(".ossb")
        #expect(mkfifo(home.file(".ossb/credentials.json"), 0o600) == 0)
        for action in ["get", "list", "store"] {
            let result = try ChildProcess.run(
                file, [action], input: action == "store" ? storeInput : "r.example.com", environment: env, timeout: 10)
            #expect(result.status == 1 && result.stdout.contains("not a regular file"), "\(action): \(result)")
            #expect(result.stdout.split(separator: "\n").count == 1)
        }
        try FileManager.default.removeItem(atPath: home.file(".ossb/credentials.json"))
        try makeDirectory(".ossb/credentials.json")
        let dir = try ChildProcess.run(file, ["get"], input: "r.example.com", environment: env, timeout: 10)
        #expect(dir.status == 1 && dir.stdout.contains("not a regular file"), "\(dir)")
    }

    @Test func fifoAsRegistryJSONDoesNotHangTheFront() throws {
        try makeDirectory(".ossb")
        #expect(mkfifo(home.file(".ossb/registry.json"), 0o600) == 0)
        let result = try ChildProcess.run(
            ChildProcess.product("docker-credential-ossb"), ["get"], input: "r.example.com", environment: env,
            timeout: 10)
        #expect(result.status == 1 && result.stdout.contains("not a regular file"), "\(result)")
    }

    @Test func fifoAsASecretKeyIsAnErrorNotAHang() throws {
        try makeDirectory("secrets/regcred")
        try home.write("secrets/regcred/username", "u")
        try home.write("secrets/regcred/registry", "r.example.com")
        #expect(mkfifo(home.file("secrets/regcred/password"), 0o600) == 0)
        let result = try ChildProcess.run(
            ChildProcess.product("docker-credential-ossb-k8s"), ["get"], input: "r.example.com",
            environment: ["OSSB_K8S_SECRETS_DIR": home.file("secrets"), "HOME": home.path], timeout: 10)
        #expect(result.status == 1 && result.stdout.contains("not a regular file"), "\(result)")
    }

    @Test(arguments: [0o777, 0o770, 0o1777])
    func directoryOthersCanWriteIsRefused(mode: Int) throws {
        try makeDirectory(".ossb", mode: mode)
        let stored = try ChildProcess.run(file, ["store"], input: storeInput, environment: env)
        #expect(stored.status == 1 && stored.stdout.contains("writable by other users"), "\(stored)")
        #expect(!home.exists(".ossb/credentials.json"))
        try home.write(".ossb/credentials.json", #"{"auths": {}}"#)
        chmod(home.file(".ossb/credentials.json"), 0o600)
        let got = try ChildProcess.run(file, ["get"], input: "r.example.com", environment: env)
        #expect(got.status == 1 && got.stdout.contains("writable by other users"), "\(got)")
    }

    @Test func symlinkOwnedByAnotherUserIsRefused() throws {
        try #require(getuid() == 0, "needs root to give a file to another user")
        try makeDirectory(".ossb")
        try makeDirectory("real")
        try home.write("real/credentials.json", #"{"auths": {}}"#)
        try FileManager.default.createSymbolicLink(
            atPath: home.file(".ossb/credentials.json"), withDestinationPath: home.file("real/credentials.json"))
        #expect(lchown(home.file(".ossb/credentials.json"), 65534, 65534) == 0)
        let stored = try ChildProcess.run(file, ["store"], input: storeInput, environment: env)
        #expect(stored.status == 1 && stored.stdout.contains("owned by uid 65534"), "\(stored)")
        #expect(!(try home.read("real/credentials.json")).contains("r.example.com"))
        // The link is ours again, but its target belongs to someone else.
        #expect(lchown(home.file(".ossb/credentials.json"), 0, 0) == 0)
        #expect(chown(home.file("real/credentials.json"), 65534, 65534) == 0)
        let target = try ChildProcess.run(file, ["store"], input: storeInput, environment: env)
        #expect(target.status == 1 && target.stdout.contains("owned by uid 65534"), "\(target)")
    }

    @Test func danglingSymlinkStaysASymlink() throws {
        try makeDirectory(".ossb")
        try makeDirectory("dotfiles")
        try FileManager.default.createSymbolicLink(
            atPath: home.file(".ossb/credentials.json"), withDestinationPath: "../dotfiles/credentials.json")
        let stored = try ChildProcess.run(file, ["store"], input: storeInput, environment: env)
        #expect(stored.status == 0, "\(stored)")
        let attributes = try FileManager.default.attributesOfItem(atPath: home.file(".ossb/credentials.json"))
        #expect(attributes[.type] as? FileAttributeType == .typeSymbolicLink)
        #expect(try home.read("dotfiles/credentials.json").contains("r.example.com"))
        #expect(
            try ChildProcess.run(file, ["get"], input: "r.example.com", environment: env).stdout.contains(
                "hygiene-secret"))
    }

    @Test func lockThatIsAFifoOrForeignSymlinkIsRefused() throws {
        try makeDirectory(".ossb")
        #expect(mkfifo(home.file(".ossb/credentials.json.lock"), 0o600) == 0)
        let fifo = try ChildProcess.run(file, ["store"], input: storeInput, environment: env, timeout: 10)
        #expect(fifo.status == 1 && fifo.stdout.contains("not a regular file"), "\(fifo)")
    }
}
