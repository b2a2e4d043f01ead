import AuthCore
import CLibSecret

/// Turns a `GError` from libsecret or GDBus into the backend's one-line error: the cause in words and the
/// way out first, the GLib text only as a detail in parentheses.
enum GLibFailure {
    /// What the failed call was doing, for the message and for classifying connection failures.
    enum Stage {
        /// Connecting to the session bus and the Secret Service.
        case connect
        /// A named operation on the service (`read`, `store`, `erase`, `list`).
        case operation(String)
    }

    /// Converts and frees a `GError`.
    /// - Parameters:
    ///   - error: the error libsecret set (freed here); `nil` gives a generic message.
    ///   - stage: what was being done.
    ///   - timeout: the bound in force, for the message of a cancelled (timed-out) call.
    /// - Returns: the error to throw.
    static func convert(
        _ error: UnsafeMutablePointer<GError>?, stage: Stage, timeout: Double
    ) -> CredentialStoreError {
        guard let error else {
            return CredentialStoreError(
                .unavailable,
                "keyring error: the Secret Service failed without a reason; \(SecretServiceMessages.remedy)")
        }
        defer { g_error_free(error) }
        let domain = error.pointee.domain
        let code = error.pointee.code
        let detail = detailText(error)

        if isLocked(error) {
            return CredentialStoreError(.unavailable, SecretServiceMessages.locked)
        }
        if domain == g_dbus_error_quark() {
            switch UInt32(bitPattern: code) {
            case G_DBUS_ERROR_SERVICE_UNKNOWN.rawValue, G_DBUS_ERROR_NAME_HAS_NO_OWNER.rawValue:
                return CredentialStoreError(.unavailable, SecretServiceMessages.noSecretService)
            case G_DBUS_ERROR_NO_REPLY.rawValue, G_DBUS_ERROR_TIMEOUT.rawValue, G_DBUS_ERROR_TIMED_OUT.rawValue:
                return CredentialStoreError(.unavailable, SecretServiceMessages.timedOut(timeout))
            default:
                break
            }
        }
        if domain == g_io_error_quark(), UInt32(bitPattern: code) == G_IO_ERROR_CANCELLED.rawValue {
            // Only the watchdog cancels, so a cancelled call is a call that ran out of time.
            return CredentialStoreError(.unavailable, SecretServiceMessages.timedOut(timeout))
        }
        if domain == secret_error_get_quark() {
            switch UInt32(bitPattern: code) {
            case SECRET_ERROR_IS_LOCKED.rawValue:
                return CredentialStoreError(.unavailable, SecretServiceMessages.locked)
            case SECRET_ERROR_NO_SUCH_OBJECT.rawValue:
                return CredentialStoreError(.unavailable, SecretServiceMessages.noDefaultCollection)
            default:
                break
            }
        }
        switch stage {
        case .connect:
            return CredentialStoreError(.unavailable, SecretServiceMessages.cannotConnect(detail))
        case .operation(let name):
            return CredentialStoreError(
                .unavailable,
                "keyring error: cannot \(name) credentials in the Secret Service (\(detail)); check that the keyring is running and unlocked, or use the file backend (docker-credential-ossb-file)"
            )
        }
    }

    /// Whether a call failed because its object is gone: an item deleted by another program between the
    /// search that found it and the call that read it (gnome-keyring answers UnknownMethod, others
    /// UnknownObject). Frees the error when it returns true.
    static func consumeVanishedObject(_ error: UnsafeMutablePointer<GError>?) -> Bool {
        guard let error, error.pointee.domain == g_dbus_error_quark() else { return false }
        let code = UInt32(bitPattern: error.pointee.code)
        guard code == G_DBUS_ERROR_UNKNOWN_METHOD.rawValue || code == G_DBUS_ERROR_UNKNOWN_OBJECT.rawValue else {
            return false
        }
        g_error_free(error)
        return true
    }

    /// Whether a call was answered with UnknownMethod (what gnome-keyring answers when a handler fails before
    /// answering: `SecretServiceConnection.searchRetryDelays`). Frees the error when it returns true.
    static func consumeUnknownMethod(_ error: UnsafeMutablePointer<GError>?) -> Bool {
        guard let error, error.pointee.domain == g_dbus_error_quark(),
            UInt32(bitPattern: error.pointee.code) == G_DBUS_ERROR_UNKNOWN_METHOD.rawValue
        else { return false }
        g_error_free(error)
        return true
    }

    /// Whether the service refused because an item or collection is locked (a remote error GDBus does not map).
    static func isLocked(_ error: UnsafeMutablePointer<GError>) -> Bool {
        guard let name = g_dbus_error_get_remote_error(error) else { return false }
        defer { g_free(name) }
        return String(cString: name) == "org.freedesktop.Secret.Error.IsLocked"
    }

    /// GLib's message without the `GDBus.Error:name: ` prefix GDBus puts before remote errors, on one line.
    static func detailText(_ error: UnsafeMutablePointer<GError>) -> String {
        var text = error.pointee.message.map { String(cString: $0) } ?? "no message"
        if text.hasPrefix("GDBus.Error:"), let colon = text.dropFirst("GDBus.Error:".count).firstIndex(of: ":") {
            text = String(text[text.index(after: colon)...].drop(while: { $0 == " " }))
        }
        return String(text.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }
}
