import Testing

@testable import AuthCore

@Suite struct ServerAddressTests {
    @Test(arguments: [
        ("https://index.docker.io/v1/", "docker.io"),
        ("docker.io", "docker.io"),
        ("index.docker.io", "docker.io"),
        ("registry-1.docker.io", "docker.io"),
        ("HTTPS://Registry-1.Docker.IO/", "docker.io"),
        ("https://R.Example.com:5000/", "r.example.com:5000"),
        ("http://127.0.0.1:5000", "127.0.0.1:5000"),
        ("  127.0.0.1:5000\n", "127.0.0.1:5000"),
        ("r.example.com/Team/Repo", "r.example.com/Team/Repo"),
    ])
    func normalizes(input: String, expected: String) {
        #expect(ServerAddress.normalize(input) == expected)
    }

    @Test func hostDropsPath() {
        #expect(ServerAddress.host(of: "https://r.example.com/v2/") == "r.example.com")
        #expect(ServerAddress.host(of: "https://index.docker.io/v1/") == "docker.io")
    }

    @Test func bestKeyPrefersExactKey() {
        let keys = ["https://127.0.0.1:5000", "127.0.0.1:5000"]
        #expect(ServerAddress.bestKey(for: "127.0.0.1:5000", in: keys) == "127.0.0.1:5000")
        #expect(ServerAddress.bestKey(for: "http://127.0.0.1:5000/", in: keys) == "https://127.0.0.1:5000")
        #expect(ServerAddress.bestKey(for: "127.0.0.2:5000", in: keys) == nil)
    }

    @Test func differentPortsOrHostsDoNotMatch() {
        #expect(!ServerAddress.matches("r.example.com:5000", "r.example.com"))
        #expect(!ServerAddress.matches("docker.io", "quay.io"))
        #expect(ServerAddress.matches("https://index.docker.io/v1/", "docker.io"))
    }
}

/// The predicate that decides which stored key serves (and which erase removes) a requested address.
@Suite struct ServerAddressMatchingTests {
    @Test func legacyPathKeysServeTheirHost() {
        for stored in [
            "https://r.example.com/v1/", "https://r.example.com/v2/", "r.example.com/v2", "http://R.example.com/",
        ] {
            #expect(ServerAddress.matches(stored, "r.example.com"), "\(stored)")
        }
        #expect(ServerAddress.matches("https://registry-1.docker.io/v2/", "docker.io"))
        #expect(
            !ServerAddress.matches("r.example.com/v2/app", "r.example.com"), "a repository path is not a legacy key")
        #expect(!ServerAddress.matches("r.example.com/team", "r.example.com"))
        #expect(!ServerAddress.matches("r-example.com", "r.example.com"))
    }

    @Test func matchingKeysAreWhatEraseRemoves() {
        let keys = [
            "r.example.com", "https://r.example.com", "https://r.example.com/v1/", "r.example.com:5000",
            "other.example",
        ]
        #expect(
            ServerAddress.matchingKeys(for: "r.example.com", in: keys) == [
                "r.example.com", "https://r.example.com", "https://r.example.com/v1/",
            ])
    }

    /// Host names fold case in ASCII only: Unicode lower-casing maps the Kelvin sign (U+212A) onto `k`, which made
    /// `doc\u{212A}er.io` (another host once encoded for DNS) Docker Hub and served it Docker Hub's credentials.
    @Test func caseFoldingIsASCIIOnly() {
        #expect(ServerAddress.normalize("Docker.IO") == "docker.io")
        #expect(ServerAddress.normalize("doc\u{212A}er.io") != "docker.io")
        #expect(!ServerAddress.matches("docker.io", "doc\u{212A}er.io"))
        #expect(!ServerAddress.matches("https://index.docker.io/v1/", "index.doc\u{212A}er.io"))
        #expect(!ServerAddress.matches("r.example.com", "r.exampl\u{212A}.com"))
        #expect(ServerAddress.matches("R.Example.com", "r.example.COM"))
    }
}
