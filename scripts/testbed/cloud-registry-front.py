#!/usr/bin/env python3
"""Registries under cloud names: an https front on port 443 of a free loopback address (127.0.86.N), answering
for the names in ROUTES.json as the clouds' registries do, and forwarding to the test beds' registries. A client
reaches it under those names only where the names resolve to that address: in a private mount namespace whose
/etc/hosts is DIR/hosts (`unshare -m`, then `mount --bind DIR/hosts /etc/hosts`), so every program, whatever its
resolver (glibc, libcurl, Go), is tested on its real name resolution and certificate checks, with no override.
Binding port 443 and the mount namespace need root.

Usage: cloud-registry-front.py ROUTES.json DIR STATS_PORT
ROUTES.json: {name: {"registry": "127.0.0.1:PORT",           the registry (http) every other path goes to
                     "token": "http://127.0.0.1:PORT/token",  optional: the registry's token server, served on this
                     "token_path": "/oauth2/token",           name at token_path; the registry's Bearer challenge
                                                              names https://NAME/TOKEN_PATH as its realm
                     "exchange": "127.0.0.1:PORT"}}           optional: an https /oauth2/exchange (Azure) to forward to
Writes into DIR: address (the address chosen), ca.crt (the CA of the front's certificate, which names every
route), certs.d/NAME/ca.crt (a certs.d directory for OSSB_CERTS_D or skopeo's --cert-dir), hosts (this
machine's /etc/hosts with every name mapped to the address).

The Host header is kept on every forwarded request (the exchange checks that `service` names it).
GET http://127.0.0.1:STATS_PORT/stats answers, per name, how many requests it got and how many carried a credential
(an Authorization other than Bearer or an empty Basic, a token request with a password or refresh token, an exchange), so a test can
check that a look-alike name got none.
"""
import base64, datetime, http.client, json, os, random, socket, ssl, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testbed_http import read_request_body, send_body  # noqa: E402

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ROUTES = json.load(open(sys.argv[1]))
DIR, STATS_PORT = sys.argv[2], int(sys.argv[3])
lock = threading.Lock()
stats = {name: {"requests": 0, "credentialed": 0, "exchanges": 0} for name in ROUTES}


def make_certificate():
    """A CA and a certificate for every routed name, the CA written as DIR/ca.crt and DIR/certs.d/NAME/ca.crt."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ossb test cloud registries CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cloud registries")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in ROUTES]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = ca.public_bytes(serialization.Encoding.PEM)
    for path in [os.path.join(DIR, "ca.crt")] + [os.path.join(DIR, "certs.d", n, "ca.crt") for n in ROUTES]:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(pem)
    chain = os.path.join(DIR, "front.pem")
    with open(chain, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    os.chmod(chain, 0o600)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(chain)
    return context


def bind_free_address():
    """A listening socket on port 443 of a loopback address no other test run holds."""
    candidates = random.sample(range(2, 255), 60)
    for n in candidates:
        address = f"127.0.86.{n}"
        s = socket.socket()
        try:
            s.bind((address, 443))
            return s, address
        except OSError:
            s.close()
    sys.exit("cloud-registry-front: no free 127.0.86.N:443")


def carries_credential(handler, body):
    auth = handler.headers.get("Authorization", "")
    if auth.startswith("Basic "):
        # Without credentials, skopeo answers a Basic challenge with an empty user and password: not a credential.
        try:
            return base64.b64decode(auth[6:]) != b":"
        except ValueError:
            return True
    if auth and not auth.startswith("Bearer "):
        return True
    form = parse_qs(body.decode(errors="replace"))
    return any(k in form for k in ("password", "refresh_token", "access_token", "client_secret"))


class Front(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.forward()

    def do_HEAD(self):
        self.forward()

    def do_POST(self):
        self.forward()

    def forward(self):
        name = (self.headers.get("Host") or "").split(":")[0].lower()
        route = ROUTES.get(name)
        if route is None:
            return send_body(self, 421, b'{"errors":[{"code":"UNKNOWN","message":"no such registry here"}]}')
        body = read_request_body(self)[0] if self.command == "POST" else b""
        path = urlparse(self.path).path
        with lock:
            entry = stats[name]
            entry["requests"] += 1
            if carries_credential(self, body):
                entry["credentialed"] += 1
            if path == "/oauth2/exchange":
                entry["exchanges"] += 1
        if path == "/oauth2/exchange" and route.get("exchange"):
            host, port = route["exchange"].rsplit(":", 1)
            upstream = http.client.HTTPSConnection(host, int(port), context=ssl._create_unverified_context(), timeout=30)
            target = self.path
        elif route.get("token") and path == route.get("token_path"):
            token = urlparse(route["token"])
            upstream = http.client.HTTPConnection(token.hostname, token.port, timeout=30)
            query = urlparse(self.path).query
            target = token.path + ("?" + query if query else "")
        else:
            host, port = route["registry"].rsplit(":", 1)
            upstream = http.client.HTTPConnection(host, int(port), timeout=60)
            target = self.path
        try:
            # Header by header: clients send Accept several times, and every one counts.
            upstream.putrequest(self.command, target, skip_host=True, skip_accept_encoding=True)
            for key, value in self.headers.items():
                if key.lower() not in ("transfer-encoding", "content-length", "connection"):
                    upstream.putheader(key, value)
            if self.command == "POST":
                upstream.putheader("Content-Length", str(len(body)))
            upstream.endheaders(body if self.command == "POST" else None)
            response = upstream.getresponse()
        except OSError as error:
            return send_body(self, 502, json.dumps({"errors": [{"code": "UNAVAILABLE", "message": str(error)}]}).encode())
        self.relay(response, route, name)
        upstream.close()

    def relay(self, response, route, name):
        self.send_response(response.status)
        length = response.getheader("Content-Length")
        data = None
        if length is None and self.command != "HEAD":
            data = response.read()
            length = str(len(data))
        for key, value in response.getheaders():
            lower = key.lower()
            if lower in ("transfer-encoding", "connection", "content-length", "date", "server"):
                continue
            if lower == "www-authenticate" and route.get("token"):
                value = value.replace(f'realm="{route["token"]}"', f'realm="https://{name}{route["token_path"]}"')
            self.send_header(key, value)
        if length is not None:
            self.send_header("Content-Length", length)
        self.end_headers()
        if self.command == "HEAD":
            return
        if data is not None:
            self.wfile.write(data)
            return
        while chunk := response.read(1 << 16):
            self.wfile.write(chunk)


class Stats(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        with lock:
            send_body(self, 200, json.dumps(stats).encode())


context = make_certificate()
listener, address = bind_free_address()
with open("/etc/hosts") as f:
    hosts = f.read()
with open(os.path.join(DIR, "hosts"), "w") as f:
    f.write(hosts.rstrip("\n") + "\n# the cloud-named test registries (cloud-registry-front.py)\n")
    for name in ROUTES:
        f.write(f"{address} {name}\n")
os.chmod(os.path.join(DIR, "hosts"), 0o644)
with open(os.path.join(DIR, "address"), "w") as f:
    f.write(address + "\n")

server = ThreadingHTTPServer((address, 443), Front, bind_and_activate=False)
server.socket.close()
server.socket = listener
server.server_activate()
# The handshake happens in each request's thread, so that a client that never sends one blocks no other.
server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
threading.Thread(target=server.serve_forever, daemon=True).start()
ThreadingHTTPServer(("127.0.0.1", STATS_PORT), Stats).serve_forever()
