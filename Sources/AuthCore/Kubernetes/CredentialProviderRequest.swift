/// The `CredentialProviderRequest` kubelet writes to a credential provider plugin's stdin:
/// `{"kind":"CredentialProviderRequest","apiVersion":"credentialprovider.kubelet.k8s.io/v1","image":"..."}`,
/// possibly with `serviceAccountToken` and `serviceAccountAnnotations` (read by nothing here).
public struct CredentialProviderRequest: Sendable, Equatable {
    /// The API group of the exec plugin protocol.
    public static let group = "credentialprovider.kubelet.k8s.io"

    /// The versions understood. Their request and response shapes are identical; v1 is what current kubelets
    /// send, the betas what kubelet 1.20 to 1.25 sent. The response repeats the request's version, as kubelet
    /// requires.
    public static let supportedAPIVersions = ["\(group)/v1", "\(group)/v1beta1", "\(group)/v1alpha1"]

    /// The request's `apiVersion`, one of `supportedAPIVersions`.
    public var apiVersion: String
    /// The image being pulled, as kubelet normalised it (`docker.io/library/nginx`, `127.0.0.1:5000/app`).
    public var image: String

    /// Creates a request.
    public init(apiVersion: String = "\(group)/v1", image: String) {
        self.apiVersion = apiVersion
        self.image = image
    }

    /// Decodes a request as kubelet sends it.
    /// - Parameter bytes: standard input.
    /// - Throws: `CredentialProviderError` for anything but a JSON object with a supported `apiVersion`,
    ///   `kind` `CredentialProviderRequest` and a non-empty string `image`. Unknown members are ignored, so
    ///   that fields a later kubelet adds do not break the plugin.
    public init(decoding bytes: [UInt8]) throws {
        if JSONParser.isBlank(bytes) {
            throw CredentialProviderError(
                "no request on standard input: expected a CredentialProviderRequest JSON object from kubelet")
        }
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw CredentialProviderError(
                "the request on standard input is not valid JSON (\(error)); expected a CredentialProviderRequest from kubelet"
            )
        }
        guard case .object(let object) = document else {
            throw CredentialProviderError(
                "the request on standard input is \(document.kindDescription), expected a CredentialProviderRequest JSON object"
            )
        }
        func string(_ name: String) throws -> String? {
            guard let value = object[name] else { return nil }
            guard case .string(let text) = value else {
                throw CredentialProviderError(
                    "\"\(name)\" in the request is \(value.kindDescription), expected a string")
            }
            return text
        }
        guard let apiVersion = try string("apiVersion") else {
            throw CredentialProviderError(
                "the request has no \"apiVersion\"; expected \"\(Self.supportedAPIVersions[0])\"")
        }
        guard Self.supportedAPIVersions.contains(apiVersion) else {
            throw CredentialProviderError(
                "unsupported apiVersion \"\(apiVersion)\" in the request; set apiVersion: \(Self.supportedAPIVersions[0]) for this provider in kubelet's CredentialProviderConfig"
            )
        }
        let kind = try string("kind")
        guard kind == "CredentialProviderRequest" else {
            throw CredentialProviderError(
                "the request's kind is \(kind.map { "\"\($0)\"" } ?? "missing"), expected \"CredentialProviderRequest\""
            )
        }
        guard let image = try string("image"), !image.trimmingWhitespace().isEmpty else {
            throw CredentialProviderError("the request has no \"image\"; kubelet names the image being pulled there")
        }
        self.init(apiVersion: apiVersion, image: image)
    }
}
