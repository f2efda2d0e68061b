"""The HTTP server for the simulator (what `runsimulator` runs; tests reuse it on port 0).

Django's own threaded WSGI server (the one `runserver` uses): a thread per connection, HTTP/1.1
keep-alive, database connections closed with the connection. On top of it, each request is
logged on one line (method, path, status, time; never a header, so never the key), and a
DropConnection raised by the app closes the socket without a byte written, which a client sees
as a dropped connection.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable

from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.db import close_old_connections

from batchui.simulator.faults import DropConnection
from batchui.simulator.wsgi import application

logger = logging.getLogger("batchui.simulator.server")

WSGIApp = Callable[..., Iterable[bytes]]
HANDLER_KEY = "batchui.simulator.request_handler"


def served(app: WSGIApp = application) -> WSGIApp:
    """`app` with per-request database connection hygiene, the access log and dropped calls."""

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
            environ[HANDLER_KEY].close_connection = True
            # wsgiref's handler writes nothing for this error; the connection then closes.
            raise ConnectionAbortedError from None
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


class SimulatorRequestHandler(WSGIRequestHandler):
    def get_environ(self) -> dict:
        return {**super().get_environ(), HANDLER_KEY: self}  # for a dropped call, see served()

    def log_message(self, format: str, *args) -> None:
        pass  # `served()` logs each request once, with its duration


class SimulatorServer(ThreadedWSGIServer):
    """`SimulatorServer(("127.0.0.1", 0))` serves the simulator; `.url` is its base URL."""

    # socketserver's default backlog is 5 (Django's 10): a client opening 20 connections at once
    # (the review) had some SYNs dropped and retried a second later.
    request_queue_size = socket.SOMAXCONN

    def __init__(self, address: tuple[str, int], *, ipv6: bool = False) -> None:
        super().__init__(address, SimulatorRequestHandler, ipv6=ipv6)
        self.set_app(served())
        self._connections: set[socket.socket] = set()

    def process_request(self, request, client_address) -> None:
        self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:
        self._connections.discard(request)
        super().shutdown_request(request)

    def server_close(self) -> None:
        """Stop listening, and end the kept-alive connections waiting for a next request (a
        request being handled still finishes and answers), so that no thread outlives a test."""
        super().server_close()
        for connection in list(self._connections):
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RD)

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
