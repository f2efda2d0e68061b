"""Edit and close of one batch (status change and delete: test_status_and_delete.py)."""

from datetime import UTC, datetime

import pytest

from batchui.simulator.models import BatchStatus
from tests.simulator.helpers import Api, make_api_user, make_batch

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(owner):
    return make_batch(user=owner[0], code="Maint_01", note="old note", bill_count=3)


# --- edit ---------------------------------------------------------------------------------------


def test_the_seed_example_edit_renames_and_sets_the_note(api, batch):
    response = api.put(f"/api/v3/batch/{batch.batch_id}", {"batchCode": "string", "note": "string"})

    assert response.status_code == 200
    body = response.get_json()
    assert (body["batchId"], body["batchCode"], body["note"]) == (
        batch.batch_id,
        "string",
        "string",
    )
    assert body["billCount"] == 3
    batch.refresh_from_db()
    assert (batch.batch_code, batch.batch_code_ci, batch.note) == ("string", "string", "string")


def test_a_null_note_clears_it(api, batch):
    response = api.put(f"/api/v3/batch/{batch.batch_id}", {"batchCode": "Maint_01", "note": None})

    assert response.status_code == 200
    assert response.get_json()["note"] is None
    batch.refresh_from_db()
    assert batch.note is None


def test_a_batch_may_keep_its_own_code_or_change_its_case(api, batch):
    for code in ("Maint_01", "MAINT_01"):
        response = api.put(f"/api/v3/batch/{batch.batch_id}", {"batchCode": code, "note": "n"})
        assert response.status_code == 200
        assert response.get_json()["batchCode"] == code


def test_another_batchs_code_is_400_case_insensitively(api, owner, batch):
    make_batch(user=owner[0], code="Hist_02")

    response = api.put(f"/api/v3/batch/{batch.batch_id}", {"batchCode": "HIST_02", "note": None})

    assert response.status_code == 400
    assert list(response.get_json()["errors"]) == ["batchCode"]
    batch.refresh_from_db()
    assert (batch.batch_code, batch.note) == ("Maint_01", "old note")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"note": "n"}, "batchCode"),
        ({"batchCode": None, "note": "n"}, "batchCode"),
        ({"batchCode": "", "note": "n"}, "batchCode"),
        ({"batchCode": "  ", "note": "n"}, "batchCode"),
        ({"batchCode": "x" * 256, "note": "n"}, "batchCode"),
        ({"batchCode": 12, "note": "n"}, "batchCode"),
        ({"batchCode": "OK"}, "note"),
        ({"batchCode": "OK", "note": "x" * 256}, "note"),
        ({"batchCode": "OK", "note": 5}, "note"),
    ],
)
def test_an_invalid_edit_is_400_naming_the_field(api, batch, body, field):
    response = api.put(f"/api/v3/batch/{batch.batch_id}", body)

    assert response.status_code == 400
    assert list(response.get_json()["errors"]) == [field]
    assert field in response.get_json()["message"]
    batch.refresh_from_db()
    assert (batch.batch_code, batch.note) == ("Maint_01", "old note")


def test_an_empty_note_and_a_255_character_code_are_allowed(api, batch):
    response = api.put(f"/api/v3/batch/{batch.batch_id}", {"batchCode": "c" * 255, "note": ""})

    assert response.status_code == 200
    assert response.get_json()["note"] == ""


def test_editing_an_unknown_batch_is_404(api):
    response = api.put("/api/v3/batch/424242", {"batchCode": "X", "note": None})

    assert response.status_code == 404
    assert response.get_json()["message"]


def test_a_closed_batch_can_still_be_renamed(api, owner):
    closed = make_batch(user=owner[0], code="OLD", status=BatchStatus.CLOSED)

    response = api.put(f"/api/v3/batch/{closed.batch_id}", {"batchCode": "OLD2", "note": None})

    assert response.status_code == 200
    assert response.get_json()["batchStatus"] == "Closed"


# --- close --------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [BatchStatus.OPEN, BatchStatus.PENDING])
def test_close_closes_an_open_or_pending_batch(api, owner, status):
    batch = make_batch(user=owner[0], code="C1", status=status)
    before = datetime.now(UTC).replace(microsecond=0)

    response = api.put(f"/api/v3/batch/close/{batch.batch_id}")

    assert response.status_code == 200
    body = response.get_json()
    assert (body["batchId"], body["batchStatus"], body["isOpen"]) == (
        batch.batch_id,
        "Closed",
        False,
    )
    closed_at = datetime.fromisoformat(body["endDate"]).replace(tzinfo=UTC)
    assert before <= closed_at <= datetime.now(UTC)
    batch.refresh_from_db()
    assert batch.batch_status == BatchStatus.CLOSED


def test_close_needs_no_body_nor_content_type(api, batch):
    response = api.client.put(
        f"/api/v3/batch/close/{batch.batch_id}", headers={"ECI-ApiKey": api.key}
    )

    assert response.status_code == 200


def test_closing_a_closed_batch_is_400_and_keeps_its_end_date(api, owner):
    closed = make_batch(user=owner[0], code="DONE", status=BatchStatus.CLOSED)
    end_date = closed.end_date

    response = api.put(f"/api/v3/batch/close/{closed.batch_id}")

    assert response.status_code == 400
    assert response.get_json()["message"] == f"Batch {closed.batch_id} is already closed."
    closed.refresh_from_db()
    assert closed.end_date == end_date


def test_closing_twice_succeeds_once(api, batch):
    statuses = [api.put(f"/api/v3/batch/close/{batch.batch_id}").status_code for _ in range(2)]

    assert statuses == [200, 400]


def test_closing_an_unknown_batch_is_404(api):
    response = api.put("/api/v3/batch/close/424242")

    assert response.status_code == 404
    assert response.get_json()["message"]


def test_any_user_with_create_permission_can_close(batch):
    _, key = make_api_user("LEAD", "Team Lead")

    assert Api(key).put(f"/api/v3/batch/close/{batch.batch_id}").status_code == 200
