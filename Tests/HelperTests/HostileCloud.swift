import Foundation
import OSSBTestSupport

/// scripts/testbed/hostile-cloud.py, a token endpoint and metadata server that misbehaves on purpose, started by
/// scripts/test.sh as a test bed (`OSSB_TEST_HOSTILE_CLOUD`). Its Google metadata answers are `slow`.
///
/// (It was started by each test at first; the test process then waited forever on the server's pipe. A bed that
/// scripts/test.sh starts and stops by PID, like the hostile registry, has no pipe to the test process.)
struct HostileCloud: Sendable {
    /// `127.0.0.1:PORT` from the environment, or `nil` outside scripts/test.sh.
    static let address = ProcessInfo.processInfo.environment["OSSB_TEST_HOSTILE_CLOUD"]

    /// `http://127.0.0.1:PORT`; a path's first segment picks the misbehaviour (`/echo`, `/expires-huge`, ...).
    let base: String
    let port: Int

    init() throws {
        guard let address = Self.address, let colon = address.lastIndex(of: ":"),
            let port = Int(address[address.index(after: colon)...])
        else { throw CocoaError(.fileNoSuchFile) }
        self.port = port
        base = "http://\(address)"
    }

    /// What reached the server's second address (127.0.0.2), where its redirects point: paths, headers, bodies.
    func secondHostLog() throws -> String {
        let curl = try TestProcess.which("curl") ?? { throw CocoaError(.fileNoSuchFile) }()
        return try TestProcess.run(curl, ["-sf", "\(base)/log"], environment: [:]).stdout
    }
}
