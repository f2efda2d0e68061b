"""Fixtures of the tests of other hosts: the simulator over HTTP (as `runsimulator` serves it)."""

from tests.batchapi.conftest import http_simulator  # noqa: F401 - a fixture of these tests too
