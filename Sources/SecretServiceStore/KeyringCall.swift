import AuthCore
import CLibSecret
import Glibc

/// Runs one piece of keyring work on a thread of its own while the caller waits at most a deadline.
///
/// libsecret's blocking calls can wait forever (a D-Bus peer that accepts and never answers, a prompt nobody
/// sees). The work gets a `GCancellable` that is cancelled when the deadline passes, and the caller returns
/// the timeout error at the deadline whether or not the work has noticed, so no call outlives its bound.
/// A worker that ignores the cancellation is left to finish on its own; the helper exits right after.
///
/// An unlock prompt is the exception: a person needs longer than `OSSB_KEYRING_TIMEOUT` to type a password,
/// so work that is about to wait for one calls `waitingForPrompt()` and the caller then waits up to
/// `promptSeconds` from that moment. A prompt that cannot be shown is dismissed by the service at once.
enum KeyringCall {
    /// How long a caller waits for the user to answer an unlock prompt.
    static let promptSeconds = 120.0

    /// The worker thread's job, so that `waitingForPrompt()` can find it without threading it through.
    static let currentJob: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Called on a worker thread before it waits for an unlock prompt: extends its caller's wait to
    /// `promptSeconds` from now. Does nothing elsewhere.
    static func waitingForPrompt() {
        guard let raw = pthread_getspecific(currentJob) else { return }
        Unmanaged<JobBody>.fromOpaque(raw).takeUnretainedValue().extend(by: promptSeconds)
    }

    /// Runs `work` and returns its result, or throws the timeout error after `timeout` seconds.
    /// - Parameters:
    ///   - timeout: the bound in seconds.
    ///   - work: the keyring work; it must pass the cancellable to every libsecret call.
    /// - Returns: what `work` returned.
    /// - Throws: what `work` threw, or the `.unavailable` timeout error.
    static func run<T: Sendable>(
        timeout: Double, _ work: @escaping @Sendable (UnsafeMutablePointer<GCancellable>) throws -> T
    ) throws -> T {
        let job = Job(work: work)
        var thread = pthread_t()
        let started = pthread_create(
            &thread, nil,
            { raw in
                let body = Unmanaged<JobBody>.fromOpaque(raw!).takeRetainedValue()
                pthread_setspecific(KeyringCall.currentJob, raw)
                body.execute()
                pthread_setspecific(KeyringCall.currentJob, nil)
                return nil
            }, Unmanaged<JobBody>.passRetained(job).toOpaque())
        guard started == 0 else {
            Unmanaged<JobBody>.passUnretained(job).release()
            throw CredentialStoreError(
                .unavailable,
                "cannot start a thread for the keyring call (error \(started)); the system is out of resources")
        }
        pthread_detach(thread)
        guard job.wait(seconds: timeout) else {
            g_cancellable_cancel(job.cancellable)
            throw CredentialStoreError(.unavailable, SecretServiceMessages.timedOut(timeout))
        }
        return try job.result!.get()
    }
}

/// The thread entry's view of a job, without its result type (a C thread entry cannot be generic).
class JobBody: @unchecked Sendable {
    /// The cancellable handed to the work; cancelled when the caller gives up.
    let cancellable: UnsafeMutablePointer<GCancellable>
    /// Posted once the work has finished and its result is stored.
    private let done: UnsafeMutablePointer<sem_t>
    /// A later deadline the worker asked for (`extend(by:)`), guarded by `lock`.
    private var extended: timespec?
    private let lock: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        cancellable = g_cancellable_new()
        done = .allocate(capacity: 1)
        sem_init(done, 0, 0)
        lock = .allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
    }

    deinit {
        sem_destroy(done)
        done.deallocate()
        pthread_mutex_destroy(lock)
        lock.deallocate()
        g_object_unref(cancellable)
    }

    /// Moves the caller's deadline to `seconds` from now (called from the worker).
    final func extend(by seconds: Double) {
        let deadline = Self.deadline(in: seconds)
        pthread_mutex_lock(lock)
        extended = deadline
        pthread_mutex_unlock(lock)
    }

    /// The real-time clock `seconds` from now (sem_timedwait measures against it; glibc's sem_clockwait is not
    /// visible to Swift).
    static func deadline(in seconds: Double) -> timespec {
        var deadline = timespec()
        clock_gettime(CLOCK_REALTIME, &deadline)
        let whole = seconds.rounded(.down)
        deadline.tv_sec += Int(whole)
        deadline.tv_nsec += Int((seconds - whole) * 1e9)
        if deadline.tv_nsec >= 1_000_000_000 {
            deadline.tv_sec += 1
            deadline.tv_nsec -= 1_000_000_000
        }
        return deadline
    }

    /// Runs the work on the current (worker) thread; overridden by `Job`.
    func execute() {}

    /// Signals the waiting caller. The result must be stored before: `sem_post` orders the accesses.
    final func finish() { sem_post(done) }

    /// Waits for `finish`; `false` when `seconds` (or a deadline the worker extended it to) passed first.
    final func wait(seconds: Double) -> Bool {
        var deadline = Self.deadline(in: seconds)
        while sem_timedwait(done, &deadline) != 0 {
            if errno == EINTR { continue }
            pthread_mutex_lock(lock)
            let later = extended.flatMap { ($0.tv_sec, $0.tv_nsec) > (deadline.tv_sec, deadline.tv_nsec) ? $0 : nil }
            pthread_mutex_unlock(lock)
            guard let later else { return false }
            deadline = later
        }
        return true
    }
}

/// One keyring call and its result.
final class Job<T: Sendable>: JobBody, @unchecked Sendable {
    private let work: @Sendable (UnsafeMutablePointer<GCancellable>) throws -> T
    /// Written by the worker before `finish`, read by the caller only after `wait` succeeded.
    var result: Result<T, any Error>?

    init(work: @escaping @Sendable (UnsafeMutablePointer<GCancellable>) throws -> T) {
        self.work = work
    }

    override func execute() {
        result = Result { try work(cancellable) }
        finish()
    }
}
