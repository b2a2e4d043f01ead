/// A cloud credential could not be obtained. The message names the cloud, the credential sources tried and what
/// to do ("no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or ..."); it never
/// holds a secret.
package struct CloudAuthError: Error, Sendable, CustomStringConvertible {
    /// The cloud (`AWS`, `Google Cloud`, `Azure`).
    package let cloud: String
    /// One line: what failed and what to do.
    package let message: String

    /// Creates an error.
    package init(cloud: String, _ message: String) {
        self.cloud = cloud
        self.message = message
    }

    package var description: String { message }
}
