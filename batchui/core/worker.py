"""gunicorn's gthread worker, with `GET /healthz` answered by the worker's own main loop.

With every thread of a worker waiting on a slow Batch API, gthread queues new requests for the
next free thread, and a liveness probe would wait as long as the slowest page. This worker's main
loop (which accepts connections and never waits on the API) looks at a new connection's first
bytes when they arrive: a `GET /healthz` is answered there at once with `{"status": "ok"}` and the
connection closed; anything else goes to the thread pool as usual. So `/healthz` says that the
process is alive and accepting, which is what a restart decision needs. (These answers do not
appear in the access log.) gunicorn.conf.py selects it; gunicorn is pinned in requirements.txt,
and tests/faults/test_healthz_busy.py checks it against a real gunicorn.
"""

from __future__ import annotations

import re
import selectors
import socket
import time
from functools import partial

from gunicorn.workers.gthread import DEFAULT_WORKER_DATA_TIMEOUT, TConn, ThreadWorker

HEALTH_REQUEST = re.compile(rb"GET /healthz(\?[^ ]*)? HTTP/1\.[01]\r\n")
HEALTH_BODY = b'{"status": "ok"}'
HEALTH_RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    b"Content-Length: %d\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n%s"
    % (len(HEALTH_BODY), HEALTH_BODY)
)


def answered_health(sock: socket.socket) -> bool:
    """Answer a `GET /healthz` waiting on this (non-blocking) socket; False if it is not one."""
    try:
        head = sock.recv(1024, socket.MSG_PEEK)
        if not HEALTH_REQUEST.match(head):
            return False
        sock.recv(65536)  # read the request, so that closing does not reset the connection
        sock.sendall(HEALTH_RESPONSE)
    except OSError:
        pass  # the prober went away, or sent nothing yet: gunicorn handles it as usual
    else:
        return True
    return False


class HealthFirstWorker(ThreadWorker):
    def accept(self, listener: socket.socket) -> None:
        """As gunicorn's, but a new connection waits in the poller (like a deferred one) until
        its first bytes arrive, instead of in a thread."""
        try:
            client_sock, client_addr = listener.accept()
        except (BlockingIOError, ConnectionAbortedError):
            return
        self.nr_conns += 1
        conn = TConn(self.cfg, client_sock, client_addr, listener.getsockname())  # non-blocking
        conn.timeout = time.monotonic() + DEFAULT_WORKER_DATA_TIMEOUT  # then it is closed
        self.pending_conns.append(conn)
        self.poller.register(
            client_sock, selectors.EVENT_READ, partial(self.on_pending_socket_readable, conn)
        )

    def enqueue_req(self, conn: TConn) -> None:
        if not conn.initialized and answered_health(conn.sock):
            self.nr_conns -= 1
            conn.close()
            return
        super().enqueue_req(conn)
