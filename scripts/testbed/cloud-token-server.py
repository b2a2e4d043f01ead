#!/usr/bin/env python3
"""Loopback stand-ins for Google's and Azure's token services, checking what the real ones check. Listens on
127.0.0.1 only: PORT over plain http (token endpoints, STS, IAM Credentials, metadata servers, Entra ID, IMDS,
App Service identity) and TLS_PORT over https with a private CA (an Azure registry's /oauth2/exchange, under any
*.azurecr.io, *.azurecr.cn or *.azurecr.us name that a client resolves to 127.0.0.1).

Usage: cloud-token-server.py PORT TLS_PORT DIR EXCHANGE_SECRET_FILE EXCHANGE_USER
Writes into DIR the credentials a client uses (the server keeps only what a real one would: public keys,
client secrets, the federated subject):
  google-sa.json              service_account key (RSA, PKCS#8) whose token_uri is this server
  google-sa-wrong-key.json    the same account with another private key (refused: the signature does not verify)
  google-user.json            authorized_user (client_id, client_secret, refresh_token)
  google-external-file.json   external_account, subject token from DIR/subject-token, no impersonation
  google-external-url.json    external_account, subject token from a URL (JSON), impersonating a service account
  subject-token               the federated subject (an OIDC token, subject_token_type ...:jwt or ...:id_token)
  subject-saml                another federated subject, a SAML response (subject_token_type ...:saml2); tests
                              print either from their executable-sourced configurations
  google-external-aws.json    external_account from AWS (environment_id aws1): region, role and IMDSv2 session
                              token from this server's instance metadata (/aws/latest/...), Google's STS
                              verifying the signed GetCallerIdentity request as AWS would
  google-aws-user.json        {"access_key_id", "secret_access_key", "arn"}: an IAM user's key the STS knows
  azure.json                  {"tenant", "client_id", "client_secret", "federated_token_file",
                               "identity_header", "managed_identity_client_id", "metadata_email",
                               "certificate_file", "certificate_key_first_file", "certificate_thumbprint",
                               "certificate_thumbprint_hex",
                               "unknown_certificate_file", "certificate_without_key_file", "certificate_pfx_file"}
  azure-cert.pem              the app's registered certificate then its key (PKCS#8); the server keeps the
                              certificate only, as Entra ID does
  azure-cert-key-first.pem    the same key (PKCS#1) then the same certificate
  azure-cert-unknown.pem      another self-signed certificate and key, unknown to the tenant (refused: AADSTS700027)
  azure-cert-no-key.pem       the registered certificate without its key
  azure-cert.pfx              the registered certificate and key as PKCS#12 (password "ossb")
  ca.crt                      the CA of the TLS port's certificate (a certs.d ca.crt)
Refresh tokens from /oauth2/exchange are HS256 JWTs (iss "ossb-test-acr-exchange", sub EXCHANGE_USER) keyed by
the secret in EXCHANGE_SECRET_FILE, which token-server.py also reads, so the token registry accepts them; Google
access tokens are "ya29." (or "fed.") and such a JWT (iss "ossb-test-google"), which the token registry accepts
as the password of the user oauth2accesstoken.

Endpoints (http):
  POST /google/token                        jwt-bearer (RS256 signature against the key's public half; iss,
                                            aud = token_uri, scope, iat, exp <= iat + 3600) or refresh_token grant
  POST /google/sts/v1/token                 RFC 8693 token exchange (audience, scope, subject token and type: the
                                            subject of subject-token or subject-saml, of the matching type); an
                                            AWS subject token (aws4_request) must be a serialised GetCallerIdentity
                                            request to sts[.REGION].amazonaws.com over https, for this audience
                                            (x-goog-cloud-target-resource, signed), whose SigV4 signature verifies
                                            against the IAM user's or the instance role's secret (and session
                                            token), scoped to the URL's region and dated within 15 minutes
  PUT  /aws/latest/api/token                EC2 instance metadata (IMDSv2 only): a session token, then with it in
  GET  /aws/latest/meta-data/...            X-aws-ec2-metadata-token: placement/availability-zone (us-west-2b),
                                            iam/security-credentials/ (the role) and .../ROLE (its credentials)
  GET  /google/subject-token                the subject token as {"value": ...}; needs X-Ossb-Subject: yes
  POST /google/iam/v1/projects/-/serviceAccounts/EMAIL:generateAccessToken   needs a federated bearer token
  GET  /computeMetadata/v1/instance/service-accounts/default/{token,email}   needs Metadata-Flavor: Google
  POST /TENANT/oauth2/v2.0/token            Entra ID client credentials (scope ACR's or, for `az login`,
                                            Resource Manager's /.default): client_secret, a federated assertion, or
                                            a certificate's assertion (RS256 against the registered certificate,
                                            x5t its SHA-1 thumbprint, aud the token URL, iss = sub = client, exp)
  GET  /metadata/identity/oauth2/token      Azure IMDS; needs Metadata: true
  GET  /msi/token                           App Service identity; needs X-IDENTITY-HEADER
  GET  /{tenant}/v2.0/.well-known/openid-configuration, /common/discovery/instance   what MSAL (the Azure CLI)
                                            reads before asking for a token, under the name it was asked by
  GET  /subscriptions, /tenants             Resource Manager's lists for `az login` (no subscription; the tenant)
  GET  /stats                               {"requests": {path: count}, "exchanged": [the jti of each access
                                            token /oauth2/exchange accepted]}
"""
import base64, datetime, hashlib, hmac, json, os, re, secrets, ssl, string, sys, threading, time, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, parse_qsl, quote, unquote, urlparse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testbed_http import read_request_body, send_body  # noqa: E402

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.hazmat.primitives.asymmetric import padding, rsa, ec
from cryptography.x509.oid import NameOID

