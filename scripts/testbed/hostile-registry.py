#!/usr/bin/env python3
"""A registry and token server that lie, for the tests of what the client refuses to believe.

Listens on 127.0.0.1:PORT (the registry, no authentication unless the repository says so) and 127.0.0.2:PORT
(a login target: /v2/ asks for Basic credentials and answers them with a hostile error). It serves one small
image (a config and a layer) and misbehaves by repository name:

  tag-entry        an index whose entry "digest" is the tag "mutable" (which serves the image manifest)
  other-algorithm  an index whose entry is a sha512 digest
  entry-size       an index whose entry has the right digest and the wrong size
  wrong-bytes      an index whose entry's digest is served with other bytes
  wrong-header     the manifest, under a Docker-Content-Digest that is not its digest
  layer-tag        a manifest whose layer "digest" is the word "mutable"
  long-blob        a manifest whose layer descriptor is one byte shorter than the layer served
  short-blob       a manifest whose layer descriptor is one byte longer than the layer served
  good             the image, honestly
  ansi-error       every manifest is a 404 whose message carries terminal escapes and a forged
                   "Login Succeeded" line
  ansi-tags        tags/list answers valid tags and tags carrying terminal escapes
  ansi-platform    an index whose platform strings and media type carry terminal escapes
  token-crlf       asks for a Bearer token; the token server answers a token holding CR LF and a header
  token-echo       asks for a Bearer token; with it, every manifest is a 403 echoing the Authorization header
  wrong-big        a manifest whose 3 MiB layer is served with its last byte changed (same length), for copy:
                   the bytes stream into the destination before the difference shows
  huge-wrong       a manifest whose 18 MiB layer is served with its last byte changed (same length): a layer
                   large enough to be hashed on its own thread while it downloads
  huge-short       a manifest whose 18 MiB layer descriptor is one byte longer than the layer served
  huge-long        a manifest whose 18 MiB layer descriptor is one byte shorter than the layer served
  push-sink        accepts any upload and records its bytes (GET /__uploads lists the sha256 and length of each)

GET /__injected answers the header lines a CR LF token smuggled into a request ("[]" when none did).
"""
import base64, hashlib, json, os, sys, threading, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testbed_http import read_request_body, send_body  # noqa: E402

PORT = int(sys.argv[1])
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
ESCAPES = "\x1b[2J\x1b]0;owned\x07\x1b[1A\x1b[2K\x9b31m"
FORGED = "\rLogin Succeeded\n"
CRLF_TOKEN = "abc\r\nX-Injected: yes"
ECHO_TOKEN = "echo-token-0123456789abcdef"


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), sort_keys=True).encode()


CONFIG = dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []}})
LAYER = b"hostile layer content " * 50
BLOBS = {sha256(CONFIG): CONFIG, sha256(LAYER): LAYER}
BIG = bytes(range(256)) * (3 * 4096)
TAMPERED_BIG = BIG[:-1] + bytes([BIG[-1] ^ 1])
HUGE = BIG * 6
HUGE_DIGEST = sha256(HUGE)


def manifest_of_layer(digest, size):
    return dumps({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": sha256(CONFIG), "size": len(CONFIG)},
        "layers": [{"mediaType": OCI_LAYER, "digest": digest, "size": size}],
    })


def manifest(layer_size=len(LAYER)):
    return manifest_of_layer(sha256(LAYER), layer_size)


IMAGE = manifest()
TAMPERED = IMAGE.replace(b'"schemaVersion":2', b'"schemaVersion":3')  # as long as IMAGE: only the digest tells


def index(digest, size=len(IMAGE)):
    return dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [{
        "mediaType": OCI_MANIFEST, "digest": digest, "size": size,
        "platform": {"architecture": "amd64", "os": "linux"}}]})


