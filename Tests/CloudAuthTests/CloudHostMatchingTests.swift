import Testing

@testable import CloudAuth

/// Which registry hosts each provider claims: the real names with ports and any case, never a look-alike.
struct CloudHostMatchingTests {
    @Test(arguments: [
        "gcr.io", "us.gcr.io", "EU.GCR.IO", "marketplace.gcr.io", "gcr.io:443", "us-docker.pkg.dev",
        "europe-west1-docker.pkg.dev", "us-central1-docker.pkg.dev:443",
    ])
    func googleServes(host: String) { #expect(GoogleProvider().serves(host: host)) }

    @Test(arguments: [
        "gcr.io.evil.com", "evilgcr.io", "a.b.gcr.io", "us.gcr.io.evil.com", "docker.pkg.dev", "-docker.pkg.dev",
        "us-maven.pkg.dev", "us-docker.pkg.dev.evil.com", "evil.com/gcr.io", "gcr.io/evil", "gcr.io:x",
        "ossbtest.azurecr.io", "",
    ])
    func googleDoesNotServe(host: String) { #expect(!GoogleProvider().serves(host: host)) }

    @Test(arguments: [
        "myreg.azurecr.io", "MyReg.AzureCR.io", "myreg.azurecr.cn", "myreg.azurecr.us", "myreg.azurecr.io:443",
    ])
    func azureServes(host: String) { #expect(AzureProvider().serves(host: host)) }

    @Test(arguments: [
        "evilazurecr.io", "azurecr.io", "myreg.azurecr.io.evil.com", "myreg.azurecr.com", "a.b.azurecr.io",
        "myreg.azurecr.io/x", "my_reg.azurecr.io", "gcr.io", "",
    ])
    func azureDoesNotServe(host: String) { #expect(!AzureProvider().serves(host: host)) }

    @Test func azureAsksForTheAudienceOfTheRegistrysCloud() {
        #expect(AzureEntraToken.resource(forRegistry: "myreg.azurecr.io") == "https://containerregistry.azure.net")
        #expect(AzureEntraToken.resource(forRegistry: "myreg.azurecr.cn") == "https://management.chinacloudapi.cn")
        #expect(AzureEntraToken.resource(forRegistry: "myreg.azurecr.us:443") == "https://management.usgovcloudapi.net")
    }
}