PORT, TLS_PORT, DIR = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
EXCHANGE_SECRET = open(sys.argv[4], "rb").read().strip()
EXCHANGE_USER = sys.argv[5]
BASE = f"http://127.0.0.1:{PORT}"
GOOGLE_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
ACR_RESOURCE = "https://containerregistry.azure.net"
ARM_RESOURCE = "https://management.core.windows.net/"  # the audience `az login` asks for
ENTRA_SECRET = secrets.token_bytes(32)  # signs the Entra ID tokens this server issues


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hs256(claims, key):
    signing_input = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + b64url(json.dumps(claims).encode())
    return signing_input + "." + b64url(hmac.new(key, signing_input.encode(), hashlib.sha256).digest())


def verify_hs256(token, key):
    """The claims of an HS256 JWT signed with key and not expired, else None."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    expected = hmac.new(key, (parts[0] + "." + parts[1]).encode(), hashlib.sha256).digest()
    try:
        if not hmac.compare_digest(unb64url(parts[2]), expected):
            return None
        claims = json.loads(unb64url(parts[1]))
    except Exception:
        return None
    return claims if claims.get("exp", 0) > time.time() else None


def write(name, obj):
    path = os.path.join(DIR, name)
    with open(path, "w") as f:
        json.dump(obj, f) if not isinstance(obj, str) else f.write(obj)
    os.chmod(path, 0o600)
    return path


def rsa_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


# Google: a service account key, an authorized user, workload identity federation.
SA_EMAIL = "ossb-test@ossb-test.iam.gserviceaccount.com"
sa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
SA_PUBLIC = sa_key.public_key()
SA_KEY_ID = secrets.token_hex(20)
sa_file = {"type": "service_account", "project_id": "ossb-test", "private_key_id": SA_KEY_ID,
           "private_key": rsa_pem(sa_key), "client_email": SA_EMAIL, "client_id": "100000000000000000001",
           "token_uri": f"{BASE}/google/token"}
write("google-sa.json", sa_file)
write("google-sa-wrong-key.json", dict(sa_file, private_key=rsa_pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))))
del sa_key  # the server keeps only the public half, as Google does

USER = {"client_id": "ossb-test-client.apps.googleusercontent.com", "client_secret": secrets.token_urlsafe(18),
        "refresh_token": "1//" + secrets.token_urlsafe(32)}
write("google-user.json", dict(USER, type="authorized_user", token_uri=f"{BASE}/google/token"))

SUBJECT_TOKEN = secrets.token_urlsafe(32)
subject_path = write("subject-token", SUBJECT_TOKEN + "\n")
SUBJECT_SAML = base64.b64encode(b"<samlp:Response>" + secrets.token_bytes(24) + b"</samlp:Response>").decode()
write("subject-saml", SUBJECT_SAML + "\n")
# The subject each subject_token_type must carry: an OIDC token, or a SAML response (base64, as Google takes it).
SUBJECTS = {"urn:ietf:params:oauth:token-type:jwt": SUBJECT_TOKEN, "urn:ietf:params:oauth:token-type:id_token": SUBJECT_TOKEN,
            "urn:ietf:params:oauth:token-type:saml2": SUBJECT_SAML}
AUDIENCE = "//iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/ossb/providers/test"
IMPERSONATED = "ossb-impersonated@ossb-test.iam.gserviceaccount.com"
external = {"type": "external_account", "audience": AUDIENCE,
            "subject_token_type": "urn:ietf:params:oauth:token-type:jwt", "token_url": f"{BASE}/google/sts/v1/token"}
write("google-external-file.json", dict(external, credential_source={"file": subject_path}))
write("google-external-url.json", dict(
    external,
    credential_source={"url": f"{BASE}/google/subject-token", "headers": {"X-Ossb-Subject": "yes"},
                       "format": {"type": "json", "subject_token_field_name": "value"}},
    service_account_impersonation_url=f"{BASE}/google/iam/v1/projects/-/serviceAccounts/{IMPERSONATED}:generateAccessToken"))
METADATA_EMAIL = "1234-compute@developer.gserviceaccount.com"

# AWS as Google's STS sees it: an IAM user's key and an EC2 instance role's temporary credentials, served by this
# server's instance metadata. The STS keeps their secrets to verify signatures, as AWS would when Google replays them.
def aws_key_id(prefix):
    return prefix + "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(16))


AWS_ACCOUNT = "123456789012"
AWS_USER = {"access_key_id": aws_key_id("AKIA"), "secret_access_key": secrets.token_urlsafe(30),
            "arn": f"arn:aws:iam::{AWS_ACCOUNT}:user/ossb-google"}
write("google-aws-user.json", AWS_USER)
AWS_ROLE_NAME = "ossb-google-role"
AWS_ROLE = {"AccessKeyId": aws_key_id("ASIA"), "SecretAccessKey": secrets.token_urlsafe(30),
            "Token": secrets.token_urlsafe(60)}
AWS_IDENTITIES = {  # access key ID: (secret, session token, principal)
    AWS_USER["access_key_id"]: (AWS_USER["secret_access_key"], None, AWS_USER["arn"]),
    AWS_ROLE["AccessKeyId"]: (AWS_ROLE["SecretAccessKey"], AWS_ROLE["Token"],
                              f"arn:aws:sts::{AWS_ACCOUNT}:assumed-role/{AWS_ROLE_NAME}/i-0123456789abcdef0"),
}
AWS_ZONE = "us-west-2b"
imds_tokens = set()
write("google-external-aws.json", dict(
    external, subject_token_type="urn:ietf:params:aws:token-type:aws4_request",
    credential_source={"environment_id": "aws1",
                       "region_url": f"{BASE}/aws/latest/meta-data/placement/availability-zone",
                       "url": f"{BASE}/aws/latest/meta-data/iam/security-credentials",
                       "regional_cred_verification_url":
                           "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
                       "imdsv2_session_token_url": f"{BASE}/aws/latest/api/token"}))
AWS_STS_HOST = re.compile(r"sts(?:\.([a-z0-9-]+))?\.amazonaws\.com")
AWS_AUTHORIZATION = re.compile(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, "
                               r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})")


def verify_aws_request(token):
    """Checks an AWS subject token as Google's STS does, replaying nothing: the serialised request must be a POST of
    GetCallerIdentity to AWS STS over https, signed for this audience by a key AWS knows, with a valid SigV4
    signature. Returns (principal, None) or (None, error description); never echoes a header's value."""
    try:
        request = json.loads(unquote(token))
        headers = {}
        for header in request["headers"]:
            headers[header["key"].lower()] = header["value"]
        url = urlparse(request["url"])
    except Exception:
        return None, "The subject token is not a serialized AWS signed request."
    host = AWS_STS_HOST.fullmatch(url.hostname or "")
    query = dict(parse_qsl(url.query, keep_blank_values=True))
    if request.get("method") != "POST" or url.scheme != "https" or not host or url.port \
            or query.get("Action") != "GetCallerIdentity":
        return None, "The subject token's request is not an AWS STS GetCallerIdentity request."
    if headers.get("x-goog-cloud-target-resource") not in (AUDIENCE, "https:" + AUDIENCE):
        return None, "The AWS request's x-goog-cloud-target-resource does not match the audience."
    match = AWS_AUTHORIZATION.fullmatch(headers.get("authorization", ""))
    if not match:
        return None, "The AWS request has no AWS4-HMAC-SHA256 Authorization header."
    key_id, day, region, service, signed, signature = match.groups()
    names = signed.split(";")
    if not {"host", "x-amz-date", "x-goog-cloud-target-resource"} <= set(names) or not set(names) <= set(headers) \
            or ("x-amz-security-token" in headers and "x-amz-security-token" not in names):
        return None, "The AWS request does not sign host, x-amz-date, x-goog-cloud-target-resource and its token."
    if headers["host"] != url.hostname or service != "sts" or region != (host.group(1) or "us-east-1"):
        return None, "Received invalid AWS response of type SignatureDoesNotMatch: the credential scope does not match the endpoint."
    known = AWS_IDENTITIES.get(key_id)
    if not known or (known[1] is not None and not hmac.compare_digest(headers.get("x-amz-security-token", ""), known[1])):
        return None, "Received invalid AWS response of type InvalidClientTokenId: The security token included in the request is invalid."
    try:
        moment = datetime.datetime.strptime(headers["x-amz-date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return None, "The AWS request's x-amz-date is not a date."
    if headers["x-amz-date"][:8] != day or abs(time.time() - moment.timestamp()) > 900:
        return None, "Received invalid AWS response of type SignatureDoesNotMatch: Signature expired."
    canonical_query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in sorted(
        parse_qsl(url.query, keep_blank_values=True)))
    canonical = "\n".join(["POST", url.path or "/", canonical_query,
                           "".join(f"{n}:{' '.join(headers[n].split())}\n" for n in names), signed,
                           hashlib.sha256(b"").hexdigest()])
    scope = f"{day}/{region}/{service}/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", headers["x-amz-date"], scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + known[0]).encode()
    for part in (day, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest(), signature):
        return None, ("Received invalid AWS response of type SignatureDoesNotMatch: The request signature we "
                      "calculated does not match the signature you provided.")
    return known[2], None

