"""PUT /api/v202206/batch/{id}/status and DELETE /api/v3/batch/{id}, as EnergyCAP documents them
(the SDK's update_batch_status and delete_batch; batch-api.md, "Neighbours"): each status code,
each transition, whose batch with which permission, and what happens to the other batches."""

import pytest

from batchui.simulator.models import Batch, BatchStatus
from tests.simulator.helpers import Api, make_api_user, make_batch

pytestmark = pytest.mark.django_db

OPEN, PENDING, CLOSED = BatchStatus.OPEN, BatchStatus.PENDING, BatchStatus.CLOSED


def status_path(batch: Batch) -> str:
    return f"/api/v202206/batch/{batch.batch_id}/status"


def current(batch: Batch) -> str:
    batch.refresh_from_db()
    return batch.batch_status


@pytest.fixture
def batch(owner):
    """The caller's own Open batch."""
    return make_batch(user=owner[0], code="Maint_01", note="old note", bill_count=3)


@pytest.fixture
def other():
    return make_api_user("OTHER", "Other User")[0]


# --- status: the transitions --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "target", "code"),
    [
        (OPEN, PENDING, 204),
        (OPEN, CLOSED, 204),
        (OPEN, OPEN, 400),
        (PENDING, OPEN, 204),
        (PENDING, CLOSED, 204),
        (PENDING, PENDING, 400),
        (CLOSED, OPEN, 400),
        (CLOSED, PENDING, 400),
        (CLOSED, CLOSED, 400),
    ],
)
def test_open_only_from_pending_pending_only_from_open_closed_from_either_and_final(
    api, owner, start, target, code
):
    mine = make_batch(user=owner[0], code="MINE", status=start)
    before = mine.end_date

    response = api.put(status_path(mine), {"batchStatus": target})

    assert response.status_code == code
    mine.refresh_from_db()
    if code == 204:
        assert response.data == b""
        assert mine.batch_status == target
        assert (mine.end_date is not None) == (target == CLOSED)
    else:
        problem = "a closed batch cannot change" if start == CLOSED else f"already {target}"
        assert problem in response.get_json()["message"]
        assert (mine.batch_status, mine.end_date) == (start, before)


def test_the_status_is_matched_case_insensitively(api, batch):
    assert api.put(status_path(batch), {"batchStatus": "pENDING"}).status_code == 204
    assert current(batch) == PENDING


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ({}, "old note"),
        ({"note": None}, "old note"),
        ({"note": ""}, None),
        ({"note": "waiting for the invoice"}, "waiting for the invoice"),
    ],
)
def test_the_note_null_is_unchanged_empty_removes_it_text_sets_it(api, batch, sent, stored):
    assert api.put(status_path(batch), {"batchStatus": "Pending", **sent}).status_code == 204

    batch.refresh_from_db()
    assert batch.note == stored
    assert api.get(f"/api/v3/batch/{batch.batch_id}").get_json()["note"] == stored


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "batchStatus"),
        ({"batchStatus": None}, "batchStatus"),
        ({"batchStatus": "Archived"}, "batchStatus"),
        ({"batchStatus": 1}, "batchStatus"),
        ({"batchStatus": "Pending", "note": "x" * 256}, "note"),
        ({"batchStatus": "Pending", "note": 5}, "note"),
        ({"batchStatus": "Pending", "leaveOpenBatchesAsIs": "yes"}, "leaveOpenBatchesAsIs"),
    ],
)
def test_an_invalid_status_change_is_400_naming_the_field(api, batch, body, field):
    response = api.put(status_path(batch), body)

    assert response.status_code == 400
    assert list(response.get_json()["errors"]) == [field]
    batch.refresh_from_db()
    assert (batch.batch_status, batch.note) == (OPEN, "old note")


def test_a_status_change_without_a_json_body_is_400_or_415(api, batch):
    assert api.put(status_path(batch), data=b"", content_type="application/json").status_code == 400
    assert api.put(status_path(batch), data=b"x", content_type="text/plain").status_code == 415


def test_status_of_an_unknown_batch_is_404(api):
    response = api.put("/api/v202206/batch/424242/status", {"batchStatus": "Pending"})

    assert response.status_code == 404
    assert response.get_json()["message"] == "Batch 424242 was not found."


# --- status: whose batch, which permission ------------------------------------------------------


def test_changing_even_ones_own_batch_needs_create(owner):
    viewer, key = make_api_user("VIEWER", "Vic Viewer", create=False, manage=True)
    own = make_batch(user=viewer, code="OWN")

    response = Api(key).put(status_path(own), {"batchStatus": "Pending"})

    assert response.status_code == 401
    assert "BillsAndBatches Create permission" in response.get_json()["message"]
    assert current(own) == OPEN