# repository -> {manifest reference: (bytes, media type, Docker-Content-Digest or None for the true one)}
MANIFESTS = {
    "good": {"latest": (IMAGE, OCI_MANIFEST, None)},
    "tag-entry": {"latest": (index("mutable"), OCI_INDEX, None), "mutable": (IMAGE, OCI_MANIFEST, None)},
    "other-algorithm": {"latest": (index("sha512:" + hashlib.sha512(IMAGE).hexdigest()), OCI_INDEX, None)},
    "entry-size": {"latest": (index(sha256(IMAGE), len(IMAGE) + 7), OCI_INDEX, None), sha256(IMAGE): (IMAGE, OCI_MANIFEST, None)},
    "wrong-bytes": {"latest": (index(sha256(IMAGE)), OCI_INDEX, None), sha256(IMAGE): (TAMPERED, OCI_MANIFEST, None)},
    "wrong-header": {"latest": (IMAGE, OCI_MANIFEST, sha256(TAMPERED))},
    "long-blob": {"latest": (manifest(len(LAYER) - 1), OCI_MANIFEST, None)},
    "layer-tag": {"latest": (IMAGE.replace(sha256(LAYER).encode(), b"mutable"), OCI_MANIFEST, None)},
    "short-blob": {"latest": (manifest(len(LAYER) + 1), OCI_MANIFEST, None)},
    "wrong-big": {"latest": (IMAGE.replace(sha256(LAYER).encode(), sha256(BIG).encode()).replace(
        b'"size":%d}' % len(LAYER), b'"size":%d}' % len(BIG)), OCI_MANIFEST, None)},
    "token-crlf": {"latest": (IMAGE, OCI_MANIFEST, None)},
    "huge-wrong": {"latest": (manifest_of_layer(HUGE_DIGEST, len(HUGE)), OCI_MANIFEST, None)},
    "huge-short": {"latest": (manifest_of_layer(HUGE_DIGEST, len(HUGE) + 1), OCI_MANIFEST, None)},
    "huge-long": {"latest": (manifest_of_layer(HUGE_DIGEST, len(HUGE) - 1), OCI_MANIFEST, None)},
    "ansi-platform": {"latest": (dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [{
        "mediaType": OCI_MANIFEST + "\x1b]0;owned\x07", "digest": sha256(IMAGE), "size": len(IMAGE),
        "platform": {"architecture": "amd64\x1b[2J", "os": "linux\rLogin Succeeded"}}]}), OCI_INDEX, None)},
}
for repo in list(MANIFESTS):
    for ref, (body, media, _) in list(MANIFESTS[repo].items()):
        if ref != "mutable" and not ref.startswith("sha256:"):
            MANIFESTS[repo].setdefault(sha256(body), (body, media, None))

