#!/usr/bin/env python3
"""A fault-injecting HTTP proxy in front of a real registry, for retry and resume tests.

Usage: fault-proxy.py PORT UPSTREAM_HOST:PORT
Rules are added with `PUT /__faults` (a JSON list, appended to the rules already set, so tests running at once
each add their own, matched by their own repository names); a rule with "skip": N lets its first N matching
requests through untouched; each rule:
  {"match": "substring of the path", "method": "GET" (optional), "count": N,
   "status": 503, "retry_after": "1"}            -> answer N matching requests with that status
  {"match": "...", "count": N, "truncate_after": BYTES}  -> forward, but cut the body off after BYTES
  {"match": "...", "count": N, "ignore_range": true}     -> forward without the Range header (answers 200)
  {"match": "...", "count": N, "forward_then_status": 503} -> forward, then answer 503 anyway (a lost response)
  {"match": "...", "count": N, "delay_seconds": S} -> wait S seconds, then forward (a slow request in flight)
  {"match": "...", "count": N, "stall_after": BYTES, "stall_seconds": S} -> forward, but pause the body S
      seconds (default 30)
      after BYTES (a transfer in progress, for interrupting it)
  {"match": "...", "method": "PATCH", "count": N, "cut_body_after": BYTES} -> forward only the first BYTES (0: none) of the
      chunk (as a shorter PATCH the registry accepts), then drop the client's connection without an answer: the
      registry holds a partial chunk the client does not know about
`GET /__stats` returns {"requests": [[method, path, status, content_range], ...]} (status 0: cut; content_range is the request's
Content-Range header as the client sent it, "" when absent). Location headers naming the upstream are
rewritten to the proxy, so uploads keep going through it. Listens on 127.0.0.1 only.

docker-registry signs each upload's offset into the `_state` query of the upload URL it hands out, so the URL the
client holds goes stale when the answer carrying the next one is lost (the registry then answers 404
BLOB_UPLOAD_INVALID and a client can only start over). Registries that follow the OCI spec keep one URL per
upload session. For an upload it cut, the proxy plays such a registry: it swaps a stale `_state` for the latest
one the registry handed out, so the client's status request learns the registry's real offset.
"""
import http.client, json, sys, threading, time
from urllib.parse import parse_qsl, urlencode, urlsplit
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, UPSTREAM = int(sys.argv[1]), sys.argv[2]
lock = threading.Lock()
rules, log = [], []
latest_state = {}  # upload path -> the newest `_state` the registry gave, for uploads the proxy cut


def upload_key(path):
    parts = urlsplit(path)
    return parts.path if "/blobs/uploads/" in parts.path and not parts.path.endswith("/uploads/") else None


def with_latest_state(path):
    """The path with the newest `_state` of an upload the proxy cut (see the module comment)."""
    key = upload_key(path)
    with lock:
        state = latest_state.get(key)
    if state is None:
        return path
    query = [(k, state if k == "_state" else v) for k, v in parse_qsl(urlsplit(path).query)]
    return key + "?" + urlencode(query)


def remember_state(location, cut=False):
    """Records the `_state` of an upload URL the registry handed out, for uploads the proxy cut."""
    parts = urlsplit(location)
    key = upload_key(parts.path)
    state = dict(parse_qsl(parts.query)).get("_state")
    with lock:
        if key and state and (cut or key in latest_state):
            latest_state[key] = state


def take_rule(method, path):
    with lock:
        for rule in rules:
            if rule.get("count", 0) > 0 and rule["match"] in path and rule.get("method", method) == method:
                if rule.get("skip", 0) > 0:
                    rule["skip"] -= 1
                    continue
                rule["count"] -= 1
                return dict(rule)
    return None


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(length) if length else b""

    def reply(self, status, headers, data):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        data = self.body()
        if self.path == "/__faults" and self.command == "PUT":
            with lock:
                rules.extend(json.loads(data or b"[]"))
            return self.reply(204, [], b"")
        if self.path == "/__stats":
            with lock:
                payload = json.dumps({"requests": log}).encode()
            return self.reply(200, [("Content-Type", "application/json")], payload)
        content_range = self.headers.get("Content-Range", "")
        self.path = with_latest_state(self.path)
        rule = take_rule(self.command, self.path)
        if rule and "delay_seconds" in rule:
            time.sleep(rule["delay_seconds"])
        if rule and "cut_body_after" in rule:
            return self.cut(data, rule["cut_body_after"], content_range)
        if rule and "forward_then_status" in rule:
            conn = http.client.HTTPConnection(UPSTREAM, timeout=60)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection", "transfer-encoding")}
            headers["Host"], headers["Content-Length"] = UPSTREAM, str(len(data))
            conn.request(self.command, self.path, body=data, headers=headers)
            conn.getresponse().read()
            rule["status"] = rule["forward_then_status"]
        if rule and "status" in rule:
            with lock:
                log.append([self.command, self.path, rule["status"], content_range])
            headers = [("Retry-After", rule["retry_after"])] if "retry_after" in rule else []
            return self.reply(rule["status"], headers + [("Content-Type", "application/json")],
                              b'{"errors":[{"code":"UNAVAILABLE","message":"injected fault"}]}')
        conn = http.client.HTTPConnection(UPSTREAM, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection", "transfer-encoding")}
        if rule and rule.get("ignore_range"):
            headers.pop("Range", None)
        headers["Host"] = UPSTREAM
        if data or self.command in ("PUT", "POST", "PATCH"):
            headers["Content-Length"] = str(len(data))
        conn.request(self.command, self.path, body=data or None, headers=headers)
        resp = conn.getresponse()
        with lock:
            log.append([self.command, self.path, resp.status, content_range])
        out = []
        for k, v in resp.getheaders():
            if k.lower() in ("connection", "transfer-encoding", "content-length"):
                continue
            if k.lower() == "location":
                v = v.replace(f"http://{UPSTREAM}", f"http://127.0.0.1:{PORT}")
                remember_state(v)
            out.append((k, v))
        payload = resp.read() if self.command != "HEAD" else b""
        length = resp.getheader("Content-Length")
        self.send_response(resp.status)
        for k, v in out:
            self.send_header(k, v)
        if self.command == "HEAD":
            if length:
                self.send_header("Content-Length", length)
            self.end_headers()
            return
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if rule and "truncate_after" in rule:
            self.wfile.write(payload[: rule["truncate_after"]])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if rule and "stall_after" in rule:
            # A download in progress that stays in progress: the client holds a partial file meanwhile.
            self.wfile.write(payload[: rule["stall_after"]])
            self.wfile.flush()
            time.sleep(rule.get("stall_seconds", 30))
            payload = payload[rule["stall_after"]:]
        try:
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def cut(self, data, keep, content_range):
        """Forwards the first `keep` bytes of a PATCH chunk, then drops the client's connection unanswered."""
        start = int(content_range.split("-")[0]) if content_range else 0
        if keep > 0:
            self.forward_part(data[:keep], start)
        with lock:
            log.append([self.command, self.path, 0, content_range])
        self.close_connection = True
        self.connection.shutdown(2)

    def forward_part(self, part, start):
        keep = len(part)
        conn = http.client.HTTPConnection(UPSTREAM, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection", "transfer-encoding")}
        headers["Host"], headers["Content-Length"] = UPSTREAM, str(keep)
        headers["Content-Range"] = f"{start}-{start + keep - 1}"
        conn.request(self.command, self.path, body=part, headers=headers)
        resp = conn.getresponse()
        resp.read()
        remember_state(resp.getheader("Location", ""), cut=True)

    do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = handle_any


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", PORT), Proxy).serve_forever()
