#!/usr/bin/env python3
"""A fault-injecting HTTP proxy in front of a real registry, for retry and resume tests.

Usage: fault-proxy.py PORT UPSTREAM_HOST:PORT
Rules are added with `PUT /__faults` (a JSON list, appended to the rules already set, so tests running at once
each add their own, matched by their own repository names); each rule:
  {"match": "substring of the path", "method": "GET" (optional), "count": N,
   "status": 503, "retry_after": "1"}            -> answer N matching requests with that status
  {"match": "...", "count": N, "truncate_after": BYTES}  -> forward, but cut the body off after BYTES
  {"match": "...", "count": N, "ignore_range": true}     -> forward without the Range header (answers 200)
  {"match": "...", "count": N, "forward_then_status": 503} -> forward, then answer 503 anyway (a lost response)
  {"match": "...", "count": N, "stall_after": BYTES, "stall_seconds": S} -> send BYTES of the body, then
                                                           nothing for S seconds (default 30), then the rest
`GET /__stats` returns {"requests": [[method, path, status], ...]}. Location headers naming the upstream are
rewritten to the proxy, so uploads keep going through it. Listens on 127.0.0.1 only.
"""
import http.client, json, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, UPSTREAM = int(sys.argv[1]), sys.argv[2]
lock = threading.Lock()
rules, log = [], []


def take_rule(method, path):
    with lock:
        for rule in rules:
            if rule.get("count", 0) > 0 and rule["match"] in path and rule.get("method", method) == method:
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
        rule = take_rule(self.command, self.path)
        if rule and "forward_then_status" in rule:
            conn = http.client.HTTPConnection(UPSTREAM, timeout=60)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection", "transfer-encoding")}
            headers["Host"], headers["Content-Length"] = UPSTREAM, str(len(data))
            conn.request(self.command, self.path, body=data, headers=headers)
            conn.getresponse().read()
            rule["status"] = rule["forward_then_status"]
        if rule and "status" in rule:
            with lock:
                log.append([self.command, self.path, rule["status"]])
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
            log.append([self.command, self.path, resp.status])
        out = []
        for k, v in resp.getheaders():
            if k.lower() in ("connection", "transfer-encoding", "content-length"):
                continue
            if k.lower() == "location":
                v = v.replace(f"http://{UPSTREAM}", f"http://127.0.0.1:{PORT}")
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

    do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = handle_any


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", PORT), Proxy).serve_forever()
