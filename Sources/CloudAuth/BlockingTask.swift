import Glibc
import Synchronization

/// Runs async work to completion from synchronous code: the helper protocol's stores are synchronous, the cloud
/// providers are async (their HTTP runs on libcurl threads). The calling thread waits on a semaphore; the work runs
/// on the global executor, so it never needs the blocked thread.
enum BlockingTask {
    static func run<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        let box = Mutex<Result<T, any Error>?>(nil)
        let semaphore = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
        sem_init(semaphore, 0, 0)
        defer {
            sem_destroy(semaphore)
            semaphore.deallocate()
        }
        let signal = Semaphore(pointer: semaphore)
        Task.detached {
            let result: Result<T, any Error>
            do { result = .success(try await work()) } catch { result = .failure(error) }
            box.withLock { $0 = result }
            sem_post(signal.pointer)
        }
        while sem_wait(semaphore) != 0 {}
        return try box.withLock { $0! }.get()
    }
}

/// The semaphore handed to the task: posted once, by the task, after the caller started waiting on it.
private struct Semaphore: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<sem_t>
}
