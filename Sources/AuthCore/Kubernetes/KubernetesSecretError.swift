import Glibc

/// The errors of the Kubernetes secret backend, as `CredentialStoreError`s so that the helper protocol prints
/// them as they are. Each names the file and what to change in the secret; none quotes a value.
enum KubernetesSecretError {
    /// A file or directory of the mount could not be read.
    static func unreadable(path: String, error: SystemError) -> CredentialStoreError {
        let hint: String
        switch error.code {
        case EACCES, EPERM:
            hint = "give this user read access (the secret volume's defaultMode, or the pod's fsGroup)"
        case EISDIR:
            hint = "a secret key must be a file"
        default:
            hint = "check the secret volume mounted at \(FileIO.directoryName(of: path))"
        }
        return CredentialStoreError(
            .unavailable, "cannot read the Kubernetes secret file \(path): \(error.reason); \(hint)")
    }

    /// A file was read but its content is not what its key must hold.
    /// - Parameters:
    ///   - path: the file.
    ///   - problem: what is wrong, phrased to follow the path ("is empty; ...").
    static func malformed(path: String, problem: String) -> CredentialStoreError {
        CredentialStoreError(.corrupt, "the Kubernetes secret file \(path) \(problem)")
    }
}
