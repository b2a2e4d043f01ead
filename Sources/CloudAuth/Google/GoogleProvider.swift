import AuthCore
import FoundationEssentials

/// Google Artifact Registry and Container Registry (`gcr.io`, `*.gcr.io`, `*-docker.pkg.dev`): the user name
/// `oauth2accesstoken` with an OAuth2 access token from Application Default Credentials, walked in Google's
/// order: the key file `GOOGLE_APPLICATION_CREDENTIALS` names; gcloud's well-known file
/// (`~/.config/gcloud/application_default_credentials.json`, under `CLOUDSDK_CONFIG` when set); the metadata
/// server of a Google Cloud VM, GKE node or Cloud Run instance (`GCE_METADATA_HOST` overrides its address).
package struct GoogleProvider: CloudProvider {
    /// The scope every Google access token is requested with; Artifact Registry accepts it.
    static let scope = "https://www.googleapis.com/auth/cloud-platform"
    /// The user name the registries expect with an access token.
    static let username = "oauth2accesstoken"

    /// Creates the provider; everything it reads comes from the `CloudContext`.
    package init() {}

    package var cloudName: String { "Google Cloud" }

    /// `gcr.io`, `*.gcr.io` and `*-docker.pkg.dev`, as discovery routes them (`CloudRegistry`).
    package func serves(host: String) -> Bool { CloudRegistry.serving(host: host) == .gcr }

    package func credential(for host: String, in context: CloudContext) async throws -> CloudCredential {
        let http = CloudHTTP(cloud: cloudName, context: context)
        if let path = context.environment["GOOGLE_APPLICATION_CREDENTIALS"] {
            context.explain("Google Cloud: GOOGLE_APPLICATION_CREDENTIALS names \(path)")
            guard let file = try GoogleCredentialFile.read(path, http: http) else {
                throw CloudAuthError(
                    cloud: cloudName,
                    "Google Cloud: GOOGLE_APPLICATION_CREDENTIALS names \(path), which does not exist; point it at a credentials file (a service account key, `gcloud auth application-default login`'s file, or a workload identity federation configuration), or unset it"
                )
            }
            return try await file.credential(http)
        }
        let wellKnown = Self.wellKnownFile(context.environment)
        if let wellKnown, let file = try GoogleCredentialFile.read(wellKnown, http: http) {
            context.explain("Google Cloud: GOOGLE_APPLICATION_CREDENTIALS is unset; using gcloud's \(wellKnown)")
            return try await file.credential(http)
        }
        context.explain(
            "Google Cloud: GOOGLE_APPLICATION_CREDENTIALS is unset and \(wellKnown ?? "gcloud's file (HOME is unset)") does not exist; asking the metadata server"
        )
        let metadata = GoogleMetadataServer(environment: context.environment)
        do {
            return try await metadata.credential(http)
        } catch let error as GoogleMetadataServer.Unreachable {
            throw CloudAuthError(
                cloud: cloudName,
                "no Google Cloud credentials: GOOGLE_APPLICATION_CREDENTIALS is unset, \(wellKnown ?? "gcloud's application_default_credentials.json (HOME is unset)") does not exist, and the metadata server at \(metadata.host) did not answer (\(error.reason)); run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a service account key or workload identity federation file"
            )
        }
    }

    /// Who would mint, without any network: the credentials file in force (its path and a hash of its content, so
    /// that a new key or login is a new identity), else the metadata server's address. The hash is of the file,
    /// never printed with the key in it.
    package func identity(for host: String, in context: CloudContext) throws -> String? {
        let environment = context.environment
        let candidates = [environment["GOOGLE_APPLICATION_CREDENTIALS"], Self.wellKnownFile(environment)].compactMap {
            $0
        }
        for (index, path) in candidates.enumerated() {
            let bytes: [UInt8]?
            do { bytes = try FileIO.readIfExists(path, limit: 1 << 20) } catch {
                throw CloudAuthError(cloud: cloudName, "Google Cloud: \(path) cannot be read: \(error)")
            }
            guard var bytes else {
                // GOOGLE_APPLICATION_CREDENTIALS naming a missing file is an error `credential` reports.
                if index == 0, environment["GOOGLE_APPLICATION_CREDENTIALS"] != nil { return nil }
                continue
            }
            defer { SecretMemory.wipe(&bytes) }
            let aws = GoogleAWSSource.identity(configuration: bytes, environment)
            return "Google file \(path) sha256:\(CloudCrypto.fingerprint(bytes))\(aws)"
        }
        return "Google metadata server \(GoogleMetadataServer(environment: environment).host)"
    }

    /// gcloud's Application Default Credentials file, or `nil` without `HOME` or `CLOUDSDK_CONFIG`.
    static func wellKnownFile(_ environment: Environment) -> String? {
        if let config = environment["CLOUDSDK_CONFIG"] { return "\(config)/application_default_credentials.json" }
        guard let home = OSSBPaths(environment: environment).home else { return nil }
        return "\(home)/.config/gcloud/application_default_credentials.json"
    }
}
