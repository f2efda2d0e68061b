"""Edit, close, status change (PUT /api/v202206/.../status) and DELETE of one batch."""

from datetime import UTC, datetime

import pytest

from batchui.simulator.models import Batch, BatchStatus
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


# --- PUT /api/v202206/batch/{id}/status ---------------------------------------------------------


def status_path(batch: Batch) -> str:
    return f"/api/v202206/batch/{batch.batch_id}/status"


def current(batch: Batch) -> str:
    batch.refresh_from_db()
    return batch.batch_status


def test_status_moves_open_to_pending_and_back(api, batch):
    response = api.put(status_path(batch), {"batchStatus": "Pending"})

    assert response.status_code == 204
    assert response.data == b""
    assert current(batch) == BatchStatus.PENDING
    assert api.put(status_path(batch), {"batchStatus": "open"}).status_code == 204
    assert current(batch) == BatchStatus.OPEN


def test_status_closed_is_final(api, batch):
    assert api.put(status_path(batch), {"batchStatus": "Closed"}).status_code == 204
    batch.refresh_from_db()
    assert (batch.batch_status, batch.end_date is not None) == (BatchStatus.CLOSED, True)

    for target in ("Open", "Pending", "Closed"):
        response = api.put(status_path(batch), {"batchStatus": target})
        assert response.status_code == 400
        assert current(batch) == BatchStatus.CLOSED


def test_status_to_the_current_status_is_400(api, batch):
    assert api.put(status_path(batch), {"batchStatus": "Open"}).status_code == 400


def test_status_note_replaces_the_note_only_when_given(api, batch):
    api.put(status_path(batch), {"batchStatus": "Pending"})
    batch.refresh_from_db()
    assert batch.note == "old note"

    api.put(
        status_path(batch), {"batchStatus": "Open", "note": "back", "leaveOpenBatchesAsIs": True}
    )
    batch.refresh_from_db()
    assert batch.note == "back"


def test_reopening_closes_the_callers_other_open_batches_unless_told_not_to(api, owner):
    me = owner[0]
    other, _ = make_api_user("OTHER", "Other User")
    held = make_batch(user=me, code="HELD", status=BatchStatus.PENDING)
    held2 = make_batch(user=me, code="HELD2", status=BatchStatus.PENDING)
    mine = make_batch(user=me, code="MINE")
    theirs = make_batch(user=other, code="THEIRS")

    api.put(status_path(held), {"batchStatus": "Open", "leaveOpenBatchesAsIs": True})
    assert (current(mine), current(held)) == (BatchStatus.OPEN, BatchStatus.OPEN)

    api.put(status_path(held2), {"batchStatus": "Open"})
    assert current(held2) == BatchStatus.OPEN
    assert (current(mine), current(held)) == (BatchStatus.CLOSED, BatchStatus.CLOSED)
    assert current(theirs) == BatchStatus.OPEN


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "batchStatus"),
        ({"batchStatus": "Archived"}, "batchStatus"),
        ({"batchStatus": 1}, "batchStatus"),
        ({"batchStatus": "Pending", "note": "x" * 256}, "note"),
        ({"batchStatus": "Pending", "leaveOpenBatchesAsIs": "yes"}, "leaveOpenBatchesAsIs"),
    ],
)
def test_an_invalid_status_change_is_400(api, batch, body, field):
    response = api.put(status_path(batch), body)

    assert response.status_code == 400
    assert list(response.get_json()["errors"]) == [field]
    assert current(batch) == BatchStatus.OPEN


def test_status_of_an_unknown_batch_is_404(api):
    assert (
        api.put("/api/v202206/batch/424242/status", {"batchStatus": "Pending"}).status_code == 404
    )


# --- status: whose batch, which permission ------------------------------------------------------


@pytest.fixture
def theirs():
    """Another person's Open batch."""
    other, _ = make_api_user("OTHER", "Other User")
    return make_batch(user=other, code="THEIRS", note="their note")


