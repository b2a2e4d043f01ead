import AuthCore

// ossb-kubelet-credential-provider: a kubelet credential provider plugin answering with OSSB's credentials
// for the image's registry (docs/kubernetes.md).
KubeletCredentialProvider.main { environment in
    // The sources, in order: environment, mounted Kubernetes secrets, the file store (when HOME or
    // OSSB_CREDENTIALS_FILE locates it). To be replaced by AuthCore's AuthProvider discovery chain.
    var stores: [any CredentialStore] = [
        EnvironmentStore(environment: environment),
        KubernetesSecretStore(
            environment: environment, defaultRegistry: try KubernetesSecretStore.defaultRegistry(environment: environment)),
    ]
    if let file = try? FileStore(environment: environment) { stores.append(file) }
    return KubeletCredentialProvider.lookup(trying: stores)
}
