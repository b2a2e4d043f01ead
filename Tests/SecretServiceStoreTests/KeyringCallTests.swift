import AuthCore
import CLibSecret
import Glibc
import Synchronization
import Testing

@testable import SecretServiceStore

/// The watchdog: a call that does not finish in time returns the timeout error at the deadline and its
/// cancellable is cancelled, so libsecret's blocking call underneath can give up too.
@Suite struct KeyringCallTests {
    @Test func returnsTheWorkResult() throws {
        #expect(try KeyringCall.run(timeout: 5) { _ in 42 } == 42)
    }

    @Test func passesTheWorkErrorThrough() {
        #expect(throws: CredentialStoreError(.corrupt, "boom")) {
            try KeyringCall.run(timeout: 5) { _ -> Int in throw CredentialStoreError(.corrupt, "boom") }
        }
    }

    @Test func stuckWorkTimesOutAndIsCancelled() throws {
        let flags = Flags()
        #expect(throws: CredentialStoreError(.unavailable, SecretServiceMessages.timedOut(0.2))) {
            try KeyringCall.run(timeout: 0.2) { cancellable -> Int in
                // Stands in for a D-Bus call that never answers: waits up to 10 s, unless cancelled.
                for _ in 0..<1000 {
                    if g_cancellable_is_cancelled(cancellable) != 0 {
                        flags.sawCancel.store(true, ordering: .sequentiallyConsistent)
                        break
                    }
                    usleep(10_000)
                }
                flags.finished.store(true, ordering: .sequentiallyConsistent)
                return 0
            }
        }
        // The caller came back at the deadline, before the work ended...
        let finishedAtDeadline = flags.finished.load(ordering: .sequentiallyConsistent)
        #expect(!finishedAtDeadline)
        // ...and the work then saw the cancellation and ended soon after.
        for _ in 0..<200 where !flags.finished.load(ordering: .sequentiallyConsistent) { usleep(10_000) }
        let sawCancel = flags.sawCancel.load(ordering: .sequentiallyConsistent)
        #expect(sawCancel)
    }

    /// An unlock prompt is a person typing a password: once the work says it is showing one, the caller waits
    /// up to `KeyringCall.promptSeconds` instead of the call's own bound.
    @Test func aPromptExtendsTheBound() throws {
        let started = ContinuousClock.now
        let result = try KeyringCall.run(timeout: 0.2) { _ -> Int in
            KeyringCall.waitingForPrompt()
            usleep(600_000)
            return 7
        }
        #expect(result == 7)
        #expect(ContinuousClock.now - started >= .milliseconds(600))
    }
}

/// What the worker saw, shared with the test.
private final class Flags: Sendable {
    let sawCancel = Atomic<Bool>(false)
    let finished = Atomic<Bool>(false)
}
