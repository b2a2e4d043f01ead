#!/usr/bin/env python3
"""A small HTTP server for the transport tests: echoes requests, redirects, streams bytes.

Listens on 127.0.0.1:PORT and 127.0.0.2:PORT (two origins on one machine: 127.0.0.2 is another host than
127.0.0.1 for the credential boundary). Endpoints:
  GET  /echo                    -> JSON {"method","path","headers":{lower-name: value},"peer":"ip:port"}
  ANY  /redirect?to=URL&status=N -> N (default 302) with Location: URL
  GET  /bytes?n=N               -> N bytes (byte i = i % 251), Content-Length set
  GET  /gzip                    -> a gzip body with Content-Encoding: gzip (must arrive undecoded)
  PUT/POST/PATCH /upload        -> JSON {"length","sha256","chunked"} of the request body
  GET  /basic/...               -> 401 with WWW-Authenticate: Basic unless an Authorization header is sent,
                                   then 307 to /echo on the *other* address (127.0.0.2), or the same
                                   address with ?same=1
  GET  /status?code=N           -> N with a registry-style JSON error body
  GET  /metadata/identity/oauth2/token -> 403 in plain text, as a proxy denying Azure's metadata address answers
  GET  /loop?id=ID&n=N          -> 302 to /loop?id=ID&n=N+1, forever (a redirect loop); counts requests per ID
  GET  /hits?id=ID              -> JSON {"hits": N}: how many /loop requests ID made
  GET  /bearer?realm=URL        -> 401 with WWW-Authenticate: Bearer realm="URL",service="ossb-test" unless a
                                   Bearer Authorization header is sent, then /echo's answer (a registry whose
                                   token realm the test chooses)
"""
import gzip, hashlib, json, os, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testbed_http import read_request_body, send_body  # noqa: E402
from urllib.parse import urlparse, parse_qs

PORT = int(sys.argv[1])
hits_lock = threading.Lock()
hits = {}  # loop ID -> requests


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_json(self, code, obj, extra=None):
        send_body(self, code, json.dumps(obj).encode(), extra=extra)

    def handle_any(self):
        url = urlparse(self.path)
        q = parse_qs(url.query)
        body, chunked = read_request_body(self)
        host = self.server.server_address[0]
        if url.path == "/echo" or (url.path == "/bearer" and self.headers.get("Authorization", "").startswith("Bearer ")):
            self.send_json(200, {"method": self.command, "path": self.path,
                                 "headers": {k.lower(): v for k, v in self.headers.items()},
                                 "peer": "%s:%d" % self.client_address, "host": host, "body_length": len(body)})
        elif url.path == "/redirect":
            self.send_response(int(q.get("status", ["302"])[0]))
            self.send_header("Location", q["to"][0])
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif url.path == "/bytes":
            n = int(q["n"][0])
            self.send_response(200)
            self.send_header("Content-Length", str(n))
            self.end_headers()
            block = bytes(i % 251 for i in range(251 * 1024))
            sent = 0
            while sent < n:
                chunk = block[: min(len(block), n - sent)]
                self.wfile.write(chunk)
                sent += len(chunk)
        elif url.path == "/gzip":
            data = gzip.compress(b"hello, registry\n" * 100)
            self.send_response(200)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        elif url.path == "/upload":
            self.send_json(200, {"length": len(body), "sha256": hashlib.sha256(body).hexdigest(), "chunked": chunked,
                                 "method": self.command})
        elif url.path.startswith("/basic/"):
            if "Authorization" not in self.headers:
                self.send_json(401, {"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]},
                               {"WWW-Authenticate": 'Basic realm="ossb-redirect-test"'})
                return
            other = "127.0.0.1" if "same" in q else ("127.0.0.2" if host == "127.0.0.1" else "127.0.0.1")
            self.send_response(307)
            self.send_header("Location", "http://%s:%d/echo" % (other, PORT))
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif url.path == "/loop":
            loop_id, n = q["id"][0], int(q.get("n", ["0"])[0])
            with hits_lock:
                hits[loop_id] = hits.get(loop_id, 0) + 1
            self.send_response(302)
            self.send_header("Location", "/loop?id=%s&n=%d" % (loop_id, n + 1))
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif url.path == "/hits":
            with hits_lock:
                count = hits.get(q["id"][0], 0)
            self.send_json(200, {"hits": count})
        elif url.path == "/bearer":
            challenge = 'Bearer realm="%s",service="ossb-test"' % q["realm"][0]
            self.send_json(401, {"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]},
                           {"WWW-Authenticate": challenge})
        elif url.path == "/metadata/identity/oauth2/token":
            send_body(self, 403, b"resolve_deny: denied destination", "text/plain")
        elif url.path == "/status":
            code = int(q["code"][0])
            self.send_json(code, {"errors": [{"code": q.get("error", ["UNKNOWN"])[0], "message": "test error"}]})
        else:
            self.send_json(404, {"errors": [{"code": "NOT_FOUND", "message": "no such test endpoint"}]})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any


servers = [ThreadingHTTPServer((addr, PORT), Handler) for addr in ("127.0.0.1", "127.0.0.2")]
for s in servers[1:]:
    threading.Thread(target=s.serve_forever, daemon=True).start()
servers[0].serve_forever()
