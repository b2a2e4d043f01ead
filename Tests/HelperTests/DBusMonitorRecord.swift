/// The messages of a session bus in the order the bus routed them, as `dbus-monitor --profile` writes them: one
/// tab-separated line per message with its type, time, serial, sender and destination, then the path, interface
/// and member of a call or signal, or the serial answered by a reply or error. No message bodies, so a record
/// holds no secret.
///
/// The order is what the bus saw, so it proves what a time measurement cannot on a loaded machine: a call the
/// bus routed before the answer to an earlier call was sent without waiting for that answer.
struct DBusMonitorRecord {
    /// One routed message.
    struct Message {
        enum Kind: String {
            case call = "mc"
            case reply = "mr"
            case error = "err"
            case signal = "sig"
        }

        let kind: Kind
        let serial: String
        let sender: String
        let destination: String
        /// Empty for a reply or an error.
        let path: String, interface: String, member: String
        /// The serial of the call a reply or error answers; empty otherwise.
        let replySerial: String
    }

    let messages: [Message]

    /// Parses the output of `dbus-monitor --profile`; comment lines and lines of another shape are left out.
    init(profile text: String) {
        messages = text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 6, let kind = Message.Kind(rawValue: fields[0]) else { return nil }
            switch kind {
            case .call, .signal:
                guard fields.count >= 8 else { return nil }
                return Message(
                    kind: kind, serial: fields[2], sender: fields[3], destination: fields[4], path: fields[5],
                    interface: fields[6], member: fields[7], replySerial: "")
            case .reply, .error:
                return Message(
                    kind: kind, serial: fields[2], sender: fields[3], destination: fields[4], path: "", interface: "",
                    member: "", replySerial: fields[5])
            }
        }
    }

    private init(messages: some Sequence<Message>) {
        self.messages = Array(messages)
    }

    /// The messages after the first signal on `start` and before the first signal on `end` after it (object
    /// paths of marker signals the test sent with `dbus-send`); empty when either is missing.
    func between(marker start: String, and end: String) -> DBusMonitorRecord {
        let isMarker = { (path: String) in { (message: Message) in message.kind == .signal && message.path == path } }
        guard let first = messages.firstIndex(where: isMarker(start)),
            let last = messages[(first + 1)...].firstIndex(where: isMarker(end))
        else { return DBusMonitorRecord(messages: []) }
        return DBusMonitorRecord(messages: messages[(first + 1)..<last])
    }

    /// The connections (unique names) that sent method calls to `destination`, in the order of their first one.
    func callers(of destination: String) -> [String] {
        var names: [String] = []
        for message in messages where message.kind == .call && message.destination == destination {
            if !names.contains(message.sender) { names.append(message.sender) }
        }
        return names
    }

    /// The calls `connection` sent that `selected` accepts, in the order sent.
    func calls(of connection: String, _ selected: (Message) -> Bool) -> [Message] {
        messages.filter { $0.kind == .call && $0.sender == connection && selected($0) }
    }

    /// The most calls `selected` accepts that `connection` had sent and not yet been answered (by a reply or an
    /// error routed to it) at any one point of the record: 1 for a client that waits for each answer before the
    /// next call, the whole batch for one that sends them all before reading any answer.
    func mostOutstanding(of connection: String, _ selected: (Message) -> Bool) -> Int {
        var outstanding = Set<String>()
        var most = 0
        for message in messages {
            if message.kind == .call, message.sender == connection, selected(message) {
                outstanding.insert(message.serial)
                most = max(most, outstanding.count)
            } else if message.kind == .reply || message.kind == .error, message.destination == connection {
                outstanding.remove(message.replySerial)
            }
        }
        return most
    }

    /// How many calls `selected` accepts `connection` sent before the first answer to any of them was routed.
    func sentBeforeFirstAnswer(of connection: String, _ selected: (Message) -> Bool) -> Int {
        var sent = Set<String>()
        for message in messages {
            if message.kind == .call, message.sender == connection, selected(message) {
                sent.insert(message.serial)
            } else if message.kind == .reply || message.kind == .error, message.destination == connection,
                sent.contains(message.replySerial)
            {
                break
            }
        }
        return sent.count
    }

    /// The calls and answers of `connection` as short lines (kind, serial, member, answered serial), for a failure
    /// message: enough to see the order, nothing from a message body.
    func summary(of connection: String) -> String {
        messages.compactMap { message in
            switch message.kind {
            case .call where message.sender == connection:
                "call \(message.serial) \(message.member) \(message.path)"
            case .reply where message.destination == connection, .error where message.destination == connection:
                "\(message.kind == .reply ? "reply" : "error") to \(message.replySerial)"
            default: nil
            }
        }.joined(separator: "\n")
    }
}