@pytest.mark.parametrize(("start", "target"), [(OPEN, PENDING), (OPEN, CLOSED), (PENDING, CLOSED)])
def test_setting_someone_elses_batch_to_pending_or_closed_needs_manage(api, other, start, target):
    theirs = make_batch(user=other, code="THEIRS", status=start, note="their note")

    response = api.put(status_path(theirs), {"batchStatus": target, "note": "mine"})

    assert response.status_code == 401
    assert "BillsAndBatches Manage permission" in response.get_json()["message"]
    theirs.refresh_from_db()
    assert (theirs.batch_status, theirs.end_date, theirs.note) == (start, None, "their note")


@pytest.mark.parametrize(("start", "target"), [(OPEN, PENDING), (OPEN, CLOSED), (PENDING, CLOSED)])
def test_a_manager_sets_someone_elses_batch_to_pending_or_closed_and_it_stays_theirs(
    other, start, target
):
    theirs = make_batch(user=other, code="THEIRS", status=start)
    lead, key = make_api_user("LEAD", "Team Lead", manage=True)
    leads_own = make_batch(user=lead, code="LEADS")

    response = Api(key).put(status_path(theirs), {"batchStatus": target, "note": "on hold"})

    assert response.status_code == 204
    theirs.refresh_from_db()
    assert (theirs.batch_status, theirs.created_by, theirs.note) == (target, other, "on hold")
    assert current(leads_own) == OPEN


@pytest.mark.parametrize("manage", [False, True])
def test_opening_someone_elses_pending_batch_needs_only_create_and_makes_it_the_callers(
    api, owner, other, manage
):
    me = owner[0]
    me.can_manage = manage
    me.save()
    held = make_batch(user=other, code="HELD", status=PENDING, note="their note")
    mine = make_batch(user=me, code="MINE", note="my note")
    my_closed = make_batch(user=me, code="MY-CLOSED", status=CLOSED)
    their_open = make_batch(user=other, code="THEIR-OPEN")

    response = api.put(status_path(held), {"batchStatus": "Open"})

    assert response.status_code == 204
    held.refresh_from_db()
    assert (held.batch_status, held.created_by, held.note) == (OPEN, me, "their note")
    shown = api.get(f"/api/v3/batch/{held.batch_id}").get_json()
    assert (shown["createdBy"]["userCode"], shown["isOpen"]) == (me.user_code, True)
    # The caller's own open batch is set to Pending (not closed); nothing else moves.
    mine.refresh_from_db()
    assert (mine.batch_status, mine.end_date, mine.note) == (PENDING, None, "my note")
    assert (current(my_closed), current(their_open)) == (CLOSED, OPEN)


def test_opening_someone_elses_batch_puts_the_note_only_on_the_callers_batch_set_to_pending(
    api, owner, other
):
    held = make_batch(user=other, code="HELD", status=PENDING, note="their note")
    mine = make_batch(user=owner[0], code="MINE", note="my note")

    api.put(status_path(held), {"batchStatus": "Open", "note": "taking over HELD"})

    held.refresh_from_db()
    mine.refresh_from_db()
    assert (held.note, mine.note) == ("their note", "taking over HELD")
    assert mine.batch_status == PENDING


def test_opening_someone_elses_batch_with_no_open_batch_of_ones_own_changes_no_note(
    api, owner, other
):
    held = make_batch(user=other, code="HELD", status=PENDING, note="their note")
    my_pending = make_batch(user=owner[0], code="MY-PENDING", status=PENDING, note="mine")

    assert api.put(status_path(held), {"batchStatus": "Open", "note": "x"}).status_code == 204

    held.refresh_from_db()
    my_pending.refresh_from_db()
    assert (held.batch_status, held.created_by, held.note) == (OPEN, owner[0], "their note")
    assert (my_pending.batch_status, my_pending.note) == (PENDING, "mine")


def test_leave_open_batches_as_is_keeps_the_callers_open_batch_open(api, owner, other):
    held = make_batch(user=other, code="HELD", status=PENDING, note="their note")
    mine = make_batch(user=owner[0], code="MINE", note="my note")

    response = api.put(
        status_path(held), {"batchStatus": "Open", "note": "x", "leaveOpenBatchesAsIs": True}
    )

    assert response.status_code == 204
    held.refresh_from_db()
    mine.refresh_from_db()
    assert (held.batch_status, held.created_by, held.note) == (OPEN, owner[0], "their note")
    assert (mine.batch_status, mine.note) == (OPEN, "my note")