# Azure: an app registration with a secret and a federated credential; a managed identity.
AZURE = {"tenant": str(uuid.uuid4()), "client_id": str(uuid.uuid4()), "client_secret": secrets.token_urlsafe(30),
         "identity_header": secrets.token_hex(16), "managed_identity_client_id": str(uuid.uuid4()),
         "metadata_email": METADATA_EMAIL}
FEDERATED_TOKEN = secrets.token_urlsafe(40)
AZURE["federated_token_file"] = write("federated-token", FEDERATED_TOKEN)


def self_signed(name):
    """A self-signed RSA certificate and its key, as `New-SelfSignedCertificate` or `openssl req -x509` make them
    for an app registration's certificate credential."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.datetime.now(datetime.timezone.utc)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256()))
    return cert, key


app_cert, app_key = self_signed("ossb-test-app")
cert_pem = app_cert.public_bytes(serialization.Encoding.PEM).decode()
AZURE["certificate_file"] = write("azure-cert.pem", cert_pem + rsa_pem(app_key))
AZURE["certificate_key_first_file"] = write("azure-cert-key-first.pem", app_key.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()).decode()
    + cert_pem)
AZURE["certificate_without_key_file"] = write("azure-cert-no-key.pem", cert_pem)
pfx_path = os.path.join(DIR, "azure-cert.pfx")
with open(pfx_path, "wb") as f:
    f.write(pkcs12.serialize_key_and_certificates(b"ossb-test-app", app_key, app_cert, None,
                                                  serialization.BestAvailableEncryption(b"ossb")))
os.chmod(pfx_path, 0o600)
AZURE["certificate_pfx_file"] = pfx_path
unknown_cert, unknown_key = self_signed("ossb-test-app")
AZURE["unknown_certificate_file"] = write(
    "azure-cert-unknown.pem", unknown_cert.public_bytes(serialization.Encoding.PEM).decode() + rsa_pem(unknown_key))
APP_CERT_DER = app_cert.public_bytes(serialization.Encoding.DER)
AZURE["certificate_thumbprint"] = b64url(hashlib.sha1(APP_CERT_DER).digest())  # x5t
AZURE["certificate_thumbprint_hex"] = hashlib.sha1(APP_CERT_DER).hexdigest().upper()  # as the portal lists it
APP_CERT_PUBLIC = app_cert.public_key()
del app_key, unknown_key, unknown_cert  # Entra ID keeps only the uploaded certificate
write("azure.json", AZURE)

lock = threading.Lock()
google_tokens = {}   # access token -> identity
federated_tokens = set()
counts = {}
exchanged = []  # the jti of every access token the exchange accepted, so that a test can tell whose it was


def entra_token(app_id, audience=ACR_RESOURCE):
    now = int(time.time())
    return hs256({"aud": audience, "tid": AZURE["tenant"], "appid": app_id, "iat": now, "exp": now + 3600,
                  "jti": secrets.token_hex(8)}, ENTRA_SECRET), now


def google_token(identity, prefix="ya29."):
    """An access token: the prefix and an HS256 JWT keyed by the exchange secret, so that the token registry
    takes it as the password of oauth2accesstoken (for EXCHANGE_USER), as Artifact Registry takes Google's."""
    now = int(time.time())
    token = prefix + hs256({"iss": "ossb-test-google", "sub": EXCHANGE_USER, "identity": identity, "iat": now,
                            "exp": now + 3600, "jti": secrets.token_hex(8)}, EXCHANGE_SECRET)
    with lock:
        google_tokens[token] = identity
    return token


