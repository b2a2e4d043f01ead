import Glibc

/// Protections every process that holds secrets applies first thing in `main`: the helpers (through
/// `CredentialHelper.main`), the kubelet plugin (`KubeletCredentialProvider.main`) and `ossb-registry`.
package enum ProcessHardening {
    /// Makes the process non-dumpable (`prctl(PR_SET_DUMPABLE, 0)`): a crash writes no core file holding
    /// passwords or tokens, and other processes of the same user can neither attach a debugger nor read
    /// `/proc/<pid>/mem`. Only root still can.
    ///
    /// It also gives the crash signals back their default action (`silenceCrashReports`), unless
    /// `SWIFT_BACKTRACE` is set: Swift's backtracer prints each register and the memory it points to on stderr,
    /// which in these processes is a token, a key or a password, straight into a terminal or a CI log.
    ///
    /// `prctl` is variadic in C, which Swift cannot call directly; it is called through its address with the
    /// five integer arguments the kernel reads (integer arguments travel in the same registers either way).
    /// - Returns: whether the flag was set.
    @discardableResult
    package static func makeNonDumpable() -> Bool {
        // <linux/prctl.h>'s PR_SET_DUMPABLE; Glibc's module does not export the kernel header.
        let setDumpable: Int32 = 4
        typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "prctl") else { return false }
        let prctl = unsafeBitCast(symbol, to: Prctl.self)
        if getenv("SWIFT_BACKTRACE") == nil { silenceCrashReports() }
        return prctl(setDumpable, 0, 0, 0, 0) == 0
    }

    /// The signals Swift's runtime catches to print a crash report.
    static let crashSignals = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT, SIGQUIT]

    /// Restores the default action of the crash signals, replacing the Swift runtime's crash reporter: a crash
    /// then ends the process at once (the runtime's one-line `Fatal error: …` still says why), with no memory
    /// printed and, the process being non-dumpable, no core file.
    package static func silenceCrashReports() {
        for crash in crashSignals { signal(crash, SIG_DFL) }
    }
}
