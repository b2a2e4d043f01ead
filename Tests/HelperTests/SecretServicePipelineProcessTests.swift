import Foundation
import Testing

/// The keyring helper does not pay one D-Bus round trip per item: `list` asks for the attributes of every item
/// before it reads the first answer, and `get` sends its two searches (the exact key, and every docker item for
/// the other spellings of it) together. In a keyring session of its own, holding only the items it stores, the
/// test records the bus with `dbus-monitor --profile` while the real helper runs `list` and `get`, and counts
/// from the order in which the bus routed the helper's calls and their answers how many were in flight at once.
/// The order, not the time, is what it checks, so a loaded machine does not change the verdict: a helper that
/// waits for each answer before its next call never has two in flight. `get` runs with the keyring stopped until
/// its searches were routed: the bus reads a client's calls in chunks, and under load the keyring answered the
/// first search before the bus had read the second, which the helper had sent already.
@Suite struct SecretServicePipelineProcessTests {
    /// Items stored before `list`; enough that a batch and one call at a time cannot be mistaken for each other.
    static let items = 20

    @Test(
        .enabled(
            if: TestBed.canNestKeyringSession && TestBed.which("dbus-monitor") != nil,
            "needs gnome-keyring and dbus (scripts/install-deps.sh)"))
    func listAndGetSendTheirCallsWithoutWaiting() throws {
        let dir = TemporaryDirectory()
        let script = """
            for i in $(seq 1 "$ITEMS"); do
              printf '{"ServerURL":"pipeline-%s.example","Username":"user-%s","Secret":"pipeline-pw-%s"}' $i $i $i \\
                | "$HELPER" store > /dev/null 2>&1 || echo "$i" >> "$out/store-failed"
            done
            # Every message on this private bus, without bodies, a line each as it is routed (stdbuf: dbus-monitor
            # buffers its profile output), so that the test's marker signals can be waited for.
            stdbuf -oL dbus-monitor --session --profile > "$out/record" 2> "$out/monitor.err" & monitor=$!
            mark() { dbus-send --session "/ossb/test/$1" org.ossb.Test.Mark; }
            seen() { grep -q "/ossb/test/$1" "$out/record"; }
            # The monitor records once it has seen a marker: until then, send another.
            tries=0
            until seen start || [ $tries -ge 200 ]; do mark start; sleep 0.05; tries=$((tries + 1)); done
            "$HELPER" list > "$out/list.out" 2> "$out/list.err"; echo $? > "$out/list.rc"
            mark listed
            # get runs with the keyring stopped (SIGSTOP), so that no answer can come before the bus has routed
            # every call the helper sends without waiting; the keyring goes on once two searches were routed, or
            # after 3 s (a helper that waits for the first answer never sends the second).
            keyring=$(dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
              org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets | awk '/uint32/ {print $2}')
            kill -STOP "$keyring" || echo "$keyring" > "$out/keyring-not-stopped"
            echo pipeline-7.example | "$HELPER" get > "$out/get.out" 2> "$out/get.err" & getter=$!
            tries=0
            until [ "$(sed -n '\\#/ossb/test/listed#,$p' "$out/record" | grep -c SearchItems)" -ge 2 ] || [ $tries -ge 60 ]; do
              sleep 0.05; tries=$((tries + 1))
            done
            kill -CONT "$keyring"
            wait $getter; echo $? > "$out/get.rc"
            mark end
            tries=0
            until seen end || [ $tries -ge 200 ]; do sleep 0.05; tries=$((tries + 1)); done
            kill $monitor

            """
        let result = try TestBed.inNestedKeyringSession(
            script, in: dir,
            environment: [
                "HELPER": TestBed.secretServiceHelper, "ITEMS": "\(Self.items)", "OSSB_KEYRING_TIMEOUT": "20",
            ],
            timeout: 120)
        #expect(result.status == 0, "\(result)")
        #expect(!dir.exists("store-failed"), "storing the items failed")
        #expect(!dir.exists("keyring-not-stopped"), "the keyring's process was not found on the bus to stop it")

        // The answers first, so that a helper that sends its calls together but answers wrongly fails too.
        let listError = try dir.read("list.err")
        let getError = try dir.read("get.err")
        #expect(try dir.read("list.rc") == "0\n", "list failed: \(listError)")
        let listed = try JSONSerialization.jsonObject(with: Data(try dir.read("list.out").utf8)) as? [String: String]
        let stored = Dictionary(uniqueKeysWithValues: (1...Self.items).map { ("pipeline-\($0).example", "user-\($0)") })
        #expect(listed == stored)
        #expect(try dir.read("get.rc") == "0\n", "get failed: \(getError)")
        // Compared without printing either side: the output holds the secret.
        let gotStored =
            try dir.read("get.out")
            == #"{"ServerURL":"pipeline-7.example","Username":"user-7","Secret":"pipeline-pw-7"}"# + "\n"
        #expect(gotStored, "get did not return the stored credential")

        let record = DBusMonitorRecord(profile: try dir.read("record"))
        let monitorError = try dir.read("monitor.err")
        try #require(!record.messages.isEmpty, "dbus-monitor recorded nothing: \(monitorError)")
        let service = "org.freedesktop.secrets"
        let isSearch = { (message: DBusMonitorRecord.Message) in
            message.interface == "org.freedesktop.Secret.Service" && message.member == "SearchItems"
        }
        // `list` reads each item's attributes with Properties.Get on the item's path.
        let isItemRead = { (message: DBusMonitorRecord.Message) in
            message.interface == "org.freedesktop.DBus.Properties" && message.member == "Get"
                && message.path.hasPrefix("/org/freedesktop/secrets/collection/")
        }

        let list = record.between(marker: "/ossb/test/start", and: "/ossb/test/listed")
        let lister = try #require(
            list.callers(of: service).filter { !list.calls(of: $0, isSearch).isEmpty }.only,
            "list: not one connection searched the keyring")
        let reads = list.calls(of: lister, isItemRead).count
        #expect(reads >= Self.items, "list read the attributes of \(reads) items, not \(Self.items)")
        // The bus takes a client's calls in chunks, and the service may answer the first of them before the bus
        // has read the rest; at least half in flight together still leaves no doubt.
        let inFlight = list.mostOutstanding(of: lister, isItemRead)
        #expect(
            inFlight >= Self.items / 2,
            """
            list had at most \(inFlight) of its \(reads) attribute reads in flight at once: it waits for answers \
            between calls; its calls and answers in the bus's order:
            \(list.summary(of: lister))
            """)

        let get = record.between(marker: "/ossb/test/listed", and: "/ossb/test/end")
        let getter = try #require(
            get.callers(of: service).filter { !get.calls(of: $0, isSearch).isEmpty }.only,
            "get: not one connection searched the keyring")
        let searches = get.calls(of: getter, isSearch).count
        #expect(searches == 2, "get searched \(searches) times, not twice (the exact key, and every docker item)")
        let beforeAnswer = get.sentBeforeFirstAnswer(of: getter, isSearch)
        #expect(
            beforeAnswer == 2,
            """
            get sent \(beforeAnswer) of its searches before the first answer came, not both: it waits between them; \
            its calls and answers in the bus's order:
            \(get.summary(of: getter))
            """)
    }
}

extension Array {
    /// The one element, or nil when there are none or several.
    fileprivate var only: Element? { count == 1 ? first : nil }
}
