import AuthCore

// docker-credential-ossb-env: read-only credentials from environment variables (docs/helpers.md).
CredentialHelper.main(name: "docker-credential-ossb-env") { environment in
    EnvironmentStore(environment: environment) {
        StandardStreams.write("docker-credential-ossb-env: " + $0 + "\n", to: 2)
    }
}
