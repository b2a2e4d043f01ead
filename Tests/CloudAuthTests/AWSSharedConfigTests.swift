import AuthCore
import Testing

@testable import CloudAuth

@Suite struct AWSSharedConfigTests {
    @Test func sectionsCommentsAndNestedSettings() {
        let parsed = AWSSharedConfig.parse(
            """
            # comment
            [default]
            aws_access_key_id = AKIA1
            s3 =
              max_concurrent_requests = 20
            ; another comment
            [profile ci]
            Role_Arn=arn:aws:iam::1:role/ci
            source_profile = default
            """)
        #expect(parsed.map(\.0) == ["default", "profile ci"])
        #expect(parsed[0].1 == ["aws_access_key_id": "AKIA1", "s3": ""])
        #expect(parsed[1].1["role_arn"] == "arn:aws:iam::1:role/ci")
    }
}

/// Which hosts are ECR's, and what their names say. Look-alikes must not match: the cloud helper would otherwise
/// hand an AWS token to a host that merely contains an ECR name.
@Suite struct CloudRegistryHostTests {
    @Test func ecrNames() throws {
        let plain = try #require(ECRRegistryHost("123456789012.dkr.ecr.eu-west-1.amazonaws.com"))
        #expect(plain.account == "123456789012" && plain.region == "eu-west-1" && !plain.fips && !plain.china)
        let fips = try #require(ECRRegistryHost("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com"))
        #expect(fips.fips && fips.region == "us-gov-west-1")
        let china = try #require(ECRRegistryHost("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn"))
        #expect(china.china && china.region == "cn-north-1")
        let publicECR = try #require(ECRRegistryHost("public.ecr.aws"))
        #expect(publicECR.isPublic && publicECR.region == "us-east-1")
        #expect(ECRRegistryHost("123456789012.dkr.ecr.us-east-1.amazonaws.com:5000")?.region == "us-east-1")
        let endpoints = AWSEndpoints(environment: Environment([:]))
        #expect(endpoints.ecr(plain) == "https://api.ecr.eu-west-1.amazonaws.com")
        #expect(endpoints.ecr(fips) == "https://ecr-fips.us-gov-west-1.amazonaws.com")
        #expect(endpoints.ecr(china) == "https://api.ecr.cn-north-1.amazonaws.com.cn")
        #expect(endpoints.ecr(publicECR) == "https://api.ecr-public.us-east-1.amazonaws.com")
        let overridden = AWSEndpoints(
            environment: Environment(["AWS_ENDPOINT_URL": "http://a/", "AWS_ENDPOINT_URL_ECR": "http://b"]))
        #expect(overridden.ecr(plain) == "http://b" && overridden.sts(region: "eu-west-1") == "http://a")
        let ignored = AWSEndpoints(
            environment: Environment(["AWS_ENDPOINT_URL": "http://a", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"]))
        #expect(ignored.sts(region: "eu-west-1") == "https://sts.eu-west-1.amazonaws.com")
    }

    @Test(arguments: [
        "123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.example",
        "evil.123456789012.dkr.ecr.us-east-1.amazonaws.com",
        "12345678901.dkr.ecr.us-east-1.amazonaws.com", "1234567890123.dkr.ecr.us-east-1.amazonaws.com",
        "123456789012.dkr.ecr.us-east-1.amazonaws.co", "123456789012.dkr.ecr..amazonaws.com",
        "123456789012.dkr.ecr.-us-east-1.amazonaws.com", "abcdefghijkl.dkr.ecr.us-east-1.amazonaws.com",
        "public.ecr.aws.evil.example", "xpublic.ecr.aws", "123456789012.dkr.ecr.us-east-1.amazonaws.com.cn.evil",
    ])
    func lookAlikesAreNoCloudsRegistry(_ host: String) {
        #expect(ECRRegistryHost(host) == nil)
        #expect(CloudRegistry.serving(host: host) == nil)
    }

    @Test func eachCloudsHosts() {
        #expect(CloudRegistry.serving(host: "123456789012.dkr.ecr.us-east-1.amazonaws.com") == .ecr)
        #expect(CloudRegistry.serving(host: "public.ecr.aws") == .ecr)
        #expect(CloudRegistry.serving(host: "gcr.io") == .gcr)
        #expect(CloudRegistry.serving(host: "eu.gcr.io") == .gcr)
        #expect(CloudRegistry.serving(host: "europe-west1-docker.pkg.dev") == .gcr)
        #expect(CloudRegistry.serving(host: "myregistry.azurecr.io") == .acr)
        #expect(CloudRegistry.serving(host: "myregistry.azurecr.cn:443") == .acr)
        for other in [
            "docker.io", "a.b.gcr.io", "-docker.pkg.dev", "x.pkg.dev", "azurecr.io", "a.b.azurecr.io", "evilgcr.io",
        ] {
            #expect(CloudRegistry.serving(host: other) == nil, "\(other)")
        }
    }
}
