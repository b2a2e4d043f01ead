import RegistryVocabulary
import Testing

@Suite struct ScopeTests {
    @Test func parsesTheGrammar() throws {
        let s = try #require(Scope(parsing: "repository(plugin):x/y:pull"))
        #expect(s.resource.type == "repository")
        #expect(s.resource.resourceClass == "plugin")
        #expect(s.resource.name == "x/y")
        #expect(s.actions == ["pull"])
        #expect(s.description == "repository(plugin):x/y:pull")
        #expect(Scope(parsing: "registry:catalog:*")?.actions == ["*"])
    }

    @Test func nameMayHoldHostAndPort() throws {
        let s = try #require(Scope(parsing: "repository:localhost:5000/app:push,pull"))
        #expect(s.resource.name == "localhost:5000/app")
        #expect(s.description == "repository:localhost:5000/app:pull,push")
    }

    @Test func rejectsMalformedScopes() {
        for bad in [
            "", "repository", "repository:name", ":name:pull", "repository::pull", "repository:a b:pull",
            "repository:localhost:5000/app", "repo(x:a:pull", "repository():a:pull",
        ] {
            #expect(Scope(parsing: bad) == nil, "\(bad) should not parse")
        }
    }

    @Test func actionOrderDoesNotMatter() {
        #expect(Scope(parsing: "repository:a:push,pull") == Scope(parsing: "repository:a:pull,push"))
        #expect(
            ScopeSet(parsing: "repository:a:push,pull repository:b:pull")
                == ScopeSet(parsing: "repository:b:pull repository:a:pull,push"))
    }

    @Test func mergeUnionsActionsPerResource() {
        let merged = ScopeSet(parsing: "repository:a:pull").merging(
            ScopeSet(parsing: "repository:a:push repository:b:pull"))
        #expect(merged.description == "repository:a:pull,push repository:b:pull")
        #expect(merged.components == ["repository:a:pull,push", "repository:b:pull"])
    }

    @Test func coversComparesActionSets() {
        let held = ScopeSet(parsing: "repository:a:pull,push")
        #expect(held.covers(ScopeSet(parsing: "repository:a:pull")))
        #expect(!held.covers(ScopeSet(parsing: "repository:a:delete")))
        #expect(!held.covers(ScopeSet(parsing: "repository:b:pull")))
        #expect(ScopeSet(parsing: "repository:a:*").covers(ScopeSet(parsing: "repository:a:delete")))
        #expect(held.covers(ScopeSet()))
    }

    @Test func classDistinguishesResources() {
        let set = ScopeSet(parsing: "repository(plugin):a:pull repository:a:push")
        #expect(set.scopes.count == 2)
    }
}
