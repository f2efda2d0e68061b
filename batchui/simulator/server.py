"""A threaded HTTP server for the simulator (what `runsimulator` runs; tests reuse it on port 0).

wsgiref's server with one thread per connection, kept alive between requests (HTTP/1.1, idle
connections closed after KEEP_ALIVE_SECONDS). Each request handles its database connection like
Django's own handler does (CONN_MAX_AGE), is logged on one line (method, path, status, time;
never a header, so never the key), and a DropConnection raised by the app closes the socket
without a byte written, which a client sees as a dropped connection.

`serve_in_processes` serves one such server's socket from several forked processes (each with
its threads), so that the simulator's CPU work is not serialized by one interpreter lock.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import signal
import socket
import socketserver
import sys
import threading
import time
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from django.db import close_old_connections, connections

from batchui.simulator.faults import DropConnection
from batchui.simulator.wsgi import application

logger = logging.getLogger("batchui.simulator.server")

KEEP_ALIVE_SECONDS = 75  # idle keep-alive connections are closed after this (as nginx does)
MAX_BODY_BYTES = 1024 * 1024  # no Batch API body comes near this
SPREAD_AFTER_BYTES = 256 * 1024  # see _DroppingServerHandler.cleanup_headers

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

    def cleanup_headers(self) -> None:
        super().cleanup_headers()  # adds the length a one-part body has
        # close() clears self.headers after the response: note now whether the body is framed.
        handler = self.request_handler
        handler.response_framed = "Content-Length" in self.headers
        if (
            handler.response_framed
            and getattr(handler.server, "several_processes", False)
            and int(self.headers["Content-Length"]) > SPREAD_AFTER_BYTES
        ):
            # Served from several processes, a kept-alive connection stays with the process
            # that accepted it, and one process can be left with most of a client's large pages
            # while another idles. After a large answer the connection ends, so the next call
            # goes to whichever process is free, as a load balancer in front of the real API
            # spreads calls (a new connection costs little next to such an answer).
            self.headers["Connection"] = "close"
            handler.close_connection = True


class SimulatorRequestHandler(WSGIRequestHandler):
    """One client connection: HTTP/1.1 keep-alive, as a real API host (and a client's pooled
    connections) expects; each response leaves in one write, with Nagle's algorithm off."""

    protocol_version = "HTTP/1.1"
    wbufsize = 64 * 1024  # headers and body flushed together, not in several small writes
    disable_nagle_algorithm = True
    timeout = KEEP_ALIVE_SECONDS  # an idle connection is closed after this

    # WSGIRequestHandler.handle serves one request; http.server's loops while the connection
    # stays open, calling handle_one_request below.
    handle = BaseHTTPRequestHandler.handle

    def handle_one_request(self) -> None:
        try:
            self._serve_one()
        finally:
            try:
                self.wfile.flush()
            except OSError:
                self.close_connection = True

    def _serve_one(self) -> None:
        # WSGIRequestHandler.handle for one request of the connection, with the handler above,
        # multithread=True, and the body read whole first: an app that does not read it (a
        # dropped call, a 404) must not leave it in the stream where the next request starts.
        try:
            self.raw_requestline = self.rfile.readline(65537)
        except TimeoutError:
            self.close_connection = True
            return
        if not self.raw_requestline:
            self.close_connection = True
            return
        if len(self.raw_requestline) > 65536:
            self.requestline = ""
            self.request_version = ""
            self.command = ""
            self.send_error(414)
            return
        if not self.parse_request():  # an error was sent
            return
        body = self._body()
        if body is None:
            return
        handler = _DroppingServerHandler(
            body, self.wfile, self.get_stderr(), self.get_environ(), multithread=True
        )
        handler.http_version = "1.1" if self.request_version == "HTTP/1.1" else "1.0"
        handler.request_handler = self
        self.response_framed = False
        handler.run(self.server.get_app())
        if not self.response_framed:
            self.close_connection = True  # the body ends where the connection does

    def _body(self) -> io.BytesIO | None:
        """The request's body, read whole (None when refused: an error was sent)."""
        if self.headers.get("Transfer-Encoding", "").lower() not in ("", "identity"):
            self.close_connection = True
            self.send_error(411, "A Content-Length is required")
            return None
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY_BYTES:
            self.close_connection = True
            self.send_error(400 if length < 0 else 413)
            return None
        data = self.rfile.read(length) if length else b""
        if len(data) < length:
            self.close_connection = True
            return None
        return io.BytesIO(data)

    def finish(self) -> None:
        # This thread served one client connection; with CONN_MAX_AGE > 0 its database
        # connection outlived the requests (close_old_connections keeps it): close it with them.
        try:
            super().finish()
        finally:
            connections.close_all()

    def log_message(self, format: str, *args) -> None:
        pass  # `served()` logs each request once, with its duration


