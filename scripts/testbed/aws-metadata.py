"""Loopback stand-ins for the AWS services moto does not serve, following AWS's documented protocols:
- IMDSv2: PUT /latest/api/token (needs X-aws-ec2-metadata-token-ttl-seconds), then GET
  /latest/meta-data/iam/security-credentials/ and .../<role>, each needing X-aws-ec2-metadata-token;
- container credentials (ECS, EKS Pod Identity): GET /container-credentials with the Authorization header
  `container-secret`;
- an ECR GetAuthorizationToken whose token expires in 12 hours (moto's is always expired, so nothing it mints can
  be cached): POST / with the X-Amz-Target of ECR and a SigV4 Authorization header; GET /count tells how many
  tokens it minted, GET /count/<access key ID> how many for that key (tests running in parallel use keys of
  their own), so the tests can see that a cached get makes no request. A key AKIAGATE<n>G<group>X... is answered
  only once n requests of that group have arrived (or 10 s have passed), so that n helpers receive their tokens
  at the same moment and cache them together: a race made real. A key AKIALIFE<seconds>X... gets a token that
  expires in that many seconds instead of 12 hours. ECR Public's GetAuthorizationToken
  (SpencerFrontendService) answers its single object, and only to a request signed for ecr-public in us-east-1. For the access key AKIAE2E it mints
  the token given as the second argument, which the Basic registry test bed accepts for user AWS;
- the IAM Identity Center (SSO) portal's GetRoleCredentials, which moto does not serve: GET
  /federation/credentials?role_name=R&account_id=A with the `x-amz-sso_bearer_token` header, answering as AWS
  documents it (`roleCredentials` with `expiration` in epoch milliseconds; 401 UnauthorizedException for a token
  it did not issue, 403 ForbiddenException for a role it does not know). The token it accepts is SSO_TOKEN below
  (what `aws sso login` would have cached). Roles of account 123456789012: `ecr-puller` gets the temporary
  credentials of moto's role of that name (the third to fifth arguments), so the checking moto verifies what was
  signed with them, session token included; `e2e` gets AKIAE2E; `dev` gets ASIASSODEV, which this server's ECR
  mints for;
- the IAM Identity Center OIDC service's CreateToken (POST /token, JSON, grant type `refresh_token`), renewing
  SSO_TOKEN for the client registration SSO_CLIENT and one of SSO_REFRESH_TOKENS (it hands out the last). A
  refresh token once-<login>-<n> rotates as the real service's do: it is good only while it is the login's latest
  (once-<login>-0 first), and each CreateToken with it answers, after half a second, with once-<login>-<n+1> and
  retires it; GET /sso-count/<login> tells how many CreateToken calls named the login, so a test can see two
  helpers renewing one login at once make exactly one.
Usage: aws-metadata.py PORT [E2E_TOKEN [ROLE_KEY_ID ROLE_SECRET ROLE_SESSION_TOKEN]]"""
import base64
import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

IMDS_TOKEN = "imds-session-token"
ROLE = "ossb-node-role"
minted = 0
minted_by_key = {}
# The latest refresh token's number and the CreateToken calls, by once-<login>-<n> login.
sso_latest = {}
sso_calls = {}
sso_lock = threading.Lock()
# The barriers of AKIAGATE<n>G<group>X keys, by group.
gates = {}
gates_lock = threading.Lock()
E2E_TOKEN = sys.argv[2] if len(sys.argv) > 2 else ""
SSO_TOKEN = "ossb-sso-access-token"
SSO_ACCOUNT = "123456789012"
# The client registration and refresh tokens of an `[sso-session]` login; CreateToken hands out the last one.
SSO_CLIENT = ("ossb-client", "ossb-client-secret")
SSO_REFRESH_TOKENS = ["ossb-refresh-token", "ossb-refresh-token-2"]
SSO_ROLES = {"e2e": ("AKIAE2E", "e2e-secret", "e2e-sso-session"), "dev": ("ASIASSODEV", "sso-dev-secret", "dev-sso-session")}
if len(sys.argv) > 5:
    SSO_ROLES["ecr-puller"] = (sys.argv[3], sys.argv[4], sys.argv[5])


