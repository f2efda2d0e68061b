"""The simulator answers as batchui/simulator/openapi.yaml says (schemathesis, bounded run).

Schemathesis generates valid and invalid requests for every operation of the description and
checks each answer: status documented, body matching its schema, documented headers present and
well-formed, invalid data rejected, no server error, auth not ignored. Operations on one batch
run twice: with generated ids (mostly unknown: 404s, bad ids) and with the id of a stored Open
batch, so that invalid bodies meet the validation rather than a 404.
"""

from pathlib import Path

import pytest
import schemathesis
from django.db import transaction
from hypothesis import HealthCheck, settings

from batchui.simulator.models import ApiKey, ApiUser, BatchStatus, hash_key
from batchui.simulator.wsgi import application
from tests.simulator.helpers import make_batch

SPEC = Path(__file__).resolve().parents[2] / "batchui" / "simulator" / "openapi.yaml"
KEY = "sim_openapi-test-key"
OPEN_BATCH_ID = 1


def load_schema(**parameters):
    loaded = schemathesis.openapi.from_path(SPEC)
    loaded.app = application
    loaded.config.update(headers={"ECI-ApiKey": KEY}, parameters=parameters or None)
    loaded.config.generation.update(max_examples=20, deterministic=True)
    # Valid-looking data can still be refused for what a schema cannot say (a duplicate code,
    # a closed batch, a date that does not exist): the status code check still applies to it.
    loaded.config.checks.update(excluded_check_names=["positive_data_acceptance"])
    return loaded


schema = load_schema()
schema_on_stored_batch = load_schema(batchId=OPEN_BATCH_ID).include(path_regex=r"\{batchId\}")

HYPOTHESIS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def stored_batches(db):
    user = ApiUser.objects.create(
        user_code="SPEC",
        full_name="Spec Checker",
        can_view=True,
        can_create=True,
        can_manage=True,
        can_delete=True,
    )
    ApiKey.objects.create(user=user, key_hash=hash_key(KEY))
    statuses = [BatchStatus.OPEN, BatchStatus.PENDING, BatchStatus.CLOSED] * 3
    for batch_id, status in enumerate(statuses, start=OPEN_BATCH_ID):
        make_batch(
            user=user,
            batch_id=batch_id,
            code=f"SPEC{batch_id}",
            status=status,
            note="n",
            due_date="2026-03-30",
            account_period_number=3,
            account_period_year=2026,
        )


def call_and_validate(case) -> None:
    # Every case starts from the same stored batches: otherwise the first code created would make
    # each later case reusing it a "duplicate" 400, hiding what that case was testing.
    with transaction.atomic():
        case.call_and_validate()
        transaction.set_rollback(True)


@schema.parametrize()
@HYPOTHESIS
def test_the_simulator_conforms_to_its_openapi_description(case, stored_batches):
    call_and_validate(case)


@schema_on_stored_batch.parametrize()
@HYPOTHESIS
def test_operations_on_a_stored_batch_conform(case, stored_batches):
    call_and_validate(case)


def test_the_description_covers_exactly_the_simulated_routes():
    from batchui.simulator.urls import urlpatterns

    described = {
        (path, method.upper())
        for path, item in schema.raw_schema["paths"].items()
        for method in item
        if method != "parameters"
    }
    assert described == {
        ("/api/v3/batch", "GET"),
        ("/api/v3/batch", "POST"),
        ("/api/v3/batch/{batchId}", "GET"),
        ("/api/v3/batch/{batchId}", "PUT"),
        ("/api/v3/batch/{batchId}", "DELETE"),
        ("/api/v3/batch/close/{batchId}", "PUT"),
        ("/api/v202206/batch/{batchId}/status", "PUT"),
    }
    routes = {str(pattern.pattern).rstrip("/") for pattern in urlpatterns}
    assert routes == {
        "api/v3/batch",
        "api/v3/batch/<int32:batch_id>",
        "api/v3/batch/close/<int32:batch_id>",
        "api/v202206/batch/<int32:batch_id>/status",
    }