@pytest.mark.parametrize("target", ["Pending", "Closed"])
def test_setting_someone_elses_batch_to_pending_or_closed_needs_manage(api, theirs, target):
    response = api.put(status_path(theirs), {"batchStatus": target})

    assert response.status_code == 401
    assert "BillsAndBatches Manage permission" in response.get_json()["message"]
    theirs.refresh_from_db()
    assert (theirs.batch_status, theirs.end_date, theirs.note) == (
        BatchStatus.OPEN,
        None,
        "their note",
    )


@pytest.mark.parametrize("target", ["Pending", "Closed"])
def test_a_manager_sets_someone_elses_batch_to_pending_or_closed_and_it_stays_theirs(
    theirs, target
):
    _, key = make_api_user("LEAD", "Team Lead", manage=True)

    assert Api(key).put(status_path(theirs), {"batchStatus": target}).status_code == 204

    theirs.refresh_from_db()
    assert (theirs.batch_status, theirs.created_by.user_code) == (target, "OTHER")
    assert (theirs.end_date is not None) == (target == "Closed")


def test_opening_someone_elses_pending_batch_needs_only_create_and_makes_it_yours(api, owner):
    other, _ = make_api_user("OTHER", "Other User")
    held = make_batch(user=other, code="HELD", status=BatchStatus.PENDING)
    mine = make_batch(user=owner[0], code="MINE")
    their_open = make_batch(user=other, code="THEIR-OPEN")

    response = api.put(status_path(held), {"batchStatus": "Open"})

    assert response.status_code == 204
    held.refresh_from_db()
    assert (held.batch_status, held.created_by) == (BatchStatus.OPEN, owner[0])
    # Reopening closed the caller's other open batches, not the former owner's.
    assert (current(mine), current(their_open)) == (BatchStatus.CLOSED, BatchStatus.OPEN)
    shown = api.get(f"/api/v3/batch/{held.batch_id}").get_json()["createdBy"]
    assert shown["userCode"] == owner[0].user_code


def test_someone_elses_closed_batch_stays_closed_whatever_the_permission(theirs):
    theirs.batch_status = BatchStatus.CLOSED
    theirs.save()
    _, creator = make_api_user("CLERK", "A Clerk")
    _, manager = make_api_user("LEAD", "Team Lead", manage=True)

    assert Api(creator).put(status_path(theirs), {"batchStatus": "Open"}).status_code == 400
    assert Api(creator).put(status_path(theirs), {"batchStatus": "Pending"}).status_code == 401
    assert Api(manager).put(status_path(theirs), {"batchStatus": "Pending"}).status_code == 400
    assert current(theirs) == BatchStatus.CLOSED


# --- DELETE /api/v3/batch/{id} ------------------------------------------------------------------


@pytest.fixture
def deleter():
    return Api(make_api_user("ADMIN", "Ada Admin", create=False, delete=True)[1])


@pytest.mark.parametrize("status", [BatchStatus.OPEN, BatchStatus.PENDING, BatchStatus.CLOSED])
def test_delete_removes_the_batch_and_its_bills_with_204_and_no_body(deleter, owner, status):
    doomed = make_batch(
        user=owner[0], code="DOOMED", status=status, bill_count=7, running_total=812.5, flag_count=2
    )
    kept = make_batch(user=owner[0], code="KEPT", bill_count=1)

    response = deleter.delete(f"/api/v3/batch/{doomed.batch_id}")

    assert response.status_code == 204
    assert response.data == b""
    assert deleter.get(f"/api/v3/batch/{doomed.batch_id}").status_code == 404
    listed = deleter.get("/api/v3/batch")
    assert [row["batchCode"] for row in listed.get_json()] == ["KEPT"]
    assert listed.headers["TotalNumberOfRecords"] == "1"
    # Its code is free again.
    assert Api(owner[1]).post("/api/v3/batch", {"batchCode": "doomed"}).status_code == 200
    kept.refresh_from_db()
    assert kept.bill_count == 1


def test_deleting_an_unknown_or_already_deleted_batch_is_404(deleter, batch):
    assert deleter.delete(f"/api/v3/batch/{batch.batch_id}").status_code == 204

    again = deleter.delete(f"/api/v3/batch/{batch.batch_id}")

    assert again.status_code == 404
    assert again.get_json()["message"] == f"Batch {batch.batch_id} was not found."
    assert deleter.delete("/api/v3/batch/424242").status_code == 404
