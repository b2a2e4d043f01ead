/// A `Bearer` challenge of the distribution token protocol: where to get a token (`realm`), for which
/// `service`, with which `scope`, and why the last one failed (`error`).
package struct BearerChallenge: Sendable, Hashable {
    /// The token server's URL, as sent.
    package var realm: String
    /// The service to name in the token request; missing for some registries (Google Artifact Registry).
    package var service: String?
    /// The scopes the registry asks for.
    package var scope: ScopeSet
    /// `insufficient_scope`, `invalid_token`, ...; `nil` on a first challenge.
    package var error: String?

    /// Creates a challenge.
    package init(realm: String, service: String? = nil, scope: ScopeSet = ScopeSet(), error: String? = nil) {
        self.realm = realm
        self.service = service
        self.scope = scope
        self.error = error
    }

    /// The bearer challenge among parsed challenges; `nil` when there is none or it has no realm.
    package init?(_ challenge: AuthChallenge) {
        guard challenge.scheme == "bearer", let realm = challenge[parameter: "realm"], !realm.isEmpty else {
            return nil
        }
        let service = challenge[parameter: "service"]
        self.init(
            realm: realm, service: service?.isEmpty == true ? nil : service,
            scope: ScopeSet(parsing: challenge[parameter: "scope"] ?? ""), error: challenge[parameter: "error"])
    }

    /// The first bearer challenge in a response's `WWW-Authenticate` values.
    package static func first(in headerValues: [String]) -> BearerChallenge? {
        AuthChallenge.parse(headerValues: headerValues).lazy.compactMap(BearerChallenge.init).first
    }
}
