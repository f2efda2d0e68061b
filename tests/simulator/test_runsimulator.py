"""The simulator over real HTTP: the threaded server and the runsimulator command.

The `server` and `key` fixtures are in conftest.py. `transactional_db`: the server's threads use
their own connections to the (shared-cache, in-memory) test database, so they see only committed
data.
"""

import logging
import socket
import threading
import time
from io import StringIO

import pytest
import requests
from django.core.management import call_command
from django.core.management.base import CommandError

from batchui.simulator import faults
from batchui.simulator.management.commands.runsimulator import Command, parse_addrport
from batchui.simulator.models import Batch
from batchui.simulator.server import SimulatorServer, start_in_thread

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 5


def test_a_normal_call_over_http(server, key):
    response = requests.post(
        f"{server.url}/api/v3/batch",
        json={"batchCode": "HTTP1"},
        headers={"ECI-ApiKey": key},
        timeout=TIMEOUT,
    )

    assert response.status_code == 200
    assert response.json()["batchCode"] == "HTTP1"
    listed = requests.get(
        f"{server.url}/api/v3/batch",
        headers={"ECI-ApiKey": key, "Content-Type": "application/json"},
        timeout=TIMEOUT,
    )
    assert listed.status_code == 200
    assert [row["batchCode"] for row in listed.json()] == ["HTTP1"]
    assert listed.headers["totalnumberofrecords"] == "1"
    assert listed.headers["Content-Length"] == str(len(listed.content))


def assert_a_dropped_open(url: str, key: str) -> None:
    """An open (POST) that the simulator drops before answering: the client sees a connection
    error."""
    faults.inject("drop_before", method="POST")
    with pytest.raises(requests.ConnectionError):
        requests.post(
            f"{url}/api/v3/batch",
            json={"batchCode": "LOST"},
            headers={"ECI-ApiKey": key},
            timeout=TIMEOUT,
        )


def test_a_dropped_connection_is_a_connection_error(server, key):
    assert_a_dropped_open(server.url, key)

    assert not Batch.objects.exists()
    # The server lives on.
    response = requests.get(
        f"{server.url}/api/v3/batch", headers={"ECI-ApiKey": key}, timeout=TIMEOUT
    )
    assert response.status_code == 200


def test_drop_after_stores_the_batch_though_the_client_sees_an_error(server, key):
    faults.inject("drop_after", method="POST")

    with pytest.raises(requests.ConnectionError):
        requests.post(
            f"{server.url}/api/v3/batch",
            json={"batchCode": "STORED"},
            headers={"ECI-ApiKey": key},
            timeout=TIMEOUT,
        )

    assert Batch.objects.get().batch_code == "STORED"


def _raw_exchange(sock: socket.socket, request: bytes) -> bytes:
    """Send one raw request on `sock`; the whole response (headers and Content-Length body)."""
    sock.sendall(request)
    reader = sock.makefile("rb")
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        line = reader.readline()
        if not line:
            break
        head += line
    length = next(
        (
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ),
        None,
    )
    assert length is not None, head
    return head + reader.read(length)


def count_connections(server: SimulatorServer) -> list[tuple[str, int]]:
    """The addresses of the connections `server` accepts from now on."""
    accepted: list[tuple[str, int]] = []
    serve = server.process_request

    def counting(request, address):
        accepted.append(address)
        serve(request, address)

    server.process_request = counting  # type: ignore[method-assign]
    return accepted


def test_one_connection_serves_several_requests(server, key):
    accepted = count_connections(server)
    with requests.Session() as session:
        headers = {"ECI-ApiKey": key}
        first = session.post(
            f"{server.url}/api/v3/batch", json={"batchCode": "KEEP1"}, headers=headers, timeout=5
        )
        second = session.get(f"{server.url}/api/v3/batch", headers=headers, timeout=TIMEOUT)
        third = session.get(f"{server.url}/api/v3/batch", headers=headers, timeout=TIMEOUT)

    assert len(accepted) == 1
    assert (first.status_code, second.status_code, third.status_code) == (200, 200, 200)
    assert first.raw.version == 11
    assert "close" not in first.headers.get("Connection", "").lower()
    assert [row["batchCode"] for row in third.json()] == ["KEEP1"]


def test_a_body_the_api_does_not_read_does_not_spill_into_the_next_request(server, key):
    body = b'{"batchCode": "NOT READ"}'
    with socket.create_connection(("127.0.0.1", server.server_address[1]), TIMEOUT) as sock:
        unknown = _raw_exchange(
            sock,
            b"POST /api/v3/nowhere HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"ECI-ApiKey: {key}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            + body,
        )
        listed = _raw_exchange(
            sock,
            f"GET /api/v3/batch HTTP/1.1\r\nHost: x\r\nECI-ApiKey: {key}\r\n\r\n".encode(),
        )

    assert unknown.startswith(b"HTTP/1.1 404 ")
    assert listed.startswith(b"HTTP/1.1 200 ")
    assert listed.endswith(b"[]")


