import RegistryVocabulary
import Testing

@Suite struct AuthChallengeTests {
    @Test func parsesDistributionBearerChallenge() throws {
        let header =
            #"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull""#
        let challenges = AuthChallenge.parse(header)
        #expect(challenges.count == 1)
        let bearer = try #require(BearerChallenge(challenges[0]))
        #expect(bearer.realm == "https://auth.example/token")
        #expect(bearer.service == "registry.example")
        #expect(bearer.scope == [.repository("a/b", actions: ["pull"])])
        #expect(bearer.error == nil)
    }

    @Test func schemeAndParameterNamesAreCaseInsensitive() throws {
        let bearer = try #require(BearerChallenge.first(in: [#"BEARER Realm="r", SERVICE=svc"#]))
        #expect(bearer.realm == "r")
        #expect(bearer.service == "svc")
    }

    @Test func quotedStringsKeepCommasAndResolveEscapes() throws {
        let header = #"Bearer realm="https://a.example/t?x=1,2",service="s \"q\" \\ e",error="insufficient_scope""#
        let bearer = try #require(BearerChallenge.first(in: [header]))
        #expect(bearer.realm == "https://a.example/t?x=1,2")
        #expect(bearer.service == #"s "q" \ e"#)
        #expect(bearer.error == "insufficient_scope")
    }

    @Test func severalChallengesInOneValue() {
        let challenges = AuthChallenge.parse(#"Basic realm="b", Bearer realm="t",service="s", Negotiate abc+/=="#)
        #expect(challenges.map(\.scheme) == ["basic", "bearer", "negotiate"])
        #expect(challenges[0][parameter: "realm"] == "b")
        #expect(challenges[1][parameter: "service"] == "s")
        #expect(challenges[2].token68 == "abc+/==")
    }

    @Test func severalHeaderValues() {
        let challenges = AuthChallenge.parse(headerValues: [#"Basic realm="x""#, #"Bearer realm="y""#])
        #expect(challenges.count == 2)
        #expect(BearerChallenge.first(in: [#"Basic realm="x""#, #"Bearer realm="y""#])?.realm == "y")
    }

    @Test func missingServiceAndWhitespaceAroundEquals() throws {
        let bearer = try #require(
            BearerChallenge.first(in: [#"Bearer realm = "https://gar.example/token" , scope = "repository:p/r:pull""#]))
        #expect(bearer.service == nil)
        #expect(bearer.realm == "https://gar.example/token")
        #expect(bearer.scope.components == ["repository:p/r:pull"])
    }

    @Test func scopeWithSeveralScopesAndHostPortNames() throws {
        let bearer = try #require(
            BearerChallenge.first(in: [
                #"Bearer realm="r",scope="repository:localhost:5000/a:push,pull repository:b:pull""#
            ]))
        #expect(bearer.scope.scopes.count == 2)
        #expect(bearer.scope.scopes.first?.resource.name == "b")
        #expect(bearer.scope.scopes.last?.resource.name == "localhost:5000/a")
    }

    @Test func firstDuplicateParameterWins() {
        #expect(AuthChallenge.parse(#"Bearer realm="a", realm="b""#).first?[parameter: "realm"] == "a")
    }

    @Test func malformedInputYieldsNoCrashAndNoBogusChallenge() {
        #expect(AuthChallenge.parse("").isEmpty)
        #expect(AuthChallenge.parse(",,, ,").isEmpty)
        #expect(AuthChallenge.parse(#"realm="orphan""#).isEmpty)
        #expect(BearerChallenge.first(in: [#"Bearer realm="unterminated"#])?.realm == "unterminated")
        #expect(BearerChallenge.first(in: ["Bearer"]) == nil, "a bearer challenge without realm is unusable")
        #expect(AuthChallenge.parse("Bearer realm=\"\\").count == 1)
    }

    @Test func unquotedValues() {
        let c = AuthChallenge.parse("Bearer realm=https://x.example/token,service=reg")
        #expect(c.first?[parameter: "realm"] == "https://x.example/token")
        #expect(c.first?[parameter: "service"] == "reg")
    }
}
