import RegistryVocabulary
import Testing

/// Docker Hub's names from their one home, and the parsers that use them agreeing with each other.
@Suite struct DockerHubTests {
    @Test(arguments: [
        "docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com", "Index.Docker.IO",
    ])
    func everyHostNameIsDockerHub(host: String) throws {
        #expect(DockerHub.isDockerHub(host))
        let reference = try ImageReference.parse("\(host)/team/app")
        #expect(reference.registry == DockerHub.registry)
        #expect(reference.apiHost == DockerHub.apiHost)
    }

    @Test(arguments: ["docker.io.evil.example", "evil-docker.io", "docker.io:5000", "hub.docker.com", "127.0.0.1:5000"])
    func lookAlikesAreNot(host: String) throws {
        #expect(!DockerHub.isDockerHub(host))
        let reference = try ImageReference.parse("\(host)/team/app")
        #expect(reference.registry == host)
        #expect(reference.apiHost == host, "a look-alike is never sent to Docker Hub's API host, nor the other way")
    }

    @Test func keysAndHosts() {
        #expect(DockerHub.credentialKey(forHost: "docker.io") == "https://index.docker.io/v1/")
        #expect(DockerHub.credentialKey(forHost: "127.0.0.1:5000") == "127.0.0.1:5000")
        #expect(DockerHub.apiHost(of: "docker.io") == "registry-1.docker.io")
        #expect(DockerHub.apiHost(of: "r.example") == "r.example")
        #expect(ImageReference.dockerHub == DockerHub.registry && ImageReference.dockerHubAPIHost == DockerHub.apiHost)
    }

    @Test func officialImagesLiveInTheLibraryNamespace() throws {
        let reference = try ImageReference.parse("alpine")
        #expect(reference.repository == "\(DockerHub.officialNamespace)/alpine")
        #expect(reference.familiarName == "alpine:latest")
        #expect(try ImageReference.parse("registry.hub.docker.com/alpine").repository == "library/alpine")
    }
}
