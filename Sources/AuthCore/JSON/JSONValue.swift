/// A JSON document as a tree that keeps what a typed decoder would lose: the order of object members,
/// members this package does not know, and numbers exactly as written.
///
/// Credential files belong to the user and to other tools (docker writes `config.json`, containers write
/// `auth.json`): rewriting one must not drop or reorder what we do not understand.
package enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number kept as its source text, so that re-serialising never changes it.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The string, when this value is one.
    package var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The object, when this value is one.
    package var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The array, when this value is one.
    package var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// A short name of the value's kind for error messages ("a string", "an object").
    package var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// A JSON object whose members keep their order. Duplicate names are kept as parsed; look-ups return the
/// last one, as Go's decoder (docker's) does.
package struct JSONObject: Sendable, Equatable {
    /// One `"name": value` pair.
    package struct Member: Sendable, Equatable {
        /// The member's name, as written.
        package var name: String
        /// The member's value.
        package var value: JSONValue
        /// Creates a member.
        package init(name: String, value: JSONValue) {
            self.name = name
            self.value = value
        }
    }

    /// The members in document order.
    package var members: [Member]

    /// Creates an object from members in order.
    package init(_ members: [Member] = []) {
        self.members = members
    }

    /// Whether the object has no members.
    package var isEmpty: Bool { members.isEmpty }

    /// The names of the members in document order.
    package var names: [String] { members.map(\.name) }

    /// The value of the last member with exactly this name; setting replaces it in place (removing earlier
    /// duplicates) or appends a new member; setting `nil` removes every member of that name.
    package subscript(name: String) -> JSONValue? {
        get { members.last(where: { $0.name == name })?.value }
        set {
            guard let newValue else {
                members.removeAll { $0.name == name }
                return
            }
            if let index = members.lastIndex(where: { $0.name == name }) {
                members[index].value = newValue
                let duplicates = members.indices.filter { $0 != index && members[$0].name == name }
                for i in duplicates.reversed() { members.remove(at: i) }
            } else {
                members.append(Member(name: name, value: newValue))
            }
        }
    }

    /// The value for `name` matched as Go's `encoding/json` matches struct fields: case-insensitively, the last
    /// matching member winning. docker-credential-helpers decode `ServerURL`, `Username`, `Secret` this way.
    package func valueIgnoringCase(_ name: String) -> JSONValue? {
        let folded = name.lowercased()
        return members.last(where: { $0.name.lowercased() == folded })?.value
    }
}
