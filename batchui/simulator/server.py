"""A threaded HTTP server for the simulator (what `runsimulator` runs; tests reuse it on port 0).

wsgiref's server with one thread per connection. Each request opens and closes its database
connection like Django's own handler does, is logged on one line (method, path, status, time;
never a header, so never the key), and a DropConnection raised by the app closes the socket
without a byte written, which a client sees as a dropped connection.
"""

from __future__ import annotations

import logging
import socket
import socketserver
import sys
import threading
import time
from collections.abc import Callable, Iterable
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from django.db import close_old_connections

from batchui.simulator.faults import DropConnection
from batchui.simulator.wsgi import application

logger = logging.getLogger("batchui.simulator.server")

WSGIApp = Callable[..., Iterable[bytes]]


def served(app: WSGIApp = application) -> WSGIApp:
    """`app` with per-request database connection hygiene and a one-line access log."""

    def wrapped(environ, start_response):
        close_old_connections()
        started = time.perf_counter()
        outcome = "-"

        def recording_start_response(status, headers, exc_info=None):
            nonlocal outcome
            outcome = status.split(" ", 1)[0]
            return start_response(status, headers, exc_info)

        try:
            # The simulator's app returns its whole body at once, so it is done when this returns.
            return app(environ, recording_start_response)
        except DropConnection:
            outcome = "dropped"
            raise
        finally:
            close_old_connections()
            logger.info(
                "%s %s %s %.0fms",
                environ.get("REQUEST_METHOD", "-"),
                environ.get("PATH_INFO", "-"),
                outcome,
                (time.perf_counter() - started) * 1000,
            )

    return wrapped


class _DroppingServerHandler(ServerHandler):
    def handle_error(self) -> None:
        if isinstance(sys.exc_info()[1], DropConnection):
            # Write nothing: the server closes the socket after this request.
            self.request_handler.close_connection = True
            return
        super().handle_error()


class SimulatorRequestHandler(WSGIRequestHandler):
    def handle(self) -> None:
        # WSGIRequestHandler.handle, with the handler above and multithread=True.
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.requestline = ""
            self.request_version = ""
            self.command = ""
            self.send_error(414)
            return
        if not self.parse_request():
            return
        handler = _DroppingServerHandler(
            self.rfile, self.wfile, self.get_stderr(), self.get_environ(), multithread=True
        )
        handler.request_handler = self
        handler.run(self.server.get_app())

    def log_message(self, format: str, *args) -> None:
        pass  # `served()` logs each request once, with its duration


class SimulatorServer(socketserver.ThreadingMixIn, WSGIServer):
    """`SimulatorServer(("127.0.0.1", 0))` serves the simulator; `.url` is its base URL."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, address: tuple[str, int], *, app: WSGIApp | None = None, ipv6: bool = False
    ) -> None:
        if ipv6:
            self.address_family = socket.AF_INET6
        super().__init__(address, SimulatorRequestHandler)
        self.set_app(served(app or application))

    def server_bind(self) -> None:
        # HTTPServer.server_bind, without its reverse DNS lookup of the address (socket.getfqdn).
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = host
        self.server_port = port
        self.setup_environ()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}"


def start_in_thread(server: SimulatorServer, *, poll_interval: float = 0.05) -> threading.Thread:
    """Serve in a daemon thread; stop with `server.shutdown(); server.server_close()`."""
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": poll_interval},
        name="simulator-server",
        daemon=True,
    )
    thread.start()
    return thread
