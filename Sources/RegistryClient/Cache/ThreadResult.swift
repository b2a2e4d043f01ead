import Glibc
import HTTPTransport

/// Work run on a thread of its own while the starting thread does something else, its result collected with
/// `wait()`: the cache's copies of a pull's blobs (on another file system), made while the durability pass
/// waits for the disk (`BlobBatch.commit`).
final class ThreadResult<Value: Sendable>: @unchecked Sendable {
    // `value` is written by the worker before it posts `done` and read by the waiter after `done`: the
    // semaphore orders the two.
    private let done = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
    private var value: Value?

    /// Runs `body` on a new thread.
    /// - Returns: nil when no thread could be started (the caller runs `body` itself).
    static func start(_ body: @escaping @Sendable () -> Value) -> ThreadResult? {
        let result = ThreadResult()
        let started = TransferThread.start {
            result.value = body()
            sem_post(result.done)
        }
        return started ? result : nil
    }

    private init() {
        sem_init(done, 0, 0)
    }

    deinit {
        sem_destroy(done)
        done.deallocate()
    }

    /// Waits for the work to end and returns its result.
    func wait() -> Value {
        while sem_wait(done) != 0 && errno == EINTR {}
        return value!
    }
}
