"""A requests transport adapter that serves calls with the embedded simulator, in-process.

Mounted on a pseudo host (SIMULATOR_HOST), it turns a PreparedRequest into a WSGI environ, calls
`batchui.simulator.wsgi.application` and turns the answer into a `requests.Response`, so the client
takes the same HTTP code path as against a real host (headers, status codes, bodies).

What a real connection does and this one imitates:
- The server's `Date` header.
- `DropConnection` raised by the simulator becomes `requests.ConnectionError`.
- Timeouts: the call runs to completion in the calling thread (it cannot be interrupted), and a
  call that took longer than the read timeout raises `requests.ReadTimeout` afterwards. So a
  timed-out call has always been handled by the simulator, which is the worst case a client must
  handle anyway (a real read timeout may or may not have been processed). The connect timeout
  never applies.
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from email.utils import formatdate
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers

SIMULATOR_HOST = "http://simulator.invalid"

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def build_environ(request: requests.PreparedRequest) -> dict[str, Any]:
    parts = urlsplit(request.url or "")
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": (request.method or "GET").upper(),
        "SCRIPT_NAME": "",
        # PEP 3333: the decoded path as latin-1 text (Django re-encodes it and decodes UTF-8).
        "PATH_INFO": unquote_to_bytes(parts.path or "/").decode("latin-1"),
        "QUERY_STRING": parts.query,
        "SERVER_NAME": parts.hostname or "simulator.invalid",
        "SERVER_PORT": str(port),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": parts.scheme or "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)),
    }
    for name, value in request.headers.items():
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = value
        elif key != "CONTENT_LENGTH":
            environ[f"HTTP_{key}"] = value
    environ.setdefault("HTTP_HOST", parts.netloc)
    return environ


def _call_app(
    app: WsgiApp, environ: dict[str, Any]
) -> tuple[int, str, list[tuple[str, str]], bytes]:
    started: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        started["status"], started["headers"] = status, headers

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    code, _, reason = started["status"].partition(" ")  # PEP 3333: "200 OK"
    return int(code), reason, started["headers"], body


@contextmanager
def _thread_connections() -> Iterator[None]:
    """Closes the Django DB connections a call opened in a thread that had none before it.

    The iter_batches pool calls the simulator from worker threads; without this, each worker thread
    would keep a database connection open after the pool is gone.
    """
    from django.db import connections

    fresh = [conn for conn in connections.all(initialized_only=False) if conn.connection is None]
    try:
        yield
    finally:
        for conn in fresh:
            if conn.connection is not None and not conn.in_atomic_block:
                conn.close()


class SimulatorAdapter(BaseAdapter):
    """Serves requests with a WSGI app (default: the simulator) in the calling thread."""

    def __init__(self, app: WsgiApp | None = None) -> None:
        super().__init__()
        self.app = app

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        from batchui.simulator.faults import DropConnection

        if self.app is None:  # imported on first use: the simulator needs Django set up
            from batchui.simulator.wsgi import application

            self.app = application
        environ = build_environ(request)
        started = time.monotonic()
        with _thread_connections():
            try:
                status, reason, headers, body = _call_app(self.app, environ)
            except DropConnection as exc:
                raise requests.ConnectionError(
                    "Connection aborted: the simulator dropped the connection.", request=request
                ) from exc
        read_timeout = timeout[1] if isinstance(timeout, tuple) else timeout
        elapsed = time.monotonic() - started
        if read_timeout is not None and elapsed > read_timeout:
            raise requests.ReadTimeout(
                f"Read timed out: the simulator took {elapsed:.2f} s "
                f"(read timeout {read_timeout} s).",
                request=request,
            )
        response = requests.Response()
        response.status_code = status
        response.reason = reason
        response.headers = CaseInsensitiveDict(headers)
        # An HTTP server adds the Date header (RFC 9110); the client reads the API's clock from it.
        response.headers.setdefault("Date", formatdate(usegmt=True))
        response.raw = io.BytesIO(body)
        response.url = request.url or ""
        response.request = request
        response.encoding = get_encoding_from_headers(response.headers)
        response.connection = self
        return response

    def close(self) -> None:
        pass
