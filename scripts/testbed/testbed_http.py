"""Helpers shared by the project's Python test servers."""


def read_request_body(handler):
    """The request body of a BaseHTTPRequestHandler, Content-Length or chunked (skopeo sends chunked POSTs).

    Returns (body bytes, whether it was chunked)."""
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        data = b""
        while True:
            size = int(handler.rfile.readline().strip().split(b";")[0], 16)
            if size == 0:
                handler.rfile.readline()
                return data, True
            data += handler.rfile.read(size)
            handler.rfile.readline()
    return handler.rfile.read(int(handler.headers.get("Content-Length", "0"))), False


def send_body(handler, code, body, content_type="application/json", extra=None):
    """Sends a complete response with Content-Length (no body to a HEAD), extra headers from a dict."""
    handler.send_response(code)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for k, v in (extra or {}).items():
        handler.send_header(k, v)
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)
