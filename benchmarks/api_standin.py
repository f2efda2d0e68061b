"""An API host for the benchmarks: a stand-in that answers the list call with a canned page, or a
counting proxy in front of the simulator. Either way it waits `--latency-ms` before answering.

    python benchmarks/api_standin.py --port P --latency-ms 50                  # stand-in
    python benchmarks/api_standin.py --port P --latency-ms 100 --upstream URL  # counting proxy

Stand-in: `GET /api/v3/batch` (any query, any key) answers a canned page of 50 batches (the
BatchResponse shape, paging headers for 5,000 batches) built once at start: it costs almost no CPU,
so the dashboard's load figures are not the simulator's CPU on the same cores. Anything else: 404.

Proxy: every call is forwarded to `--upstream` and recorded (method, path, query, status, the
answer's TotalPages, and whether it was replayed). `GET /_calls` answers the record as JSON;
`DELETE /_calls` empties it. After `PUT /_replay` the proxy replays: a GET it has answered since is
answered again with the same bytes, without asking the upstream (its first answer is fetched and
kept), so a benchmark can take the API's answers from the simulator once and then time the
dashboard alone, the API's CPU being elsewhere (as EnergyCAP's is).

Threaded (one thread per connection, keep-alive), so concurrent calls wait their latency together.
"""

from __future__ import annotations

import argparse
import http.client
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

CANNED_TOTAL = 5_000
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "server", "date"}


def canned_page(size: int = 50) -> bytes:
    """A page of batches as the API writes them (batch-api.md, BatchResponse), newest first."""
    batches = []
    for n in range(size, 0, -1):
        batches.append(
            {
                "batchId": 10_000 + n,
                "batchCode": f"BENCH-{n:04d}",
                "batchStatus": "Open",
                "isOpen": True,
                "startDate": f"2026-11-{1 + n % 20:02d}T09:{n % 60:02d}:00",
                "endDate": None,
                "billCount": n * 3,
                "runningTotal": round(n * 1234.56, 2),
                "flagCount": n % 4,
                "analyzingCount": n % 3,
                "hasImportedBills": n % 2 == 0,
                "hasImportsWithKickout": n % 7 == 0,
                "hasLogs": n % 5 == 0,
                "createdBy": {"userId": 1 + n % 6, "userCode": f"USER{n % 6}", "fullName": "Bench"},
                "dueDate": None,
                "statementDate": None,
                "nextReading": None,
                "controlCode": f"CC-{n}",
                "invoiceNumber": None,
                "accountPeriodName": "November 2026",
                "accountPeriodNumber": 11,
                "accountPeriodYear": 2026,
                "note": f"Canned batch {n} for the load benchmark",
            }
        )
    return json.dumps(batches).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real host
    disable_nagle_algorithm = True  # headers and body leave at once (no 40 ms delayed ACK)
    server: Server

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self, status: int, body: bytes, headers: list[tuple[str, str]]) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _calls(self) -> None:
        with self.server.lock:
            body = json.dumps(self.server.calls).encode()
            if self.command == "DELETE":
                self.server.calls = []
        self._answer(200, body, [("Content-Type", "application/json")])

    def _handle(self) -> None:
        if self.path == "/_calls":
            return self._calls()
        if self.path == "/_replay":
            self.server.replay = {}
            return self._answer(204, b"", [])
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        time.sleep(self.server.latency)
        if self.server.upstream is None:
            if self.command == "GET" and urlsplit(self.path).path == "/api/v3/batch":
                return self._answer(200, self.server.page, self.server.page_headers)
            return self._answer(
                404, b'{"message": "not here"}', [("Content-Type", "application/json")]
            )
        replay = self.server.replay if self.command == "GET" else None
        kept = None if replay is None else replay.get(self.path)
        status, headers, data = kept or self._forward(body)
        if replay is not None:
            replay[self.path] = (status, headers, data)
        split = urlsplit(self.path)
        with self.server.lock:
            self.server.calls.append(
                {
                    "method": self.command,
                    "path": split.path,
                    "query": split.query,
                    "status": status,
                    "total_pages": next((v for k, v in headers if k.lower() == "totalpages"), None),
                    "replayed": kept is not None,
                }
            )
        self._answer(status, data, headers)

    def _forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        """The upstream's answer to this call: (status, headers to pass on, body)."""
        connection = http.client.HTTPConnection(*self.server.upstream, timeout=300)
        try:
            forwarded = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            connection.request(self.command, self.path, body=body or None, headers=forwarded)
            answer = connection.getresponse()
            data = answer.read()
        finally:
            connection.close()
        headers = [(k, v) for k, v in answer.getheaders() if k.lower() not in HOP_BY_HOP]
        return answer.status, headers, data

    do_GET = do_POST = do_PUT = do_DELETE = _handle  # noqa: N815 - http.server's names


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # never drop a burst of connections (socketserver's default is 5)

    def __init__(self, port: int, *, latency_ms: int, upstream: str | None) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.latency = latency_ms / 1000
        self.upstream = None
        if upstream:
            parts = urlsplit(upstream)
            self.upstream = (parts.hostname, parts.port or 80)
        self.page = canned_page()
        self.page_headers = [
            ("Content-Type", "application/json; charset=utf-8"),
            ("PageNumber", "1"),
            ("PageSize", "50"),
            ("TotalNumberOfRecords", str(CANNED_TOTAL)),
            ("TotalPages", str(CANNED_TOTAL // 50)),
        ]
        self.lock = threading.Lock()
        self.calls: list[dict] = []
        self.replay: dict[str, tuple[int, list[tuple[str, str]], bytes]] | None = None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--upstream", help="forward to this API host and count (proxy mode)")
    args = parser.parse_args()
    Server(args.port, latency_ms=args.latency_ms, upstream=args.upstream).serve_forever()


if __name__ == "__main__":
    main()
