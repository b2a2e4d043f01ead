/// The sources of credential discovery, by the names registry.json's `credential_sources` uses.
public enum CredentialSourceName: String, Sendable, CaseIterable {
    /// Environment variables (the env backend's names).
    case env
    /// registry.json's own `registries` entries.
    case registry
    /// Mounted Kubernetes secrets.
    case k8s
    /// Cloud registries (ECR, Artifact Registry/GCR, ACR): credentials minted by `docker-credential-ossb-ecr`,
    /// `-gcr` or `-acr`, run as plugins for hosts that match a cloud.
    case cloud
    /// The desktop keyring, through `docker-credential-ossb-secretservice`.
    case keyring
    /// The file backend, `~/.ossb/credentials.json`.
    case file
    /// docker's config.json (`auths`, `credHelpers`, `credsStore`) and `DOCKER_AUTH_CONFIG`.
    case docker
    /// containers' auth.json files (podman, skopeo, buildah).
    case containers

    /// The default order: explicit configuration first, then the clouds (whose fresh tokens beat a stored one that
    /// may have expired: ECR's last 12 hours), then the stores `login` writes, then other tools' files.
    public static let defaultOrder: [CredentialSourceName] = [
        .env, .registry, .k8s, .cloud, .keyring, .file, .docker, .containers,
    ]
}

/// Where `store` and `erase` go (registry.json's `credential_store`).
public enum CredentialStoreChoice: String, Sendable {
    /// The keyring when a Secret Service answers, else the file.
    case auto
    /// Always the keyring.
    case keyring
    /// Always the file.
    case file
}
