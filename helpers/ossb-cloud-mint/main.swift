import AuthCore
import CloudAuth
import HTTPTransport

// ossb-cloud-mint: mints cloud registry credentials for the cloud helpers, which run it when their token cache has
// none (docs/cloud.md). The only helper program that links libcurl.
CloudHelper.mintMain { environment, explain in
    RedirectFollowingClient(CurlHTTPClient(environment: environment, explain: explain))
}
