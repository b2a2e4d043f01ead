import AuthCore
import RegistryVocabulary

/// The key `login` stores credentials under and `logout` erases: the registry as docker names it, so docker,
/// skopeo and the suite's helpers all find it (`127.0.0.1:5000`; Docker Hub under
/// `https://index.docker.io/v1/`).
enum RegistryKey {
    static func key(for registry: String) -> String {
        DockerHub.credentialKey(forHost: ServerAddress.host(of: registry))
    }
}
