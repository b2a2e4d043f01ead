import AuthCore

// docker-credential-ossb-k8s: read-only credentials from Kubernetes secrets mounted into the pod
// (/var/run/secrets/registry, OSSB_K8S_SECRETS_DIR; docs/kubernetes.md).
CredentialHelper.main(name: "docker-credential-ossb-k8s") { environment in
    KubernetesSecretStore(
        environment: environment, defaultRegistry: try RegistryConfig.load(environment: environment).defaultRegistry)
}
