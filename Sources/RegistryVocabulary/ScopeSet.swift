/// A set of scopes with at most one entry per resource: merging unions the actions, so
/// `repository:a:pull` merged with `repository:a:push` is `repository:a:pull,push`.
///
/// Equality and hashing follow the content, not any text: it is part of the token cache's key.
public struct ScopeSet: Sendable, Hashable, CustomStringConvertible, ExpressibleByArrayLiteral {
    private var actionsByResource: [Scope.Resource: Set<String>] = [:]

    /// An empty set.
    public init() {}

    /// A set from scopes, merged.
    public init<S: Sequence>(_ scopes: S) where S.Element == Scope {
        for scope in scopes { insert(scope) }
    }

    public init(arrayLiteral scopes: Scope...) {
        self.init(scopes)
    }

    /// Parses space-separated scopes (one `scope` parameter may hold several, during a cross-repository
    /// mount or in an OAuth2 response); scopes that do not parse are skipped.
    public init(parsing text: some StringProtocol) {
        self.init(text.split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { Scope(parsing: $0) })
    }

    /// Whether there is no scope.
    public var isEmpty: Bool { actionsByResource.isEmpty }

    /// The scopes, sorted by resource.
    public var scopes: [Scope] {
        actionsByResource.keys.sorted().map { Scope(resource: $0, actions: actionsByResource[$0]!) }
    }

    /// Adds a scope, merging actions with any held for the same resource.
    public mutating func insert(_ scope: Scope) {
        actionsByResource[scope.resource, default: []].formUnion(scope.actions)
    }

    /// This set with every scope of `other` merged in.
    public func merging(_ other: ScopeSet) -> ScopeSet {
        var result = self
        for scope in other.scopes { result.insert(scope) }
        return result
    }

    /// Whether this set grants everything `other` asks for.
    public func covers(_ other: ScopeSet) -> Bool {
        other.scopes.allSatisfy { wanted in
            guard let held = actionsByResource[wanted.resource] else { return false }
            return Scope(resource: wanted.resource, actions: held).covers(wanted)
        }
    }

    /// Each scope's wire form, for the GET token request's repeated `scope` parameters.
    public var components: [String] { scopes.map(\.description) }

    /// Space-separated wire forms, for the OAuth2 POST's single `scope` parameter.
    public var description: String { components.joined(separator: " ") }
}
