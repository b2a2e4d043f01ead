// swift-tools-version:6.0
// ossb-registry: container-registry client and credential-helper suite of OSSB.
// No Swift package dependencies: the toolchain plus Debian's C libraries (see docs/architecture.md).
import PackageDescription

let package = Package(
    name: "ossb-registry",
    products: [
        .library(name: "AuthCore", targets: ["AuthCore"]),
        .executable(name: "docker-credential-ossb-file", targets: ["docker-credential-ossb-file"]),
        .executable(name: "docker-credential-ossb-env", targets: ["docker-credential-ossb-env"]),
        .library(name: "SecretServiceStore", targets: ["SecretServiceStore"]),
        .executable(name: "docker-credential-ossb-secretservice", targets: ["docker-credential-ossb-secretservice"]),
    ],
    targets: [
        // Credentials, stores, configuration files, the helper protocol. FoundationEssentials and Glibc only:
        // every helper links it, and `import Foundation` would triple their start-up time.
        .target(name: "AuthCore", path: "Sources/AuthCore"),

        // The desktop keyring (Secret Service) over libsecret and GDBus (libgcrypt, which libsecret loads, for the
        // encrypted secret transfer), in its own module so that only the helpers that use it load them.
        .systemLibrary(
            name: "CLibSecret", path: "Sources/CLibSecret", pkgConfig: "libsecret-1",
            providers: [.apt(["libsecret-1-dev", "libgcrypt20-dev"])]),
        .target(name: "SecretServiceStore", dependencies: ["AuthCore", "CLibSecret"], path: "Sources/SecretServiceStore"),

        // The small executables other programs run: a few lines each, everything else lives in a library.
        .executableTarget(
            name: "docker-credential-ossb-file", dependencies: ["AuthCore"],
            path: "helpers/docker-credential-ossb-file"),
        .executableTarget(
            name: "docker-credential-ossb-env", dependencies: ["AuthCore"],
            path: "helpers/docker-credential-ossb-env"),
        .executableTarget(
            name: "docker-credential-ossb-secretservice", dependencies: ["AuthCore", "SecretServiceStore"],
            path: "helpers/docker-credential-ossb-secretservice"),

        .testTarget(name: "AuthCoreTests", dependencies: ["AuthCore"], path: "Tests/AuthCoreTests"),
        .testTarget(
            name: "SecretServiceStoreTests", dependencies: ["SecretServiceStore", "AuthCore"],
            path: "Tests/SecretServiceStoreTests"),
        // Runs the built helpers as child processes; depending on them makes `swift test` build them first.
        .testTarget(
            name: "HelperTests",
            dependencies: [
                "AuthCore", "docker-credential-ossb-file", "docker-credential-ossb-env",
                "docker-credential-ossb-secretservice",
            ],
            path: "Tests/HelperTests"),
    ],
    swiftLanguageModes: [.v6]
)
