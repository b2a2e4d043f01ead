import Foundation
import Testing

@testable import AuthCore

@Suite struct FileStoreTests {
    let dir = TemporaryDirectory()
    var path: String { dir.file("nested/ossb/credentials.json") }

    @Test func storeCreatesPrivateFileAndDirectoryAndRoundTrips() throws {
        let store = FileStore(path: path)
        try store.store(HelperCredential(serverURL: "127.0.0.1:5000", username: "alice", secret: "pw:with:colons"))
        var st = stat()
        #expect(stat(path, &st) == 0)
        #expect(st.st_mode & 0o777 == 0o600)
        #expect(stat(dir.file("nested/ossb"), &st) == 0)
        #expect(st.st_mode & 0o777 == 0o700)
        let got = try #require(try store.get("127.0.0.1:5000"))
        #expect(got.username == "alice")
        #expect(got.secret == "pw:with:colons")
        // Written in docker's format: base64 of user:password under auths.
        let document = try JSONParser.parse(try dir.read("nested/ossb/credentials.json"))
        let entry = document.objectValue?["auths"]?.objectValue?["127.0.0.1:5000"]?.objectValue
        #expect(entry?["auth"] == .string(Data("alice:pw:with:colons".utf8).base64EncodedString()))
    }

    @Test func getFallsBackToNormalisedKeyAndEchoesRequest() throws {
        let store = FileStore(path: path)
        try store.store(HelperCredential(serverURL: "https://index.docker.io/v1/", username: "hub", secret: "s"))
        let viaPodmanName = try #require(try store.get("docker.io"))
        #expect(viaPodmanName.serverURL == "docker.io")
        #expect(viaPodmanName.username == "hub")
        #expect(try store.get("quay.io") == nil)
    }

