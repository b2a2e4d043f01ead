#!/usr/bin/env python3
"""A token server for the tests: the distribution token protocol (GET) and OAuth2 (POST), signing ES256 JWTs
the way docker-registry (distribution 2.8.2) checks them (x5c header chaining to its rootcertbundle; claims iss,
aud as a plain string, exp, nbf, access). Listens on 127.0.0.1 only.

Usage: token-server.py PORT CONFIG.json CERT_OUT.pem
CONFIG: {"issuer": ..., "service": ..., "lifetime": seconds,
         "users": {name: {"password": ..., "actions": ["pull", "push", "delete"]}},
         "public_prefix": "public/",   (anonymous users may pull repositories under it)
         "exchange_secret_file": path} (optional: refresh tokens an Azure /oauth2/exchange stand-in signed, see
                                        cloud-token-server.py: HS256 JWTs, iss ossb-test-acr-exchange, sub a user;
                                        and, as the password of oauth2accesstoken, Google access tokens the
                                        Google stand-in minted: "ya29." or "fed." and a JWT, iss ossb-test-google)

Endpoints:
  GET  /token            distribution GET form: Basic credentials (or none), service, scope (repeated),
                         offline_token=true -> a refresh_token, client_id, account
  POST /token            OAuth2: grant_type=password|refresh_token, client_id (required), scope (one,
                         space-separated), access_type=offline -> a refresh_token
  GET|POST /token-get-only   as /token, but POST answers 404 (a server without OAuth2)
  GET  /stats?client_id=C    {"token_requests": N} counted per client_id, so parallel tests do not mix
  GET  /control?client_id=C&expire_next=N   the next N tokens for C expire at the registry about 3 s after
                         they are issued (exp in the past, inside the registry's 60 s leeway by 3 s) while
                         expires_in still says the configured lifetime: a cached token that goes stale
"""
import base64, datetime, hashlib, hmac, json, os, secrets, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testbed_http import read_request_body  # noqa: E402
from urllib.parse import urlparse, parse_qs

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

PORT = int(sys.argv[1])
CONFIG = json.load(open(sys.argv[2]))
CERT_OUT = sys.argv[3]

key = ec.generate_private_key(ec.SECP256R1())
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ossb test token signer")])
now = datetime.datetime.now(datetime.timezone.utc)
cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False, key_agreement=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256()))
with open(CERT_OUT, "wb") as f:
    f.write(cert.public_bytes(serialization.Encoding.PEM))
X5C = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()

lock = threading.Lock()
refresh_tokens = {}  # refresh token -> user
stats = {}           # client_id -> token requests
expire_next = {}     # client_id -> tokens still to issue expired


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign_jwt(claims):
    header = {"typ": "JWT", "alg": "ES256", "x5c": [X5C]}
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    der = key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    return signing_input + "." + b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


def parse_scope(text):
    first, last = text.find(":"), text.rfind(":")
    if first < 0 or first == last:
        return None
    return text[:first], text[first + 1:last], [a for a in text[last + 1:].split(",") if a]


def grant(user, scopes):
    access = []
    for text in scopes:
        parsed = parse_scope(text)
        if not parsed:
            continue
        rtype, rname, actions = parsed
        if rtype != "repository":
            continue
        if user is None:
            allowed = ["pull"] if rname.startswith(CONFIG.get("public_prefix", "public/")) else []
        else:
            allowed = CONFIG["users"][user]["actions"]
        given = [a for a in actions if a in allowed]
        if given:
            access.append({"type": rtype, "name": rname, "actions": given})
    return access


def issue(user, scopes, client_id):
    now = int(time.time())
    lifetime = int(CONFIG.get("lifetime", 300))
    with lock:
        expired = expire_next.get(client_id, 0) > 0
        if expired:
            expire_next[client_id] -= 1
    # distribution accepts exp up to 60 s in the past: exp = now - 57 works for about 3 s, then fails.
    exp = now - 57 if expired else now + lifetime
    claims = {"iss": CONFIG["issuer"], "sub": user or "", "aud": CONFIG["service"], "exp": exp,
              "nbf": now - 120 if expired else now - 10, "iat": now, "jti": secrets.token_hex(8),
              "access": grant(user, scopes)}
    return sign_jwt(claims), lifetime


EXCHANGE_SECRET = open(CONFIG["exchange_secret_file"], "rb").read().strip() if CONFIG.get("exchange_secret_file") else None


