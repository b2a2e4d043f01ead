import AuthCore

// docker-credential-ossb-file: the writable file store (~/.ossb/credentials.json, OSSB_CREDENTIALS_FILE).
CredentialHelper.main(name: "docker-credential-ossb-file") { environment in
    try FileStore(environment: environment)
}