def test_reopening_ones_own_pending_batch_leaves_the_other_open_batches_as_they_are(api, owner):
    held = make_batch(user=owner[0], code="HELD", status=PENDING)
    mine = make_batch(user=owner[0], code="MINE")

    api.put(status_path(held), {"batchStatus": "Open", "note": "back"})

    held.refresh_from_db()
    assert (held.batch_status, held.note) == (OPEN, "back")
    assert current(mine) == OPEN


def test_someone_elses_open_or_closed_batch_cannot_be_opened_nor_taken_over(api, owner, other):
    their_open = make_batch(user=other, code="THEIR-OPEN")
    their_closed = make_batch(user=other, code="THEIR-CLOSED", status=CLOSED)
    mine = make_batch(user=owner[0], code="MINE")

    assert api.put(status_path(their_open), {"batchStatus": "Open"}).status_code == 400
    assert api.put(status_path(their_closed), {"batchStatus": "Open"}).status_code == 400

    for theirs, status in ((their_open, OPEN), (their_closed, CLOSED)):
        theirs.refresh_from_db()
        assert (theirs.batch_status, theirs.created_by) == (status, other)
    assert current(mine) == OPEN


def test_someone_elses_closed_batch_stays_closed_whatever_the_permission(other):
    theirs = make_batch(user=other, code="THEIRS", status=CLOSED)
    _, clerk = make_api_user("CLERK", "A Clerk")
    _, lead = make_api_user("LEAD", "Team Lead", manage=True)

    assert Api(clerk).put(status_path(theirs), {"batchStatus": "Pending"}).status_code == 401
    assert Api(lead).put(status_path(theirs), {"batchStatus": "Pending"}).status_code == 400
    assert current(theirs) == CLOSED


# --- DELETE /api/v3/batch/{id} ------------------------------------------------------------------


@pytest.fixture
def deleter():
    """A user with the Delete permission only: it needs no other."""
    return Api(make_api_user("ADMIN", "Ada Admin", view=False, create=False, delete=True)[1])


@pytest.mark.parametrize("status", [OPEN, PENDING, CLOSED])
def test_delete_removes_anyones_batch_and_its_bills_with_204_and_no_body(deleter, owner, status):
    doomed = make_batch(
        user=owner[0], code="DOOMED", status=status, bill_count=7, running_total=812.5, flag_count=2
    )
    make_batch(user=owner[0], code="KEPT", bill_count=1, running_total=10.0)

    response = deleter.delete(f"/api/v3/batch/{doomed.batch_id}")

    assert response.status_code == 204
    assert response.data == b""
    reader = Api(owner[1])
    assert reader.get(f"/api/v3/batch/{doomed.batch_id}").status_code == 404
    listed = reader.get("/api/v3/batch")
    assert [row["batchCode"] for row in listed.get_json()] == ["KEPT"]
    assert listed.headers["TotalNumberOfRecords"] == "1"
    # Its bills went with it: no bill count or total of it remains anywhere.
    totals = reader.get("/api/v3/batch", params={"filter": "billCount greater than '0'"})
    assert [(row["billCount"], row["runningTotal"]) for row in totals.get_json()] == [(1, 10.0)]
    # Its code is free again.
    assert reader.post("/api/v3/batch", {"batchCode": "doomed"}).status_code == 200


def test_deleting_an_unknown_or_already_deleted_batch_is_404(deleter, batch):
    assert deleter.delete(f"/api/v3/batch/{batch.batch_id}").status_code == 204

    again = deleter.delete(f"/api/v3/batch/{batch.batch_id}")

    assert again.status_code == 404
    assert again.get_json()["message"] == f"Batch {batch.batch_id} was not found."
    assert deleter.delete("/api/v3/batch/424242").status_code == 404


@pytest.mark.parametrize("owns_it", [False, True])
def test_delete_without_the_delete_permission_is_401_whatever_else_the_user_may_do(
    owner, batch, owns_it
):
    user, key = make_api_user("LEAD", "Team Lead", manage=True)
    target = make_batch(user=user, code="LEADS") if owns_it else batch

    response = Api(key).delete(f"/api/v3/batch/{target.batch_id}")

    assert response.status_code == 401
    assert "BillsAndBatches Delete permission" in response.get_json()["message"]
    assert Batch.objects.filter(pk=target.pk).exists()


def test_an_unknown_batch_is_401_not_404_without_the_delete_permission(api):
    # The permission is checked before the batch is looked up, as for every endpoint.
    assert api.delete("/api/v3/batch/424242").status_code == 401