def stand_in_user(token, issuer="ossb-test-acr-exchange"):
    """The user of a token minted by the cloud stand-ins (the Azure exchange's refresh tokens, by default):
    signature, issuer and expiry checked."""
    parts = token.split(".")
    if EXCHANGE_SECRET is None or len(parts) != 3:
        return None
    unb64 = lambda text: base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    expected = hmac.new(EXCHANGE_SECRET, (parts[0] + "." + parts[1]).encode(), hashlib.sha256).digest()
    try:
        if not hmac.compare_digest(unb64(parts[2]), expected):
            return None
        claims = json.loads(unb64(parts[1]))
    except Exception:
        return None
    if claims.get("iss") != issuer or claims.get("exp", 0) <= time.time():
        return None
    return claims.get("sub") if claims.get("sub") in CONFIG["users"] else None


def refresh_user(token):
    """The user a refresh token stands for: one this server issued, or one the exchange stand-in signed."""
    with lock:
        user = refresh_tokens.get(token)
    return user if user is not None else stand_in_user(token)


def password_user(name, password):
    """The user a name and password log in as: a configured user, or oauth2accesstoken with a Google access
    token from the stand-in (the user it was minted for)."""
    if check_password(name, password):
        return name
    if name == "oauth2accesstoken":
        for prefix in ("ya29.", "fed."):
            if password.startswith(prefix):
                return stand_in_user(password[len(prefix):], issuer="ossb-test-google")
    return None


def check_password(user, password):
    entry = CONFIG["users"].get(user)
    return entry is not None and secrets.compare_digest(entry["password"], password)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_json(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def count(self, client_id):
        with lock:
            stats[client_id] = stats.get(client_id, 0) + 1

    def do_GET(self):
        url = urlparse(self.path)
        q = parse_qs(url.query)
        client_id = q.get("client_id", [""])[0]
        if url.path == "/stats":
            with lock:
                self.send_json(200, {"token_requests": stats.get(client_id, 0)})
            return
        if url.path == "/control":
            with lock:
                expire_next[client_id] = int(q.get("expire_next", ["0"])[0])
            self.send_json(200, {"ok": True})
            return
        if url.path not in ("/token", "/token-get-only"):
            self.send_json(404, {"error": "not found"})
            return
        self.count(client_id)
        user = None
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            try:
                name, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            except Exception:
                self.send_json(400, {"errors": [{"code": "UNAUTHORIZED", "message": "malformed Basic credentials"}]})
                return
            by_password = password_user(name, password)
            by_refresh = refresh_user(password)
            if by_password is not None:
                user = by_password
            elif by_refresh is not None:
                user = by_refresh
            else:
                self.send_json(401, {"errors": [{"code": "UNAUTHORIZED", "message": "invalid username or password"}]})
                return
        token, lifetime = issue(user, q.get("scope", []), client_id)
        answer = {"token": token, "access_token": token, "expires_in": lifetime,
                  "issued_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")}
        if user is not None and q.get("offline_token", [""])[0] == "true":
            refresh = secrets.token_urlsafe(24)
            with lock:
                refresh_tokens[refresh] = user
            answer["refresh_token"] = refresh
        self.send_json(200, answer)

    def do_POST(self):
        url = urlparse(self.path)
        form = parse_qs(read_request_body(self)[0].decode())
        # Like Go's ParseForm (docker's token servers), accept parameters in the query too.
        for k, v in parse_qs(url.query).items():
            form.setdefault(k, v)
        client_id = form.get("client_id", [""])[0]
        if url.path == "/token-get-only":
            self.count(client_id)
            self.send_json(404, {"error": "not found"})
            return
        if url.path != "/token":
            self.send_json(404, {"error": "not found"})
            return
        self.count(client_id)
        if not client_id:
            self.send_json(400, {"error": "invalid_request", "error_description": "client_id is required"})
            return
        grant_type = form.get("grant_type", [""])[0]
        user = None
        refresh = None
        if grant_type == "password":
            name, password = form.get("username", [""])[0], form.get("password", [""])[0]
            user = password_user(name, password)
            if user is None:
                self.send_json(401, {"error": "invalid_grant", "error_description": "invalid username or password"})
                return
        elif grant_type == "refresh_token":
            refresh = form.get("refresh_token", [""])[0]
            user = refresh_user(refresh)
            if user is None:
                self.send_json(401, {"error": "invalid_grant", "error_description": "unknown refresh token"})
                return
        else:
            self.send_json(400, {"error": "unsupported_grant_type"})
            return
        scopes = form.get("scope", [""])[0].split()
        token, lifetime = issue(user, scopes, client_id)
        answer = {"access_token": token, "expires_in": lifetime, "scope": " ".join(scopes),
                  "issued_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
        if form.get("access_type", [""])[0] == "offline":
            if refresh is None:
                refresh = secrets.token_urlsafe(24)
                with lock:
                    refresh_tokens[refresh] = user
            answer["refresh_token"] = refresh
        self.send_json(200, answer)


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
