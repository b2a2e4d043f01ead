import AuthCore
import FoundationEssentials

/// ACR's `/oauth2/exchange`: an Entra ID access token for an ACR refresh token scoped to one registry.
struct AzureRegistryExchange {
    /// The registry host (`name.azurecr.io`).
    let host: String
    let http: CloudHTTP

    func refreshToken(for entra: AzureEntraToken) async throws(CloudAuthError) -> CloudCredential {
        // Always https: the registry is never loopback (`serves(host:)` admits only ACR names), and the body
        // carries the Entra ID token.
        let url = try http.secureURL("https://\(host)/oauth2/exchange", "the registry's exchange endpoint")
        // The service is the registry's name as its certificate and Host header have it: no default port.
        let service = host.hasSuffix(":443") ? String(host.dropLast(4)) : host
        var form = [("grant_type", "access_token"), ("service", service)]
        if let tenant = entra.tenant { form.append(("tenant", tenant)) }
        form.append(("access_token", entra.token))
        let advice =
            "grant \(entra.identity) a role on the registry that allows pulling (AcrPull), e.g. `az role assignment create --assignee \(entra.identity) --role AcrPull --scope <registry id>`"
        let response = try await http.postForm(
            url, form, to: "the registry \(host)", advice: "check the registry's name")
        let answer = try http.object(
            response, from: "the registry \(host) (/oauth2/exchange for \(entra.identity))", advice: advice)
        let refresh = try http.accessToken(
            answer, from: "the registry \(host)'s /oauth2/exchange", tokenField: "refresh_token")
        // ACR's refresh tokens are JWTs that carry their expiry; else the Entra ID token's bounds it.
        let expiresAt = CloudHTTP.integer(JWT.unverifiedClaims(refresh.token)?["exp"]) ?? entra.expiresAt
        return CloudCredential(
            username: AzureProvider.username, secret: refresh.token, expiresAt: expiresAt, identity: entra.identity)
    }
}
