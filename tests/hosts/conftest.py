"""Fixtures of the tests of other hosts: the simulator over HTTP (as `runsimulator` serves it),
and the signed-in clerk of the batch list's tests."""

from tests.batchapi.conftest import http_simulator  # noqa: F401 - fixtures of these tests too
from tests.batches.conftest import clerk, clerk_api_user, clerk_client, make_person, sent  # noqa: F401
