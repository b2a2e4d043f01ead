import AuthCore

// ossb-kubelet-credential-provider: a kubelet credential provider plugin answering with the credentials
// AuthCore's discovery finds for the image's registry (docs/kubernetes.md).
KubeletCredentialProvider.main(makeLookup: KubeletCredentialProvider.discoveryLookup(environment:))
