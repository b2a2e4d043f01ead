import AuthCore
import Glibc
import Testing

/// The cheap "is there a session bus at all?" check that lets a headless helper fail without touching GLib, and
/// that the front uses to decide whether to ask the keyring helper at all.
@Suite struct SessionBusTests {
    @Test func explicitAddressWins() {
        let env = Environment(["DBUS_SESSION_BUS_ADDRESS": "unix:path=/x", "XDG_RUNTIME_DIR": "/nonexistent"])
        #expect(SessionBus.address(environment: env) == "unix:path=/x")
    }

    @Test func runtimeDirectorySocketIsFound() throws {
        let dir = try #require(makeTemporaryDirectory())
        defer { removeTree(dir) }
        // A plain file named `bus` is not a bus.
        #expect(close(open(dir + "/bus", O_CREAT | O_WRONLY, 0o600)) == 0)
        #expect(SessionBus.address(environment: Environment(["XDG_RUNTIME_DIR": dir])) == nil)
        unlink(dir + "/bus")

        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (i, byte) in (dir + "/bus").utf8.enumerated() { buffer[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        #expect(bound == 0)
        #expect(SessionBus.address(environment: Environment(["XDG_RUNTIME_DIR": dir])) == "unix:path=\(dir)/bus")
    }

    @Test func displayLeavesAutolaunchPossible() {
        #expect(SessionBus.address(environment: Environment(["DISPLAY": ":0"])) == "autolaunch:")
        #expect(SessionBus.mayExist(Environment(["DISPLAY": ":0"])))
    }

    @Test func nothingMeansNoBus() {
        #expect(SessionBus.address(environment: Environment(["HOME": "/root"])) == nil)
        #expect(!SessionBus.mayExist(Environment(["HOME": "/root", "XDG_RUNTIME_DIR": "/nonexistent"])))
    }

    func makeTemporaryDirectory() -> String? {
        var template = Array("/tmp/ossb-bus-XXXXXX".utf8CString)
        return template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }.map { String(cString: $0) }
    }

    func removeTree(_ dir: String) {
        unlink(dir + "/bus")
        rmdir(dir)
    }
}
