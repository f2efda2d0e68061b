"""Injected faults (faults.inject) and the environment's latency and random faults."""

import json
import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext

from batchui.simulator import faults
from batchui.simulator.faults import DropConnection, parse_fault_spec, plan_for
from batchui.simulator.models import Batch, FaultRule
from tests.simulator.helpers import Api, batch_body

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", [429, 503])
def test_a_status_fault_answers_it_with_retry_after_and_stores_nothing(api, status):
    faults.inject("status", status=status, retry_after=7)

    response = api.post("/api/v3/batch", batch_body("F1"))

    assert response.status_code == status
    assert response.headers["Retry-After"] == "7"
    assert response.get_json()["message"]
    assert not Batch.objects.exists()
    # Consumed: the next call is handled.
    assert api.post("/api/v3/batch", batch_body("F1")).status_code == 200


def test_retry_after_defaults_to_1_and_only_429_and_503_carry_it(api):
    faults.inject("status", status=429)
    faults.inject("status", status=500)

    first, second = api.get("/api/v3/batch"), api.get("/api/v3/batch")

    assert (first.status_code, first.headers["Retry-After"]) == (429, "1")
    assert second.status_code == 500
    assert "Retry-After" not in second.headers


def test_faults_come_before_auth(api):
    faults.inject("status", status=502)

    assert Api(None).get("/api/v3/batch").status_code == 502


def test_a_fault_matches_method_and_path(api):
    faults.inject("status", method="POST", path=r"^/api/v3/batch$", status=503, times=None)

    assert api.get("/api/v3/batch").status_code == 200
    assert api.put("/api/v3/batch/close/1").status_code == 404
    assert api.post("/api/v3/batch", batch_body("M1")).status_code == 503
    assert api.post("/api/v3/batch", batch_body("M1")).status_code == 503


def test_times_counts_down_and_none_is_unlimited(api):
    faults.inject("status", status=500, times=2)

    statuses = [api.get("/api/v3/batch").status_code for _ in range(3)]

    assert statuses == [500, 500, 200]
    assert FaultRule.objects.get().remaining == 0


def test_clear_removes_every_fault(api):
    faults.inject("status", status=500, times=None)
    faults.clear()

    assert api.get("/api/v3/batch").status_code == 200


def test_drop_before_raises_and_stores_nothing(api):
    faults.inject("drop_before", method="POST")

    with pytest.raises(DropConnection):
        api.post("/api/v3/batch", batch_body("D1"))
    assert not Batch.objects.exists()


def test_drop_after_stores_then_raises(api):
    faults.inject("drop_after", method="POST")

    with pytest.raises(DropConnection):
        api.post("/api/v3/batch", batch_body("D2"))
    assert Batch.objects.get().batch_code == "D2"
    # A client retrying blindly now meets its own batch.
    assert api.post("/api/v3/batch", batch_body("D2")).status_code == 400


def test_malformed_handles_the_call_and_answers_broken_json(api):
    faults.inject("malformed", method="POST")

    response = api.post("/api/v3/batch", batch_body("BROKEN"))

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.data)
    assert Batch.objects.get().batch_code == "BROKEN"


def test_malformed_on_a_list_and_an_error(api):
    faults.inject("malformed", times=2)

    for response in (api.get("/api/v3/batch"), api.get("/api/v3/batch/99")):
        assert response.status_code == 200
        with pytest.raises(json.JSONDecodeError):
            json.loads(response.data)


def test_latency_delays_then_handles(api):
    faults.inject("latency", latency_ms=150)

    started = time.perf_counter()
    response = api.get("/api/v3/batch")

    assert time.perf_counter() - started >= 0.15
    assert response.status_code == 200


def test_latency_combines_with_another_fault(api):
    faults.inject("latency", latency_ms=100)
    faults.inject("status", status=503)

    started = time.perf_counter()
    response = api.get("/api/v3/batch")

    assert time.perf_counter() - started >= 0.1
    assert response.status_code == 503


def test_the_oldest_matching_fault_wins_and_the_other_waits(api):
    faults.inject("status", status=500)
    faults.inject("status", status=503)

    assert [api.get("/api/v3/batch").status_code for _ in range(3)] == [500, 503, 200]


def test_the_last_use_of_a_rule_cannot_be_taken_twice():
    rule = faults.inject("status", status=500, times=1)
    stale_copy = FaultRule.objects.get(pk=rule.pk)

    assert plan_for(method="GET", path="/api/v3/batch").status == 500
    # A second caller that read the rule before the first one took it gets nothing.
    assert faults._consume(stale_copy) is False


def test_checking_for_faults_costs_one_query_when_there_are_none():
    with CaptureQueriesContext(connection) as queries:
        plan = plan_for(method="GET", path="/api/v3/batch")

    assert plan == faults.NO_FAULT
    assert len(queries) == 1


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"kind": "explode"}, "unknown fault kind"),
        ({"kind": "status", "status": 404}, "status fault"),
        ({"kind": "status"}, "status fault"),
        ({"kind": "latency", "path": "("}, "missing"),
    ],
)
def test_inject_refuses_nonsense(kwargs, problem):
    with pytest.raises(Exception, match=problem):
        faults.inject(**kwargs)


# --- environment: SIMULATOR_LATENCY_MS and SIMULATOR_FAULTS -------------------------------------


def test_environment_latency_is_added_to_every_call(api, settings):
    settings.SIMULATOR_LATENCY_MS = 120

    started = time.perf_counter()
    assert api.get("/api/v3/batch").status_code == 200
    assert time.perf_counter() - started >= 0.12


def test_environment_faults_are_drawn_per_call(api, settings):
    settings.SIMULATOR_FAULTS = "503:1.0"
    assert api.get("/api/v3/batch").status_code == 503

    settings.SIMULATOR_FAULTS = "drop:1"
    with pytest.raises(DropConnection):
        api.get("/api/v3/batch")

    settings.SIMULATOR_FAULTS = "500:0.5,malformed:0.5"
    statuses = {api.get("/api/v3/batch").status_code for _ in range(60)}
    assert statuses == {200, 500}

    settings.SIMULATOR_FAULTS = ""
    assert {api.get("/api/v3/batch").status_code for _ in range(10)} == {200}


def test_stored_rules_win_over_the_environment(api, settings):
    settings.SIMULATOR_FAULTS = "503:1.0"
    faults.inject("status", status=429)

    assert api.get("/api/v3/batch").status_code == 429


def test_the_fault_spec_parses_every_key():
    assert parse_fault_spec(
        "429:0.05, 503:0.02,500:0.01,drop:0.01,malformed:0.01,drop_after:0"
    ) == (
        ("status", 429, 0.05),
        ("status", 503, 0.02),
        ("status", 500, 0.01),
        ("drop_before", None, 0.01),
        ("malformed", None, 0.01),
        ("drop_after", None, 0.0),
    )
    assert parse_fault_spec("") == ()


@pytest.mark.parametrize("spec", ["418:0.1", "drop", "drop:x", "500:1.5", "500:0.6,503:0.6"])
def test_a_bad_fault_spec_is_a_configuration_error(spec):
    with pytest.raises(ImproperlyConfigured):
        parse_fault_spec(spec)