def test_an_http_1_0_client_gets_its_connection_closed(server, key):
    with socket.create_connection(("127.0.0.1", server.server_address[1]), TIMEOUT) as sock:
        answer = _raw_exchange(
            sock, f"GET /api/v3/batch HTTP/1.0\r\nECI-ApiKey: {key}\r\n\r\n".encode()
        )
        sock.settimeout(TIMEOUT)
        rest = sock.recv(1)

    assert answer.split(b" ", 2)[1] == b"200"
    assert rest == b""  # closed by the server


def test_many_connections_at_once_wait_for_a_busy_server_instead_of_being_dropped():
    # Not serving: every connection waits in the listen queue, as when the processes are busy.
    # With socketserver's default queue of 5, the sixth SYN on would be dropped (and retried by
    # the client a second later).
    server = SimulatorServer(("127.0.0.1", 0))
    opened = []
    try:
        for _ in range(40):
            opened.append(socket.create_connection(server.server_address[:2], timeout=0.5))
    finally:
        for connection in opened:
            connection.close()
        server.server_close()
    assert len(opened) == 40


def test_closing_the_server_ends_its_idle_kept_alive_connections(key):
    server = SimulatorServer(("127.0.0.1", 0))
    thread = start_in_thread(server)
    with requests.Session() as session:
        assert session.get(
            f"{server.url}/api/v3/batch", headers={"ECI-ApiKey": key}, timeout=TIMEOUT
        ).ok
        [handler] = [t for t in threading.enumerate() if "process_request_thread" in t.name]
        server.shutdown()
        server.server_close()
        thread.join(TIMEOUT)
        handler.join(TIMEOUT)

        assert not handler.is_alive()


def test_a_dropped_call_on_a_kept_alive_connection_drops_only_that_call(server, key):
    accepted = count_connections(server)
    with requests.Session() as session:
        headers = {"ECI-ApiKey": key}
        assert session.get(f"{server.url}/api/v3/batch", headers=headers, timeout=5).ok
        faults.inject("drop_before", method="GET")
        with pytest.raises(requests.ConnectionError):
            session.get(f"{server.url}/api/v3/batch", headers=headers, timeout=TIMEOUT)
        again = session.get(f"{server.url}/api/v3/batch", headers=headers, timeout=TIMEOUT)

    assert again.status_code == 200
    assert len(accepted) == 2  # the dropped one, then a new one


def test_each_request_is_logged_on_one_line_without_the_key(server, key, caplog):
    with caplog.at_level(logging.INFO, logger="batchui.simulator.server"):
        requests.get(
            f"{server.url}/api/v3/batch",
            params={"pageSize": 5},
            headers={"ECI-ApiKey": key},
            timeout=TIMEOUT,
        )
        requests.get(f"{server.url}/nowhere", headers={"ECI-ApiKey": key}, timeout=TIMEOUT)

    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 2
    assert lines[0].startswith("GET /api/v3/batch 200 ")
    assert lines[0].endswith("ms")
    assert lines[1].startswith("GET /nowhere 404 ")
    assert all(key not in line for line in lines)


# --- the command --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8100", ("127.0.0.1", 8100, False)),
        ("192.0.2.10:9000", ("192.0.2.10", 9000, False)),
        ("localhost:8100", ("localhost", 8100, False)),
        ("[::1]:8100", ("::1", 8100, True)),
    ],
)
def test_addrport_parses(text, expected):
    assert parse_addrport(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "127.0.0.1:", "1.2.3.4:70000", "a b:80"])
def test_a_bad_addrport_is_a_command_error(text):
    with pytest.raises(CommandError):
        parse_addrport(text)


def test_the_command_serves_until_shut_down(key):
    command = Command(stdout=StringIO(), stderr=StringIO())
    runner = threading.Thread(target=call_command, args=(command, "127.0.0.1:0"), daemon=True)
    runner.start()
    deadline = time.monotonic() + TIMEOUT
    while command.server is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert command.server is not None

    response = requests.get(
        f"{command.server.url}/api/v3/batch", headers={"ECI-ApiKey": key}, timeout=TIMEOUT
    )

    command.server.shutdown()
    runner.join(TIMEOUT)
    assert response.status_code == 200
    assert not runner.is_alive()
    assert f"{command.server.url}/api/v3/batch" in command.stdout._out.getvalue()
