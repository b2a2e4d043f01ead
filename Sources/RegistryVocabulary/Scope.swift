/// One access scope of the distribution token protocol: `type[(class)]:name:action[,action]`, e.g.
/// `repository:library/alpine:pull,push`, `repository(plugin):x:pull`, `registry:catalog:*`.
///
/// The name may contain `:` (`repository:localhost:5000/app:pull`), so a scope is split at its first and last
/// colon only. Actions form a set: servers return them in any order, so scopes are never compared as strings.
public struct Scope: Sendable, Hashable, CustomStringConvertible {
    /// The resource the actions apply to.
    public struct Resource: Sendable, Hashable, Comparable {
        /// `repository`, `registry`.
        public var type: String
        /// The optional resource class (`plugin` in `repository(plugin)`).
        public var resourceClass: String?
        /// The resource name (`library/alpine`, `catalog`).
        public var name: String

        /// Creates a resource.
        public init(type: String, resourceClass: String? = nil, name: String) {
            self.type = type
            self.resourceClass = resourceClass
            self.name = name
        }

        var typeText: String { resourceClass.map { "\(type)(\($0))" } ?? type }

        public static func < (a: Resource, b: Resource) -> Bool {
            (a.typeText, a.name) < (b.typeText, b.name)
        }
    }

    /// What the actions apply to.
    public var resource: Resource
    /// The actions (`pull`, `push`, `delete`, `*`).
    public var actions: Set<String>

    /// Creates a scope.
    public init(resource: Resource, actions: Set<String>) {
        self.resource = resource
        self.actions = actions
    }

    /// A repository scope, the common case.
    public static func repository(_ name: String, actions: Set<String>) -> Scope {
        Scope(resource: Resource(type: "repository", name: name), actions: actions)
    }

    /// Parses one scope.
    /// - Returns: `nil` when the text does not follow the grammar.
    public init?(parsing text: some StringProtocol) {
        let text = String(text)
        guard let firstColon = text.firstIndex(of: ":"), let lastColon = text.lastIndex(of: ":"),
            firstColon < lastColon
        else { return nil }
        var type = String(text[..<firstColon])
        var resourceClass: String?
        if let open = type.firstIndex(of: "("), type.hasSuffix(")") {
            resourceClass = String(type[type.index(after: open)..<type.index(before: type.endIndex)])
            type = String(type[..<open])
            guard let cls = resourceClass, !cls.isEmpty, Self.isWord(cls) else { return nil }
        }
        let name = String(text[text.index(after: firstColon)..<lastColon])
        let actionText = text[text.index(after: lastColon)...]
        let actions = actionText.split(separator: ",").map(String.init)
        guard Self.isWord(type), !name.isEmpty, !name.contains(" "),
            actions.allSatisfy({ $0 == "*" || Self.isWord($0) })
        else { return nil }
        self.init(resource: Resource(type: type, resourceClass: resourceClass, name: name), actions: Set(actions))
    }

    static func isWord(_ text: String) -> Bool {
        !text.isEmpty
            && text.unicodeScalars.allSatisfy { s in
                (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") || (s >= "0" && s <= "9") || s == "_" || s == "-"
            }
    }

    /// Actions in a stable order: `pull`, `push`, `delete` first (as docker writes them), then the rest sorted.
    public var sortedActions: [String] {
        let rank = ["pull": 0, "push": 1, "delete": 2]
        return actions.sorted { (rank[$0] ?? 3, $0) < (rank[$1] ?? 3, $1) }
    }

    /// Whether this scope grants everything `other` asks for (`*` grants every action).
    public func covers(_ other: Scope) -> Bool {
        resource == other.resource && (actions.contains("*") || other.actions.isSubset(of: actions))
    }

    /// The wire form: `type[(class)]:name:actions`.
    public var description: String {
        "\(resource.typeText):\(resource.name):\(sortedActions.joined(separator: ","))"
    }
}