class SimulatorServer(socketserver.ThreadingMixIn, WSGIServer):
    """`SimulatorServer(("127.0.0.1", 0))` serves the simulator; `.url` is its base URL."""

    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog is 5: a client opening 20 connections at once (the review)
    # had some SYNs dropped and retried a second later.
    request_queue_size = socket.SOMAXCONN

    def __init__(
        self, address: tuple[str, int], *, app: WSGIApp | None = None, ipv6: bool = False
    ) -> None:
        if ipv6:
            self.address_family = socket.AF_INET6
        super().__init__(address, SimulatorRequestHandler)
        self.set_app(served(app or application))
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def process_request(self, request, client_address) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def server_close(self) -> None:
        """Stop listening, and end the kept-alive connections waiting for a next request (a
        request being handled still finishes and answers)."""
        super().server_close()
        with self._connections_lock:
            waiting = list(self._connections)
        for connection in waiting:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RD)

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


# --- several processes ----------------------------------------------------------------------------


class _StopServingError(Exception):
    pass


def _raise_stop(signum: int, frame: object) -> None:
    raise _StopServingError


def serve_in_processes(server: SimulatorServer, *, workers: int) -> int:
    """Serve `server`'s listening socket from `workers` forked processes until SIGTERM or SIGINT.

    Each process accepts connections from the shared socket (Linux hands each one to a single
    waiting process) and serves them on its threads exactly as `serve_forever` would. Returns
    0 when stopped by a signal, 1 when a process ended by itself (the others are then stopped).
    POSIX only (os.fork). Call it from the main thread of a process that runs no other threads.
    """
    if workers < 1:
        raise ValueError("workers must be at least 1")
    connections.close_all()  # each process opens its own
    server.several_processes = workers > 1  # type: ignore[attr-defined]
    previous = {
        signum: signal.signal(signum, _raise_stop) for signum in (signal.SIGTERM, signal.SIGINT)
    }
    children: set[int] = set()
    status = 0
    try:
        for _ in range(workers):
            pid = os.fork()
            if pid == 0:
                _serve_child(server, parent=os.getppid())  # never returns
            children.add(pid)
        pid, _ = os.wait()
        children.discard(pid)
        logger.error("simulator process %s ended by itself; stopping the others", pid)
        status = 1
    except (_StopServingError, KeyboardInterrupt):
        pass
    finally:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        for pid in children:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return status


def _serve_child(server: SimulatorServer, *, parent: int) -> None:
    """A forked process's life: accept and serve until SIGTERM, or until the parent is gone."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent stops us with SIGTERM

    def watch_parent() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch_parent, name="simulator-parent-watch", daemon=True).start()
    try:
        while True:
            # socketserver's _handle_request_noblock, with a blocking accept(): the kernel wakes
            # one waiting process per connection.
            try:
                request, address = server.get_request()
            except OSError:
                continue
            if not server.verify_request(request, address):
                server.shutdown_request(request)
                continue
            try:
                server.process_request(request, address)
            except Exception:
                server.handle_error(request, address)
                server.shutdown_request(request)
    except BaseException:
        logger.exception("simulator process %s failed", os.getpid())
        os._exit(1)
