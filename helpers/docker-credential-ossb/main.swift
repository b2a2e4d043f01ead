import AuthCore

// docker-credential-ossb: the front docker runs for "credsStore": "ossb" (docs/front.md).
CredentialHelper.main(name: "docker-credential-ossb") { environment in
    try FrontStore(environment: environment) { StandardStreams.write($0 + "\n", to: 2) }
}