INJECTED = []
UPLOADS = []
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, code, body=b"", content_type="application/json", extra=None):
        send_body(self, code, body, content_type, extra)

    def error(self, code, error_code, message, extra=None):
        self.send(code, json.dumps({"errors": [{"code": error_code, "message": message}]}).encode(), extra=extra)

    def handle_any(self):
        url = urlparse(self.path)
        body, _ = read_request_body(self)
        if self.headers.get("X-Injected"):
            with LOCK:
                INJECTED.append("X-Injected: " + self.headers["X-Injected"])
        if self.server.server_address[0] == "127.0.0.2":
            return self.login_target(url)
        if url.path == "/__injected":
            return self.send(200, json.dumps(INJECTED).encode())
        if url.path == "/__uploads":
            return self.send(200, json.dumps(UPLOADS).encode())
        if url.path == "/token":
            return self.token(url)
        if url.path == "/v2/":
            return self.send(200, b"{}")
        parts = url.path.split("/")
        if len(parts) < 4 or parts[1] != "v2":
            return self.error(404, "NOT_FOUND", "no such endpoint")
        repo, kind, rest = parts[2], parts[3], "/".join(parts[4:])
        if repo.startswith("token-") and not self.authorized(repo):
            realm = "http://127.0.0.1:%d/token" % PORT
            return self.error(401, "UNAUTHORIZED", "authentication required", extra={
                "WWW-Authenticate": 'Bearer realm="%s",service="hostile",scope="repository:%s:pull"' % (realm, repo)})
        if repo == "token-echo":
            sent = self.headers.get("Authorization", "")
            return self.error(403, "DENIED", "you sent %s which is not allowed" % sent)
        if repo == "ansi-error":
            return self.error(404, "MANIFEST_UNKNOWN", ESCAPES + "manifest unknown" + FORGED)
        if repo == "push-sink":
            return self.sink(kind, rest, url, body)
        if kind == "tags" and repo == "ansi-tags":
            return self.send(200, json.dumps({"name": repo, "tags": ["v1", "evil\x1b]0;owned\x07", "-dash", "v2\x1b[2J"]}).encode())
        if kind == "manifests":
            entry = MANIFESTS.get(repo, {}).get(rest)
            if entry is None:
                return self.error(404, "MANIFEST_UNKNOWN", "manifest unknown")
            data, media, header = entry
            return self.send(200, data, media, {"Docker-Content-Digest": header or sha256(data)})
        if kind == "blobs" and repo == "wrong-big" and rest == sha256(BIG):
            return self.send(200, TAMPERED_BIG, "application/octet-stream", {"Docker-Content-Digest": rest})
        if kind == "blobs" and repo.startswith("huge-") and rest == HUGE_DIGEST:
            body = HUGE[:-1] + bytes([HUGE[-1] ^ 1]) if repo == "huge-wrong" else HUGE
            return self.send(200, body, "application/octet-stream", {"Docker-Content-Digest": rest})
        if kind == "blobs" and rest in BLOBS:
            return self.send(200, BLOBS[rest], "application/octet-stream", {"Docker-Content-Digest": rest})
        return self.error(404, "BLOB_UNKNOWN", "unknown")

    def authorized(self, repo):
        token = ECHO_TOKEN if repo == "token-echo" else "abc"
        return self.headers.get("Authorization", "") == "Bearer " + token

    def token(self, url):
        token = CRLF_TOKEN if "token-crlf" in url.query else ECHO_TOKEN
        self.send(200, json.dumps({"token": token, "expires_in": 300}).encode())

    def login_target(self, url):
        sent = self.headers.get("Authorization")
        if sent is None:
            return self.error(401, "UNAUTHORIZED", "authentication required", extra={"WWW-Authenticate": 'Basic realm="hostile"'})
        password = ""
        if sent.startswith("Basic "):
            password = base64.b64decode(sent[6:]).decode(errors="replace").split(":", 1)[-1]
        self.error(403, "DENIED", "denied for %s (password %s)%s%s" % (sent, password, ESCAPES, FORGED))

    def sink(self, kind, rest, url, body):
        if kind == "blobs" and self.command == "HEAD":
            return self.error(404, "BLOB_UNKNOWN", "unknown")
        if kind == "blobs" and rest == "uploads/" and self.command == "POST":
            return self.send(202, extra={"Location": "/v2/push-sink/blobs/uploads/%s" % uuid.uuid4().hex, "Range": "0-0"})
        if kind == "blobs" and rest.startswith("uploads/") and self.command in ("PATCH", "PUT"):
            with LOCK:
                if body:
                    UPLOADS.append({"sha256": hashlib.sha256(body).hexdigest(), "length": len(body)})
            if self.command == "PATCH":
                return self.send(202, extra={"Location": url.path, "Range": "0-%d" % max(0, len(body) - 1)})
            return self.send(201, extra={"Location": "/v2/push-sink/blobs/" + (url.query.split("digest=")[-1])})
        if kind == "manifests" and self.command == "PUT":
            return self.send(201, extra={"Docker-Content-Digest": sha256(body)})
        return self.error(404, "NOT_FOUND", "unknown")

    do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = handle_any


def serve(host):
    ThreadingHTTPServer((host, PORT), Handler).serve_forever()


threading.Thread(target=serve, args=("127.0.0.2",), daemon=True).start()
serve("127.0.0.1")
