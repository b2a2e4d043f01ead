// swift-tools-version:6.0
// ossb-registry: container-registry client and credential-helper suite of OSSB.
// No Swift package dependencies: the toolchain plus Debian's C libraries (see docs/architecture.md).
// Ordered by layer: libraries (each depends only on those above it), then executables, then test support and
// tests. Products follow the same order.
import PackageDescription

let package = Package(
    name: "ossb-registry",
    products: [
        .library(name: "RegistryVocabulary", targets: ["RegistryVocabulary"]),
        .library(name: "AuthCore", targets: ["AuthCore"]),
        .library(name: "SecretServiceStore", targets: ["SecretServiceStore"]),
        .library(name: "HTTPTransport", targets: ["HTTPTransport"]),
        .library(name: "RegistryClient", targets: ["RegistryClient"]),
        .library(name: "RegistryCommands", targets: ["RegistryCommands"]),
        .executable(name: "docker-credential-ossb-file", targets: ["docker-credential-ossb-file"]),
        .executable(name: "docker-credential-ossb-env", targets: ["docker-credential-ossb-env"]),
        .executable(name: "docker-credential-ossb-k8s", targets: ["docker-credential-ossb-k8s"]),
        .executable(name: "ossb-kubelet-credential-provider", targets: ["ossb-kubelet-credential-provider"]),
        .executable(name: "docker-credential-ossb", targets: ["docker-credential-ossb"]),
        .executable(name: "docker-credential-ossb-secretservice", targets: ["docker-credential-ossb-secretservice"]),
        .executable(name: "docker-credential-ossb-ecr", targets: ["docker-credential-ossb-ecr"]),
        .executable(name: "docker-credential-ossb-gcr", targets: ["docker-credential-ossb-gcr"]),
        .executable(name: "docker-credential-ossb-acr", targets: ["docker-credential-ossb-acr"]),
        .executable(name: "ossb-cloud-mint", targets: ["ossb-cloud-mint"]),
        .executable(name: "ossb-registry", targets: ["ossb-registry"]),
    ],
    targets: [
        // MARK: Libraries

        // The registry's words: image references, digests, WWW-Authenticate challenges, scopes, Docker Hub's names.
        // Imports nothing (VocabularyImportTests fail on any `import`): every helper links it through AuthCore,
        // and the fuzzers compile it on its own.
        .target(name: "RegistryVocabulary", path: "Sources/RegistryVocabulary"),

        // Credentials, stores, configuration files, the helper protocol, the token exchange. FoundationEssentials
        // and Glibc only (CLinuxFiles declares glibc calls Swift's Glibc module leaves out; nothing to link): every
        // helper links it, and `import Foundation` would triple their start-up time.
        .target(name: "AuthCore", dependencies: ["RegistryVocabulary", "CLinuxFiles"], path: "Sources/AuthCore"),

        // Debian's C libraries: libsecret for the keyring, libcurl and libcrypto for HTTP and request signing.
        // Only the modules below that name them link them; LinkageTests keep them out of the helpers that must not.
        .systemLibrary(
            name: "CLibSecret", path: "Sources/CLibSecret", pkgConfig: "libsecret-1",
            providers: [.apt(["libsecret-1-dev"])]),
        .systemLibrary(
            name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "CCrypto", path: "Sources/CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // syncfs and copy_file_range, which Swift's Glibc module leaves out (declarations only, nothing to link).
        .systemLibrary(name: "CLinuxFiles", path: "Sources/CLinuxFiles"),

        // The desktop keyring (Secret Service) over libsecret, which also does the encrypted session, in its own
        // module so that only the helpers that use it load it.
        .target(
            name: "SecretServiceStore", dependencies: ["AuthCore", "CLibSecret"], path: "Sources/SecretServiceStore"),

        // HTTP over libcurl implementing AuthCore's `HTTPClient`: streaming, connection reuse, certs.d TLS,
        // SHA-256 sinks. Redirects are followed by AuthCore's code, never by libcurl.
        .target(name: "HTTPTransport", dependencies: ["AuthCore", "CCurl", "CCrypto"], path: "Sources/HTTPTransport"),

        // Cloud registries (ECR, Artifact Registry/GCR, ACR): credential chains, token minting and cache. Links
        // libcrypto (request signing) and speaks HTTP through AuthCore's protocol: the cloud helpers, which serve
        // cached tokens, load no libcurl; `ossb-cloud-mint`, which they run to mint, adds the HTTP transport.
        .target(name: "CloudAuth", dependencies: ["AuthCore", "CCrypto"], path: "Sources/CloudAuth"),

        // The registry client: references, manifests, platforms, blobs, push. Not linked by any helper.
        .target(
            name: "RegistryClient", dependencies: ["RegistryVocabulary", "AuthCore", "HTTPTransport", "CLinuxFiles"],
            path: "Sources/RegistryClient"),

        // The `ossb-registry` command's code (the command table, login, pull, push, ...), testable in-process.
        .target(
            name: "RegistryCommands",
            dependencies: ["RegistryVocabulary", "AuthCore", "HTTPTransport", "RegistryClient"],
            path: "Sources/RegistryCommands"),

        // MARK: Executables

        // The credential helpers other programs run: a few lines each, everything else lives in a library. No
        // libcurl, no Foundation (LinkageTests); the keyring helper alone loads libsecret.
        .executableTarget(
            name: "docker-credential-ossb-file", dependencies: ["AuthCore"],
            path: "helpers/docker-credential-ossb-file"),
        .executableTarget(
            name: "docker-credential-ossb-env", dependencies: ["AuthCore"],
            path: "helpers/docker-credential-ossb-env"),
        .executableTarget(
            name: "docker-credential-ossb-k8s", dependencies: ["AuthCore"],
            path: "helpers/docker-credential-ossb-k8s"),
        .executableTarget(
            name: "ossb-kubelet-credential-provider", dependencies: ["AuthCore"],
            path: "helpers/ossb-kubelet-credential-provider"),
        .executableTarget(
            name: "docker-credential-ossb", dependencies: ["AuthCore"], path: "helpers/docker-credential-ossb"),
        .executableTarget(
            name: "docker-credential-ossb-secretservice", dependencies: ["AuthCore", "SecretServiceStore"],
            path: "helpers/docker-credential-ossb-secretservice"),
        .executableTarget(
            name: "docker-credential-ossb-ecr", dependencies: ["CloudAuth"], path: "helpers/docker-credential-ossb-ecr"),
        .executableTarget(
            name: "docker-credential-ossb-gcr", dependencies: ["CloudAuth"], path: "helpers/docker-credential-ossb-gcr"),
        .executableTarget(
            name: "docker-credential-ossb-acr", dependencies: ["CloudAuth"], path: "helpers/docker-credential-ossb-acr"),

        // What the cloud helpers run to mint a token over the network: the one helper-side program with libcurl.
        .executableTarget(
            name: "ossb-cloud-mint", dependencies: ["CloudAuth", "AuthCore", "HTTPTransport"],
            path: "helpers/ossb-cloud-mint"),

        // The operator's command; everything but the process set-up lives in RegistryCommands.
        .executableTarget(
            name: "ossb-registry", dependencies: ["RegistryCommands", "AuthCore"], path: "Sources/ossb-registry"),

        // bench/http-download.sh: one blob through the transport, to a file with its SHA-256, beside curl.
        .executableTarget(
            name: "ossb-bench-download", dependencies: ["AuthCore", "HTTPTransport"], path: "bench/ossb-bench-download"),

        // MARK: Test support and tests

        // Lays out Kubernetes secret volumes as kubelet does, from the committed kubectl fixtures; both test
        // targets use it.
        .target(name: "KubernetesTestSupport", path: "Tests/KubernetesTestSupport"),
        // What the network tests share: temporary directories, the test beds' addresses.
        .target(
            name: "OSSBTestSupport", dependencies: ["RegistryVocabulary", "AuthCore", "HTTPTransport"],
            path: "Tests/TestSupport"),

        // One test target per library, in the libraries' order; HelperTests run the built helpers.
        .testTarget(
            name: "RegistryVocabularyTests", dependencies: ["RegistryVocabulary"], path: "Tests/RegistryVocabularyTests"
        ),
        .testTarget(
            name: "AuthCoreTests",
            dependencies: ["AuthCore", "RegistryVocabulary", "KubernetesTestSupport", "OSSBTestSupport"],
            path: "Tests/AuthCoreTests"),
        .testTarget(
            name: "SecretServiceStoreTests", dependencies: ["SecretServiceStore", "AuthCore"],
            path: "Tests/SecretServiceStoreTests"),
        .testTarget(
            name: "HTTPTransportTests",
            dependencies: ["AuthCore", "RegistryVocabulary", "HTTPTransport", "OSSBTestSupport"],
            path: "Tests/HTTPTransportTests"),
        .testTarget(
            name: "CloudAuthTests",
            dependencies: [
                "CloudAuth", "AuthCore", "RegistryVocabulary", "HTTPTransport", "RegistryClient", "OSSBTestSupport",
            ],
            path: "Tests/CloudAuthTests"),
        .testTarget(
            name: "RegistryClientTests",
            dependencies: ["RegistryClient", "RegistryVocabulary", "AuthCore", "OSSBTestSupport"],
            path: "Tests/RegistryClientTests"),
        // Also the source-tree checks (linkage, imports, the public API list); it depends on the executables it
        // inspects so that `swift test` builds them first.
        .testTarget(
            name: "RegistryCommandsTests",
            dependencies: [
                "AuthCore", "HTTPTransport", "RegistryCommands", "OSSBTestSupport", "ossb-registry",
                "docker-credential-ossb-ecr", "docker-credential-ossb-gcr", "docker-credential-ossb-acr",
                "docker-credential-ossb", "ossb-cloud-mint",
            ],
            path: "Tests/RegistryCommandsTests"),
        // Runs the built helpers as child processes; depending on them makes `swift test` build them first.
        .testTarget(
            name: "HelperTests",
            dependencies: [
                "AuthCore", "docker-credential-ossb-file", "docker-credential-ossb-env", "docker-credential-ossb",
                "docker-credential-ossb-k8s", "ossb-kubelet-credential-provider", "KubernetesTestSupport",
                "docker-credential-ossb-secretservice", "OSSBTestSupport", "docker-credential-ossb-ecr",
                "ossb-cloud-mint",
                "docker-credential-ossb-gcr", "docker-credential-ossb-acr",
            ],
            path: "Tests/HelperTests"),
    ],
    swiftLanguageModes: [.v6]
)
