import AuthCore
import SecretServiceStore

// docker-credential-ossb-secretservice: the desktop keyring, compatible with docker's secretservice helper
// (docs/keyring.md).
CredentialHelper.main(name: "docker-credential-ossb-secretservice") { environment in
    try SecretServiceStore(environment: environment)
}
