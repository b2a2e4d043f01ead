import Glibc

/// Protections every process that holds secrets applies first thing in `main`: the helpers (through
/// `CredentialHelper.main`), the kubelet plugin (`KubeletCredentialProvider.main`) and `ossb-registry`.
package enum ProcessHardening {
    /// Makes the process non-dumpable (`prctl(PR_SET_DUMPABLE, 0)`): a crash writes no core file holding
    /// passwords or tokens, and other processes of the same user can neither attach a debugger nor read
    /// `/proc/<pid>/mem`. Only root still can.
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
        return prctl(setDumpable, 0, 0, 0, 0) == 0
    }
}