def oauth_error(handler, code, error, description):
    send_body(handler, code, json.dumps({"error": error, "error_description": description}).encode())


def reply(handler, obj, code=200):
    send_body(handler, code, json.dumps(obj).encode())


def verify_assertion(assertion):
    """Checks a service account's JWT bearer assertion as Google does; returns an error text or None."""
    parts = assertion.split(".")
    if len(parts) != 3:
        return "assertion is not a JWT"
    try:
        header, claims = json.loads(unb64url(parts[0])), json.loads(unb64url(parts[1]))
        signature = unb64url(parts[2])
    except Exception:
        return "assertion is not a JWT"
    if header.get("alg") != "RS256":
        return "Invalid JWT: alg must be RS256"
    try:
        SA_PUBLIC.verify(signature, (parts[0] + "." + parts[1]).encode(), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return "Invalid JWT Signature."
    now = int(time.time())
    if claims.get("iss") != SA_EMAIL:
        return "Invalid JWT: iss is not a known service account"
    if claims.get("aud") != f"{BASE}/google/token":
        return "Invalid JWT: aud must be the token_uri"
    if GOOGLE_SCOPE not in str(claims.get("scope", "")).split():
        return "Invalid JWT: scope"
    iat, exp = claims.get("iat"), claims.get("exp")
    if not isinstance(iat, int) or not isinstance(exp, int):
        return "Invalid JWT: iat and exp must be integers"
    if iat > now + 60 or exp < now or exp - iat > 3600:
        return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe"
    return None


def jwt_header(token):
    try:
        header = json.loads(unb64url(token.split(".")[0]))
    except Exception:
        return {}
    return header if isinstance(header, dict) else {}


def verify_client_assertion(assertion):
    """Checks a certificate credential's client assertion as Entra ID does; returns an AADSTS error or None."""
    parts = assertion.split(".")
    try:
        header, claims, signature = jwt_header(assertion), json.loads(unb64url(parts[1])), unb64url(parts[2])
    except Exception:
        return "AADSTS50027: JWT token is invalid or malformed."
    if len(parts) != 3 or header.get("alg") != "RS256" or header.get("typ") != "JWT":
        return "AADSTS50027: JWT token is invalid or malformed."
    if header.get("x5t") != AZURE["certificate_thumbprint"]:
        return ("AADSTS700027: The certificate with identifier used to sign the client assertion is not registered "
                "on application.")
    if "x5c" in header:
        chain = header["x5c"]
        if not isinstance(chain, list) or not chain or base64.b64decode(chain[0]) != APP_CERT_DER:
            return "AADSTS700027: x5c does not hold the certificate named by x5t."
    try:
        APP_CERT_PUBLIC.verify(signature, (parts[0] + "." + parts[1]).encode(), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return "AADSTS700027: Client assertion failed signature validation."
    now = int(time.time())
    if claims.get("aud") != f"{BASE}/{AZURE['tenant']}/oauth2/v2.0/token":
        return "AADSTS700024: Client assertion audience claim does not match Realm issuer."
    if claims.get("iss") != AZURE["client_id"] or claims.get("sub") != AZURE["client_id"]:
        return "AADSTS700023: Client assertion issuer and subject must be the client ID."
    if not claims.get("jti"):
        return "AADSTS700025: Client assertion has no jti."
    exp, nbf = claims.get("exp"), claims.get("nbf", 0)
    if not isinstance(exp, int) or exp <= now or exp - now > 3600:
        return "AADSTS700024: Client assertion is not within its valid time range."
    if not isinstance(nbf, int) or nbf > now + 300:
        return "AADSTS700024: Client assertion is not yet valid."
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def count(self, path):
        with lock:
            counts[path] = counts.get(path, 0) + 1

    def do_GET(self):
        url = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        self.count(url.path)
        if url.path == "/stats":
            with lock:
                return reply(self, {"requests": counts, "exchanged": exchanged})
        if url.path.startswith("/computeMetadata/v1/instance/service-accounts/default/"):
            if self.headers.get("Metadata-Flavor") != "Google" or self.headers.get("X-Forwarded-For"):
                return send_body(self, 403, b"Missing Metadata-Flavor:Google header.", "text/plain")
            name = url.path.rsplit("/", 1)[1]
            if name == "email":
                return send_body(self, 200, METADATA_EMAIL.encode(), "application/text")
            if name == "token":
                return reply(self, {"access_token": google_token(METADATA_EMAIL), "expires_in": 3599, "token_type": "Bearer"})
        if url.path.startswith("/aws/latest/meta-data/"):
            return self.instance_metadata(url.path.removeprefix("/aws/latest/meta-data/"))
        if url.path == "/google/subject-token":
            if self.headers.get("X-Ossb-Subject") != "yes":
                return send_body(self, 403, b"missing header", "text/plain")
            return reply(self, {"value": SUBJECT_TOKEN})
        if url.path == "/metadata/identity/oauth2/token":
            if self.headers.get("Metadata") != "true":
                return oauth_error(self, 400, "bad_request_102", "Required metadata header not specified")
            return self.managed_identity(q)
        if url.path.endswith("/v2.0/.well-known/openid-configuration"):
            return self.openid_configuration(url.path.split("/")[1])
        if url.path == "/common/discovery/instance":
            # Instance discovery, which MSAL asks before its first token request from a token cache.
            host = self.headers.get("Host")
            return reply(self, {"tenant_discovery_endpoint": f"https://{host}/common/v2.0/.well-known/openid-configuration",
                                "api-version": "1.1", "metadata": [{"preferred_network": host, "preferred_cache": host,
                                                                    "aliases": [host]}]})
        if url.path in ("/subscriptions", "/tenants"):
            return self.resource_manager(url.path)
        if url.path == "/msi/token":
            if not hmac.compare_digest(self.headers.get("X-IDENTITY-HEADER", ""), AZURE["identity_header"]):
                return oauth_error(self, 401, "unauthorized", "X-IDENTITY-HEADER is missing or wrong")
            return self.managed_identity(q, app_service=True)
        send_body(self, 404, b'{"error":"not found"}')

    def instance_metadata(self, path):
        with lock:
            known = self.headers.get("X-aws-ec2-metadata-token") in imds_tokens
        if not known:  # IMDSv2 only, as an instance with HttpTokens=required
            return send_body(self, 401, b"", "text/plain")
        roles = "iam/security-credentials"
        if path == "placement/availability-zone":
            return send_body(self, 200, AWS_ZONE.encode(), "text/plain")
        if path in (roles, roles + "/"):
            return send_body(self, 200, AWS_ROLE_NAME.encode(), "text/plain")
        if path == f"{roles}/{AWS_ROLE_NAME}":
            expiry = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
            return reply(self, dict(AWS_ROLE, Code="Success", Type="AWS-HMAC", Expiration=expiry))
        send_body(self, 404, b"", "text/plain")

    def do_PUT(self):
        self.count(urlparse(self.path).path)
        read_request_body(self)
        if self.path != "/aws/latest/api/token":
            return send_body(self, 404, b"", "text/plain")
        if not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds", "").isdigit():
            return send_body(self, 400, b"", "text/plain")
        token = secrets.token_urlsafe(24)
        with lock:
            imds_tokens.add(token)
        send_body(self, 200, token.encode(), "text/plain")

    def openid_configuration(self, tenant):
        """The tenant's OpenID metadata, which MSAL (under the Azure CLI) reads before its first token request."""
        if tenant not in (AZURE["tenant"], "common", "organizations"):
            return oauth_error(self, 400, "invalid_tenant", "AADSTS90002: Tenant not found")
        base = f"https://{self.headers.get('Host')}/{tenant}"
        reply(self, {"issuer": f"{base}/v2.0", "token_endpoint": f"{base}/oauth2/v2.0/token",
                     "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                     "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                     "tenant_region_scope": "EU"})

    def resource_manager(self, path):
        """Resource Manager's subscription and tenant lists, as `az login` reads them: the service principal sees
        no subscription (the CLI then logs in to the tenant alone, with --allow-no-subscriptions)."""
        audience = verify_hs256(self.headers.get("Authorization", "")[7:], ENTRA_SECRET) or {}
        if audience.get("aud") != ARM_RESOURCE:
            return reply(self, {"error": {"code": "InvalidAuthenticationToken", "message": "bad token"}}, 401)
        if path == "/tenants":
            return reply(self, {"value": [{"id": f"/tenants/{AZURE['tenant']}", "tenantId": AZURE["tenant"]}]})
        reply(self, {"value": []})

    def managed_identity(self, q, app_service=False):
        if not q.get("api-version"):
            return oauth_error(self, 400, "invalid_request", "api-version is required")
        if q.get("resource") != ACR_RESOURCE:
            return oauth_error(self, 400, "invalid_resource", "unexpected resource")
        if q.get("client_id", AZURE["managed_identity_client_id"]) != AZURE["managed_identity_client_id"]:
            return oauth_error(self, 400, "invalid_request", "Identity not found")
        token, now = entra_token(AZURE["managed_identity_client_id"])
        answer = {"access_token": token, "expires_on": str(now + 3600), "resource": ACR_RESOURCE, "token_type": "Bearer"}
        if app_service:
            answer["client_id"] = AZURE["managed_identity_client_id"]
        else:
            answer["expires_in"] = "3600"
        reply(self, answer)

    def do_POST(self):
        url = urlparse(self.path)
        self.count(url.path)
        body = read_request_body(self)[0]
        if url.path.startswith("/google/iam/v1/"):
            return self.impersonate(url.path, body)
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        if url.path == "/google/token":
            return self.google_token_endpoint(form)
        if url.path == "/google/sts/v1/token":
            return self.sts(form)
        if url.path == f"/{AZURE['tenant']}/oauth2/v2.0/token":
            return self.entra(form)
        if url.path.endswith("/oauth2/v2.0/token"):
            return oauth_error(self, 400, "invalid_tenant", "AADSTS90002: Tenant not found")
        send_body(self, 404, b'{"error":"not found"}')

    def google_token_endpoint(self, form):
        grant = form.get("grant_type")
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            problem = verify_assertion(form.get("assertion", ""))
            if problem:
                return oauth_error(self, 401 if "Signature" in problem else 400, "invalid_grant", problem)
            return reply(self, {"access_token": google_token(SA_EMAIL), "expires_in": 3599, "token_type": "Bearer"})
        if grant == "refresh_token":
            if form.get("client_id") != USER["client_id"] or not hmac.compare_digest(form.get("client_secret", ""), USER["client_secret"]):
                return oauth_error(self, 401, "invalid_client", "The OAuth client was not found.")
            if not hmac.compare_digest(form.get("refresh_token", ""), USER["refresh_token"]):
                return oauth_error(self, 400, "invalid_grant", "Token has been expired or revoked.")
            return reply(self, {"access_token": google_token(USER["client_id"]), "expires_in": 3599, "token_type": "Bearer",
                                "scope": GOOGLE_SCOPE})
        oauth_error(self, 400, "unsupported_grant_type", "Invalid grant_type")

    def sts(self, form):
        aws = form.get("subject_token_type") == "urn:ietf:params:aws:token-type:aws4_request"
        expected = {"grant_type": "urn:ietf:params:oauth:grant-type:token-exchange", "audience": AUDIENCE,
                    "requested_token_type": "urn:ietf:params:oauth:token-type:access_token"}
        for name, value in expected.items():
            if form.get(name) != value:
                return oauth_error(self, 400, "invalid_request", f"{name} is missing or wrong")
        if GOOGLE_SCOPE not in form.get("scope", "").split():
            return oauth_error(self, 400, "invalid_scope", "scope is missing")
        identity = AUDIENCE
        if aws:
            principal, problem = verify_aws_request(form.get("subject_token", ""))
            if problem:
                return oauth_error(self, 400, "invalid_grant", problem)
            identity = f"aws:{principal}"
        else:
            subject = SUBJECTS.get(form.get("subject_token_type"))
            if subject is None:
                return oauth_error(self, 400, "invalid_request", "subject_token_type is missing or wrong")
            if not hmac.compare_digest(form.get("subject_token", ""), subject):
                return oauth_error(self, 400, "invalid_grant", "The subject token could not be verified")
        token = google_token(identity, prefix="fed.")
        with lock:
            federated_tokens.add(token)
        reply(self, {"access_token": token, "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
                     "token_type": "Bearer", "expires_in": 3600})

    def impersonate(self, path, body):
        auth = self.headers.get("Authorization", "")
        with lock:
            known = auth.startswith("Bearer ") and auth[7:] in federated_tokens
        if not known:
            return reply(self, {"error": {"code": 401, "message": "Request had invalid authentication credentials.",
                                          "status": "UNAUTHENTICATED"}}, 401)
        if path != f"/google/iam/v1/projects/-/serviceAccounts/{IMPERSONATED}:generateAccessToken":
            return reply(self, {"error": {"code": 403, "message": "Permission 'iam.serviceAccounts.getAccessToken' denied",
                                          "status": "PERMISSION_DENIED"}}, 403)
        try:
            request = json.loads(body)
        except Exception:
            request = {}
        if GOOGLE_SCOPE not in request.get("scope", []):
            return reply(self, {"error": {"code": 400, "message": "scope is required", "status": "INVALID_ARGUMENT"}}, 400)
        expire = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
        reply(self, {"accessToken": google_token(IMPERSONATED), "expireTime": expire.strftime("%Y-%m-%dT%H:%M:%SZ")})

    def entra(self, form):
        if form.get("grant_type") != "client_credentials":
            return oauth_error(self, 400, "unsupported_grant_type", "AADSTS70003")
        if form.get("client_id") != AZURE["client_id"]:
            return oauth_error(self, 400, "unauthorized_client", "AADSTS700016: Application not found in the directory")
        audience = {ACR_RESOURCE + "/.default": ACR_RESOURCE, ARM_RESOURCE + "/.default": ARM_RESOURCE}.get(
            form.get("scope"))
        if audience is None:
            return oauth_error(self, 400, "invalid_scope", "AADSTS70011: The provided value for scope is not valid")
        if "client_secret" in form:
            if not hmac.compare_digest(form["client_secret"], AZURE["client_secret"]):
                return oauth_error(self, 401, "invalid_client", "AADSTS7000215: Invalid client secret provided.")
        elif form.get("client_assertion_type") == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
            assertion = form.get("client_assertion", "")
            if hmac.compare_digest(assertion, FEDERATED_TOKEN):
                pass
            elif "x5t" in jwt_header(assertion):
                problem = verify_client_assertion(assertion)
                if problem:
                    return oauth_error(self, 401, "invalid_client", problem)
            else:
                return oauth_error(self, 401, "invalid_client", "AADSTS700213: No matching federated identity record found")
        else:
            return oauth_error(self, 401, "invalid_client", "AADSTS7000218: client_assertion or client_secret required")
        token, _ = entra_token(AZURE["client_id"], audience)
        reply(self, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token})


class ExchangeHandler(BaseHTTPRequestHandler):
    """An Azure registry's /oauth2/exchange."""
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def refuse(self, message):
        send_body(self, 401, json.dumps({"errors": [{"code": "UNAUTHORIZED", "message": message}]}).encode())

    def do_POST(self):
        body = read_request_body(self)[0]
        if urlparse(self.path).path != "/oauth2/exchange":
            return send_body(self, 404, b'{"errors":[{"code":"NOT_FOUND"}]}')
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        if form.get("grant_type") != "access_token":
            return send_body(self, 400, b'{"errors":[{"code":"UNSUPPORTED","message":"grant_type must be access_token"}]}')
        if form.get("service") != self.headers.get("Host"):
            return self.refuse("service does not name this registry")
        claims = verify_hs256(form.get("access_token", ""), ENTRA_SECRET)
        if claims is None or claims.get("aud") != ACR_RESOURCE:
            return self.refuse("the access token is invalid, expired or not for Azure Container Registry")
        if "tenant" in form and form["tenant"] != claims.get("tid"):
            return self.refuse("tenant does not match the access token")
        with lock:
            exchanged.append(claims.get("jti"))
        now = int(time.time())
        refresh = hs256({"iss": "ossb-test-acr-exchange", "sub": EXCHANGE_USER, "aud": form["service"],
                         "tenant": claims["tid"], "iat": now, "exp": now + 10800, "jti": secrets.token_hex(8)}, EXCHANGE_SECRET)
        reply(self, {"refresh_token": refresh})


def tls_context():
    ca_key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ossb test cloud CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName(n) for n in ("*.azurecr.io", "*.azurecr.cn", "*.azurecr.us")]
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "*.azurecr.io")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName(names), critical=False).sign(ca_key, hashes.SHA256()))
    write("ca.crt", ca.public_bytes(serialization.Encoding.PEM).decode())
    with open(os.path.join(DIR, "exchange.pem"), "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(os.path.join(DIR, "exchange.pem"))
    return context


exchange = ThreadingHTTPServer(("127.0.0.1", TLS_PORT), ExchangeHandler)
exchange.socket = tls_context().wrap_socket(exchange.socket, server_side=True)
threading.Thread(target=exchange.serve_forever, daemon=True).start()
ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
