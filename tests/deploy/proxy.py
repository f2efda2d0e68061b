"""A tiny reverse proxy for tests: serves `prefix` and forwards to an app server without it.

What an intranet proxy with `location /batches-desk/ { proxy_pass http://app/; }` does: the
browser sees /batches-desk/..., the application receives the path with the prefix stripped.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}


@contextmanager
def stripping_proxy(*, upstream: str, prefix: str) -> Iterator[str]:
    """Yields the proxy's base URL (without the prefix)."""
    session = requests.Session()

    class Handler(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            if not (self.path == prefix or self.path.startswith(prefix + "/")):
                self.send_error(404, "outside the proxied prefix")
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            headers["X-Forwarded-Host"] = self.headers.get("Host", "")
            answer = session.request(
                self.command,
                upstream + (self.path[len(prefix) :] or "/"),
                headers=headers,
                data=body,
                allow_redirects=False,
                timeout=20,
            )
            content = answer.content
            self.send_response(answer.status_code)
            for name, value in answer.raw.headers.items():
                if name.lower() not in HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = _forward  # noqa: N815

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        session.close()
