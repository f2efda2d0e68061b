"""The client's one line per call carries its fields as structured extras too."""

from __future__ import annotations

import json
import logging

import pytest

from batchui.batchapi import ApiNotFound, BatchApiClient
from batchui.batchapi.client import current_request_id
from batchui.core.logging import ContextFilter, JsonFormatter
from tests.simulator.helpers import make_api_user

pytestmark = pytest.mark.django_db

FIELDS = ("api_method", "api_path", "api_outcome", "elapsed_ms", "attempt", "request_id")


def call_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage().startswith("batchapi ")]


def test_each_call_logs_its_fields_as_extras(caplog):
    _, key = make_api_user()
    caplog.set_level(logging.INFO, logger="batchui.batchapi")
    token = current_request_id.set("rid-extra-1")
    try:
        with BatchApiClient(api_key=key) as client:
            client.list_batches(page_size=5)
            with pytest.raises(ApiNotFound):
                client.get_batch(424242)
    finally:
        current_request_id.reset(token)

    listed, missing = call_records(caplog)
    assert (listed.api_method, listed.api_path, listed.api_outcome) == ("GET", "/api/v3/batch", 200)
    assert (missing.api_path, missing.api_outcome) == ("/api/v3/batch/424242", 404)
    for record in (listed, missing):
        assert record.attempt == 1
        assert record.request_id == "rid-extra-1"
        assert isinstance(record.elapsed_ms, float)
        assert record.elapsed_ms >= 0
        # The message is unchanged (what the text format and older log queries read).
        assert record.getMessage().endswith("ms (attempt 1, request rid-extra-1)")
    assert key not in caplog.text


def test_the_json_line_holds_the_extras(caplog):
    _, key = make_api_user()
    caplog.set_level(logging.INFO, logger="batchui.batchapi")
    with BatchApiClient(api_key=key) as client:
        client.list_batches(page_size=5)
    (record,) = call_records(caplog)

    assert ContextFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))

    assert {name: line[name] for name in FIELDS if name != "elapsed_ms"} == {
        "api_method": "GET",
        "api_path": "/api/v3/batch",
        "api_outcome": 200,
        "attempt": 1,
        "request_id": record.request_id,
    }
    assert line["elapsed_ms"] == round(record.elapsed_ms, 1)
    assert line["message"] == record.getMessage()