def credentials(prefix):
    expiry = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
    return {"AccessKeyId": f"ASIA{prefix}", "SecretAccessKey": f"{prefix}-secret", "Token": f"{prefix}-session",
            "Expiration": expiry, "Code": "Success", "Type": "AWS-HMAC"}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body, content_type="application/json"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self):
        if self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            return self.answer(200, IMDS_TOKEN, "text/plain")
        self.answer(400, "missing TTL header", "text/plain")

    def sso_role_credentials(self):
        query = parse_qs(urlsplit(self.path).query)
        if self.headers.get("x-amz-sso_bearer_token") != SSO_TOKEN:
            return self.sso_error(401, "UnauthorizedException", "Session token not found or invalid")
        role, account = query.get("role_name", [""])[0], query.get("account_id", [""])[0]
        if account != SSO_ACCOUNT or role not in SSO_ROLES:
            return self.sso_error(403, "ForbiddenException", "No access")
        key, secret, session = SSO_ROLES[role]
        self.answer(200, json.dumps({"roleCredentials": {
            "accessKeyId": key, "secretAccessKey": secret, "sessionToken": session,
            "expiration": int((time.time() + 3600) * 1000)}}))

    def sso_error(self, status, kind, message, oauth=None):
        # The portal answers {"message"}; the OIDC service, an OAuth2 error ({"error", "error_description"}).
        data = json.dumps({"error": oauth, "error_description": message} if oauth else {"message": message}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("x-amzn-ErrorType", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        global minted
        if urlsplit(self.path).path == "/federation/credentials":
            return self.sso_role_credentials()
        if self.path.startswith("/sso-count/"):
            return self.answer(200, str(sso_calls.get(self.path.removeprefix("/sso-count/"), 0)), "text/plain")
        if self.path == "/count":
            return self.answer(200, str(minted), "text/plain")
        if self.path.startswith("/count/"):
            return self.answer(200, str(minted_by_key.get(self.path.removeprefix("/count/"), 0)), "text/plain")
        if self.path == "/container-credentials":
            if self.headers.get("Authorization") != "container-secret":
                return self.answer(401, "{}")
            return self.answer(200, json.dumps(credentials("CONTAINER")))
        if self.path.startswith("/latest/meta-data/iam/security-credentials/"):
            if self.headers.get("X-aws-ec2-metadata-token") != IMDS_TOKEN:
                return self.answer(401, "", "text/plain")
            rest = self.path.removeprefix("/latest/meta-data/iam/security-credentials/")
            if rest == "":
                return self.answer(200, ROLE, "text/plain")
            if rest == ROLE:
                return self.answer(200, json.dumps(credentials("INSTANCE")))
        self.answer(404, "{}")

    def sso_create_token(self, body):
        try:
            request = json.loads(body)
        except ValueError:
            request = {}
        if request.get("grantType") != "refresh_token" or request.get("clientId") != SSO_CLIENT[0] \
                or request.get("clientSecret") != SSO_CLIENT[1]:
            return self.sso_error(400, "InvalidClientException", "Invalid client", oauth="invalid_client")
        rotating = re.fullmatch(r"once-([A-Za-z0-9]+)-(\d+)", request.get("refreshToken") or "")
        if rotating:
            return self.sso_rotate(rotating.group(1), int(rotating.group(2)))
        if request.get("refreshToken") not in SSO_REFRESH_TOKENS:
            return self.sso_error(400, "InvalidGrantException", "Invalid refresh token provided",
                                  oauth="invalid_grant")
        self.answer(200, json.dumps({"accessToken": SSO_TOKEN, "tokenType": "Bearer", "expiresIn": 3600,
                                     "refreshToken": SSO_REFRESH_TOKENS[-1]}))

    def sso_rotate(self, login, number):
        # Slow, as a service far away is: a second helper renewing the same login meanwhile would present a
        # refresh token that is retired by the time it is checked.
        with sso_lock:
            sso_calls[login] = sso_calls.get(login, 0) + 1
        time.sleep(0.5)
        with sso_lock:
            good = sso_latest.get(login, 0) == number
            if good:
                sso_latest[login] = number + 1
        if not good:
            return self.sso_error(400, "InvalidGrantException", "Invalid refresh token provided",
                                  oauth="invalid_grant")
        self.answer(200, json.dumps({"accessToken": SSO_TOKEN, "tokenType": "Bearer", "expiresIn": 3600,
                                     "refreshToken": f"once-{login}-{number + 1}"}))

    def do_POST(self):
        global minted
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if self.path == "/token":
            return self.sso_create_token(body)
        target = self.headers.get("X-Amz-Target", "")
        auth = self.headers.get("Authorization", "")
        if not target.endswith(".GetAuthorizationToken") or not auth.startswith("AWS4-HMAC-SHA256 Credential="):
            return self.answer(400, json.dumps({"__type": "UnrecognizedClientException"}))
        key = auth.split("Credential=")[1].split("/")[0]
        gate = re.match(r"AKIAGATE(\d+)G([A-Z0-9]+)X", key)
        if gate:
            with gates_lock:
                barrier = gates.setdefault(gate.group(2), threading.Barrier(int(gate.group(1)), timeout=10))
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass
        minted += 1
        minted_by_key[key] = minted_by_key.get(key, 0) + 1
        password = E2E_TOKEN if key == "AKIAE2E" and E2E_TOKEN else f"minted-{minted}-for-{key}"
        token = base64.b64encode(f"AWS:{password}".encode()).decode()
        life = re.match(r"AKIALIFE(\d+)X", key)
        data = {"authorizationToken": token, "expiresAt": time.time() + (int(life.group(1)) if life else 12 * 3600),
                "proxyEndpoint": "https://123456789012.dkr.ecr.us-east-1.amazonaws.com"}
        if target.startswith("SpencerFrontendService."):
            # ECR Public answers one object, signed for the `ecr-public` service in us-east-1.
            if "/us-east-1/ecr-public/aws4_request" not in auth:
                return self.answer(403, json.dumps({"__type": "InvalidSignatureException"}))
            return self.answer(200, json.dumps({"authorizationData": data}), "application/x-amz-json-1.1")
        self.answer(200, json.dumps({"authorizationData": [data]}), "application/x-amz-json-1.1")


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
