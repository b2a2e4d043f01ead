/// A backend that only reads what something else manages (`env`: the environment, `k8s`: mounted secrets).
///
/// `store` and `erase` are refused the same way by every such backend: `CredentialStoreError.readOnly`, one
/// line naming the backend (`name`) and the action, then what to do instead, which is all a backend supplies.
public protocol ReadOnlyCredentialStore: CredentialStore {
    /// What to do instead of storing `credential` here (set variables, create a secret).
    func storeInstead(_ credential: HelperCredential) -> String
    /// What to do instead of erasing a credential here (unset variables, delete a secret).
    var eraseInstead: String { get }
}

extension ReadOnlyCredentialStore {
    /// Refuses with the read-only error and `storeInstead(_:)`.
    public func store(_ credential: HelperCredential) throws {
        throw CredentialStoreError.readOnly(backend: name, action: "store", hint: storeInstead(credential))
    }

    /// Refuses with the read-only error and `eraseInstead`.
    public func erase(_ serverURL: String) throws {
        throw CredentialStoreError.readOnly(backend: name, action: "erase", hint: eraseInstead)
    }
}