    @Test func identityTokenStoredAsIdentitytoken() throws {
        let store = FileStore(path: path)
        try store.store(HelperCredential(serverURL: "r.example.com", username: "<token>", secret: "refresh-1"))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("\"identitytoken\": \"refresh-1\""))
        #expect(!text.contains("\"auth\""))
        #expect(
            try store.get("r.example.com")
                == HelperCredential(serverURL: "r.example.com", username: "<token>", secret: "refresh-1"))
        #expect(try store.list() == ["r.example.com": "<token>"])
    }

    @Test func preservesUnknownMembersAndOrder() throws {
        try FileManager.default.createDirectory(atPath: dir.file("nested/ossb"), withIntermediateDirectories: true)
        try dir.write(
            "nested/ossb/credentials.json",
            """
            {"psFormat": "table", "auths": {"b.example": {"auth": "\(Data("x:y".utf8).base64EncodedString())", "email": "e@x"}}, "credHelpers": {"gcr.io": "gcloud"}}
            """)
        let store = FileStore(path: path)
        try store.store(HelperCredential(serverURL: "b.example", username: "new", secret: "pw"))
        try store.store(HelperCredential(serverURL: "a.example", username: "a", secret: "pw"))
        let object = try #require(try JSONParser.parse(try dir.read("nested/ossb/credentials.json")).objectValue)
        #expect(object.names == ["psFormat", "auths", "credHelpers"])
        #expect(object["credHelpers"]?.objectValue?["gcr.io"] == .string("gcloud"))
        let entry = object["auths"]?.objectValue?["b.example"]?.objectValue
        #expect(entry?["email"] == .string("e@x"))
        #expect(object["auths"]?.objectValue?.names == ["b.example", "a.example"])
    }

    @Test func eraseRemovesEveryMatchingKeyAndIsIdempotent() throws {
        let store = FileStore(path: path)
        try store.store(HelperCredential(serverURL: "r.example.com", username: "u", secret: "p"))
        try store.store(HelperCredential(serverURL: "https://r.example.com", username: "u2", secret: "p2"))
        try store.store(HelperCredential(serverURL: "r.example.com:5000", username: "u3", secret: "p3"))
        try store.erase("r.example.com")
        #expect(try store.list() == ["r.example.com:5000": "u3"])
        try store.erase("r.example.com")
        try store.erase("never-stored.example")
        // Erasing from a store that does not exist yet creates nothing.
        let absent = FileStore(path: dir.file("absent/credentials.json"))
        try absent.erase("x")
        #expect(!FileManager.default.fileExists(atPath: dir.file("absent/credentials.json")))
    }

    @Test func emptyEntriesLeftByDockerLoginAreNotCredentials() throws {
        try FileManager.default.createDirectory(atPath: dir.file("nested/ossb"), withIntermediateDirectories: true)
        try dir.write(
            "nested/ossb/credentials.json",
            #"{"auths": {"r.example.com": {}, "https://r.example.com": {"auth": "dTpw"}}}"#)
        let store = FileStore(path: path)
        #expect(try store.get("r.example.com")?.username == "u")
        #expect(try store.list() == ["https://r.example.com": "u"])
    }

    @Test(arguments: [
        ("{not json", "is not valid JSON"),
        ("[1,2]", "holds an array, expected a JSON object"),
        (#"{"auths": []}"#, "\"auths\" is an array"),
        ("{\"auths\": {\"a\": \"\u{FF}\"", "is not valid JSON"),
    ])
    func corruptFileIsReportedAndNeverOverwritten(contents: String, fragment: String) throws {
        try FileManager.default.createDirectory(atPath: dir.file("nested/ossb"), withIntermediateDirectories: true)
        try dir.write("nested/ossb/credentials.json", contents)
        let store = FileStore(path: path)
        let actions: [() throws -> Void] = [
            { _ = try store.get("r.example.com") },
            { _ = try store.list() },
            { try store.store(HelperCredential(serverURL: "r.example.com", username: "u", secret: "p")) },
            { try store.erase("r.example.com") },
        ]
        for action in actions {
            #expect(throws: CredentialStoreError.self) { try action() }
            do { try action() } catch let error as CredentialStoreError {
                #expect(error.kind == .corrupt)
                #expect(error.message.contains(fragment))
                #expect(error.message.contains(path))
                #expect(error.message.contains("left untouched"))
                #expect(!error.message.contains("\n"))
            }
        }
        #expect(try dir.read("nested/ossb/credentials.json") == contents)
    }

    /// A broken entry inside a valid file is reported by `get` and `list`; storing or erasing that very key
    /// replaces it (that is how a user repairs it), and other entries are never touched.
    @Test(arguments: [
        (#"{"auths": {"r.example.com": "x"}, "keep": 1}"#, "is a string, expected an object"),
        (#"{"auths": {"r.example.com": {"auth": "!!!"}}, "keep": 1}"#, "is not base64"),
        (#"{"auths": {"r.example.com": {"username": 5}}, "keep": 1}"#, "is a number, expected a string"),
    ])
    func brokenEntryIsReportedAndCanBeReplaced(contents: String, fragment: String) throws {
        try FileManager.default.createDirectory(atPath: dir.file("nested/ossb"), withIntermediateDirectories: true)
        try dir.write("nested/ossb/credentials.json", contents)
        let store = FileStore(path: path)
        for action in [{ _ = try store.get("r.example.com") }, { _ = try store.list() }] as [() throws -> Void] {
            do {
                try action()
                Issue.record("expected an error")
            } catch let error as CredentialStoreError {
                #expect(error.message.contains(fragment))
            }
        }
        #expect(try dir.read("nested/ossb/credentials.json") == contents)
        try store.store(HelperCredential(serverURL: "r.example.com", username: "u", secret: "p"))
        #expect(try store.get("r.example.com")?.secret == "p")
        #expect(try JSONParser.parse(try dir.read("nested/ossb/credentials.json")).objectValue?["keep"] == .number("1"))
    }

    @Test func writesThroughASymlinkKeepingIt() throws {
        try FileManager.default.createDirectory(atPath: dir.file("real"), withIntermediateDirectories: true)
        try dir.write("real/creds.json", "{}")
        try FileManager.default.createSymbolicLink(
            atPath: dir.file("link.json"), withDestinationPath: dir.file("real/creds.json"))
        let store = FileStore(path: dir.file("link.json"))
        try store.store(HelperCredential(serverURL: "r", username: "u", secret: "p"))
        let attributes = try FileManager.default.attributesOfItem(atPath: dir.file("link.json"))
        #expect(attributes[.type] as? FileAttributeType == .typeSymbolicLink)
        #expect(try dir.read("real/creds.json").contains("\"r\""))
    }

    @Test func unreadableFileGivesAClearError() throws {
        try FileManager.default.createDirectory(
            atPath: dir.file("nested/ossb/credentials.json"), withIntermediateDirectories: true)
        let store = FileStore(path: path)
        #expect(throws: CredentialStoreError.self) { _ = try store.get("r") }
        do { _ = try store.list() } catch let error as CredentialStoreError {
            #expect(error.message.contains("is not a regular file (it is a directory)"))
        }
    }

    @Test func environmentChoosesThePath() throws {
        let fromVariable = try FileStore(
            environment: Environment(["OSSB_CREDENTIALS_FILE": "/x/c.json", "HOME": "/h"]))
        #expect(fromVariable.path == "/x/c.json")
        #expect(try FileStore(environment: Environment(["HOME": "/h/"])).path == "/h/.ossb/credentials.json")
        #expect(throws: CredentialStoreError.self) { try FileStore(environment: Environment()) }
    }
}
