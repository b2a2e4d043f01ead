import CCurl
import Synchronization

/// Drives every transfer of one client from a single libcurl multi handle on one thread (as `curl -Z` does),
/// instead of a thread per transfer: memory stays flat with the number of transfers (no thread stacks, no
/// per-thread malloc arenas keeping buffers) and a transfer costs no thread creation.
///
/// The thread runs only while there is work: it starts with the first submitted transfer and ends when none
/// is left, so an idle client holds no thread. Callbacks (sinks, body readers) run on this thread and must
/// not wait for another transfer of the same client.
final class CurlMultiLoop: @unchecked Sendable {
    /// One submitted transfer: its handle and what to do when libcurl reports it done.
    struct Job: @unchecked Sendable {
        let easy: CurlEasy
        /// Tells this transfer apart from a later one on the same pooled handle (see `resume`).
        let serial: UInt64
        let finish: (CURLcode) -> Void
    }

    private struct Shared {
        var submitted: [Job] = []
        var running = false
        /// Paused transfers to unpause at the next round: handle and serial.
        var resumes: [Resume] = []
        var nextSerial: UInt64 = 0
    }

    /// A paused transfer to unpause: its handle (touched on the loop thread only) and serial.
    private struct Resume: @unchecked Sendable {
        let handle: UnsafeMutableRawPointer
        let serial: UInt64
    }

    private let multi: UnsafeMutableRawPointer
    private let shared = Mutex(Shared())

    /// Makes the multi handle; `nil` only when libcurl is out of memory.
    init?() {
        _ = CurlGlobal.initialized
        guard let multi = curl_multi_init() else { return nil }
        self.multi = multi
    }

    deinit { curl_multi_cleanup(multi) }

    /// Hands a configured handle to the loop; `finish` is called on the loop thread with libcurl's result.
    /// - Returns: false when no loop thread could be started (the caller reports it).
    func submit(_ job: Job) -> Bool {
        let mustStart = shared.withLock { shared -> Bool in
            shared.submitted.append(job)
            if shared.running { return false }
            shared.running = true
            return true
        }
        if !mustStart {
            curl_multi_wakeup(multi)
            return true
        }
        if TransferThread.start({ self.run() }) { return true }
        shared.withLock { shared in
            shared.running = false
            shared.submitted.removeAll { $0.easy === job.easy }
        }
        return false
    }

    /// Wakes the loop from its poll so that a cancelled transfer's progress callback runs at once.
    func wake() { curl_multi_wakeup(multi) }

    /// A number no other transfer of this loop has.
    func makeSerial() -> UInt64 {
        shared.withLock { shared in
            shared.nextSerial += 1
            return shared.nextSerial
        }
    }

    /// Unpauses a transfer paused by its body (`PausableBody`) at the loop's next round, from any thread. The
    /// loop calls `curl_easy_pause` itself, outside every callback: libcurl forbids unpausing one transfer from
    /// inside another's callback, and the loop thread is the only one allowed to touch its handles.
    func resume(_ handle: UnsafeMutableRawPointer, serial: UInt64) {
        shared.withLock { $0.resumes.append(Resume(handle: handle, serial: serial)) }
        curl_multi_wakeup(multi)
    }

    private func run() {
        var active: [UnsafeMutableRawPointer: Job] = [:]
        while true {
            let incoming = shared.withLock { shared -> [Job]? in
                let jobs = shared.submitted
                shared.submitted = []
                if jobs.isEmpty && active.isEmpty {
                    shared.running = false
                    shared.resumes = []
                    return nil
                }
                return jobs
            }
            guard let incoming else { return }
            for job in incoming {
                let added = curl_multi_add_handle(multi, job.easy.handle)
                if added == CURLM_OK {
                    active[job.easy.handle] = job
                } else {
                    job.finish(CURLE_OUT_OF_MEMORY)
                }
            }
            resumePaused(active)
            var running: Int32 = 0
            _ = curl_multi_perform(multi, &running)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
                let code = message.pointee.data.result
                curl_multi_remove_handle(multi, handle)
                active.removeValue(forKey: handle)?.finish(code)
            }
            if !active.isEmpty {
                // 200 ms at most: libcurl's own timeouts (connect, low speed) are checked by `perform`.
                _ = curl_multi_poll(multi, nil, 0, 200, nil)
            }
        }
    }

    /// Unpauses the transfers asked for, while no callback runs. Unpausing may call the transfer's callbacks at
    /// once, and they may ask to resume another transfer: the list is taken again until it stays empty.
    private func resumePaused(_ active: [UnsafeMutableRawPointer: Job]) {
        while true {
            let resumes = shared.withLock { shared in
                defer { shared.resumes = [] }
                return shared.resumes
            }
            if resumes.isEmpty { return }
            for resume in resumes where active[resume.handle]?.serial == resume.serial {
                _ = curl_easy_pause(resume.handle, Int32(CURLPAUSE_RECV_CONT | CURLPAUSE_SEND_CONT))
            }
        }
    }
}
