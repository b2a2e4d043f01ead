"""A hostile cloud token endpoint and metadata server, for the attacks of CloudAttackProcessTests. It listens on
127.0.0.1 and 127.0.0.2 at one port (port 0 picks a free one) and prints `PORT` on stdout once it listens.

The first path segment chooses the misbehaviour; whatever follows is ignored, so one base URL serves as a Google
token_uri, an Azure authority (`/MODE/<tenant>/oauth2/v2.0/token`), an ECR endpoint (a POST with X-Amz-Target
gets ECR's answer shape), and a Google metadata server (GCE_METADATA_HOST=127.0.0.1:PORT, see below):
- echo: 400 with the request's body and credential headers echoed in the OAuth2 `error_description`, AWS's
  `message` and Google's `error.message`, as a careless or malicious server would;
- huge: 200 with a 64 MiB JSON body;
- slow: answers after 20 s;
- html: 200 with `text/html`;
- redirect: 307 to the same path under /echo on 127.0.0.2 (another origin);
- expires-huge, expires-max, expires-far, expires-negative: a token whose lifetime is 1e300 s, 2^63-1 s, ten
  years and -100 s;
- control: a token holding an escape sequence, CR and LF.
GET /computeMetadata/v1/... (a Google metadata request) answers as the mode in the `OSSB_HOSTILE_METADATA`
environment variable of this server (default `slow`). GET /log lists what reached 127.0.0.2 (path, headers, body),
so a test can see that no credential followed a redirect.
Usage: hostile-cloud.py [PORT]"""
import base64
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from testbed_http import send_body

# A test runner starting this server may be running other children at once: descriptors inherited from it (their
# pipes) would keep those pipes open, and their readers waiting for an end of file, as long as this server lives.
os.closerange(3, 65536)
# The runner may start it with signals blocked; the test stops it with SIGTERM.
signal.pthread_sigmask(signal.SIG_SETMASK, [])
signal.signal(signal.SIGTERM, signal.SIG_DFL)

SECOND_HOST = "127.0.0.2"
log = []
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body, content_type="application/json", extra=None):
        send_body(self, status, body.encode() if isinstance(body, str) else body, content_type, extra)

    def token(self, lifetime, token="hostile-token"):
        if self.headers.get("X-Amz-Target"):
            expires = time.time() + lifetime if isinstance(lifetime, int) and abs(lifetime) < 10**12 else lifetime
            encoded = base64.b64encode(f"AWS:{token}".encode()).decode()
            data = {"authorizationToken": encoded, "expiresAt": expires}
            return self.answer(200, json.dumps({"authorizationData": [data]}), "application/x-amz-json-1.1")
        # Azure's registry exchange answers refresh_token; the others access_token.
        return self.answer(
            200, json.dumps({"access_token": token, "refresh_token": token, "expires_in": lifetime,
                             "token_type": "Bearer"}))

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace")
        if self.server.server_address[0] == SECOND_HOST or self.headers.get("Host", "").startswith(SECOND_HOST):
            with lock:
                log.append({"path": self.path, "headers": dict(self.headers), "body": body})
        if self.path == "/log":
            with lock:
                return self.answer(200, json.dumps(log))
        if self.path.startswith("/computeMetadata/"):
            mode = os.environ.get("OSSB_HOSTILE_METADATA", "slow")
        else:
            mode = self.path.split("/")[1]
        if mode == "echo":
            echoed = " ".join([body] + [f"{name}: {value}" for name, value in self.headers.items()])
            return self.answer(400, json.dumps({
                "error": "invalid_request", "error_description": f"bad request: {echoed}",
                "message": f"bad request: {echoed}", "__type": "InvalidRequest"}))
        if mode == "huge":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(64 << 20))
            self.end_headers()
            chunk = b" " * (1 << 20)
            try:
                for _ in range(64):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if mode == "slow":
            time.sleep(20)
            return self.token(3600)
        if mode == "html":
            return self.answer(200, "<html><body>Sign in</body></html>", "text/html")
        if mode == "redirect":
            port = self.server.server_address[1]
            rest = self.path.split("/", 2)[2] if self.path.count("/") >= 2 else ""
            return self.answer(307, "", extra={"Location": f"http://{SECOND_HOST}:{port}/echo/{rest}"})
        if mode == "expires-huge":
            return self.token(1e300)
        if mode == "expires-max":
            return self.token(2**63 - 1)
        if mode == "expires-far":
            return self.token(10 * 365 * 24 * 3600)
        if mode == "expires-negative":
            return self.token(-100)
        if mode == "control":
            return self.token(3600, "hostile\u001b]0;pwned\u0007\r\nX-Injected: 1")
        return self.answer(404, json.dumps({"error": "not_found"}))

    do_GET = handle_any
    do_POST = handle_any
    do_PUT = handle_any


first = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0), Handler)
port = first.server_address[1]
second = ThreadingHTTPServer((SECOND_HOST, port), Handler)
threading.Thread(target=second.serve_forever, daemon=True).start()
print(port, flush=True)
first.serve_forever()
