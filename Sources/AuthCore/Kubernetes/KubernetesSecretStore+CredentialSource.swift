/// The Kubernetes backend as the `k8s` source of discovery (`AuthProvider`). Unlike a plain `StoreSource`, it
/// answers with every kind of credential a secret can hold, a `registrytoken` included.
extension KubernetesSecretStore: CredentialSource {
    public func credentials(for request: CredentialRequest) throws -> Credentials? {
        try credentials(for: request.serverURL)
    }
}
