"""The simulator served over real HTTP on a free port (`server`), an API key (`key`), and an API
user (`owner`: the user and its key) with an in-process client of the simulator (`api`).

Tests using `server` need `django_db(transaction=True)`: the server's threads use their own
database connections, which see only committed rows.
"""

import pytest

from batchui.simulator.server import SimulatorServer, start_in_thread
from tests.simulator.helpers import Api, make_api_user


@pytest.fixture
def server():
    server = SimulatorServer(("127.0.0.1", 0))
    thread = start_in_thread(server)
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def key():
    return make_api_user()[1]


@pytest.fixture
def owner():
    return make_api_user()


@pytest.fixture
def api(owner):
    return Api(owner[1])
