"""POST /api/v3/batch: BatchCreate validation, uniqueness, closeExistingBatch, the response."""

from datetime import UTC, datetime, timedelta

import pytest

from batchui.simulator.models import Batch, BatchStatus
from tests.simulator.helpers import batch_body, make_api_user, make_batch

pytestmark = pytest.mark.django_db

BATCH_RESPONSE_FIELDS = {
    "accountPeriodName",
    "accountPeriodNumber",
    "accountPeriodYear",
    "analyzingCount",
    "batchCode",
    "batchId",
    "batchStatus",
    "billCount",
    "controlCode",
    "createdBy",
    "dueDate",
    "endDate",
    "flagCount",
    "hasImportedBills",
    "hasImportsWithKickout",
    "hasLogs",
    "invoiceNumber",
    "isOpen",
    "nextReading",
    "note",
    "runningTotal",
    "startDate",
    "statementDate",
}


def test_the_seed_example_body_with_a_real_year_opens_a_batch(api, owner):
    # open-batch.POST.txt's example, its accountPeriodYear (1) made valid.
    body = {
        "accountPeriodNumber": 1,
        "accountPeriodYear": 2026,
        "batchCode": "string",
        "closeExistingBatch": False,
        "controlCode": "string",
        "dueDate": "2026-03-30",
        "invoiceNumber": "string",
        "nextReading": "2026-03-30",
        "note": "string",
        "statementDate": "2026-03-30",
    }
    before = datetime.now(UTC).replace(microsecond=0)

    response = api.post("/api/v3/batch", body)

    assert response.status_code == 200
    created = response.get_json()
    assert set(created) == BATCH_RESPONSE_FIELDS
    stored = Batch.objects.get()
    user = owner[0]
    assert created == {
        "accountPeriodName": "January 2026",
        "accountPeriodNumber": 1,
        "accountPeriodYear": 2026,
        "analyzingCount": 0,
        "batchCode": "string",
        "batchId": stored.batch_id,
        "batchStatus": "Open",
        "billCount": 0,
        "controlCode": "string",
        "createdBy": {"fullName": "Jane Smith", "userCode": "JSMITH", "userId": user.id},
        "dueDate": "2026-03-30",
        "endDate": None,
        "flagCount": 0,
        "hasImportedBills": False,
        "hasImportsWithKickout": False,
        "hasLogs": False,
        "invoiceNumber": "string",
        "isOpen": True,
        "nextReading": "2026-03-30",
        "note": "string",
        "runningTotal": 0.0,
        "startDate": created["startDate"],
        "statementDate": "2026-03-30",
    }
    started = datetime.fromisoformat(created["startDate"]).replace(tzinfo=UTC)
    assert before <= started <= datetime.now(UTC) + timedelta(seconds=1)
    assert len(created["startDate"]) == len("2026-03-30T10:00:00")
    assert isinstance(created["runningTotal"], float)


def test_the_seed_example_body_as_written_is_400_for_its_year(api):
    response = api.post(
        "/api/v3/batch",
        {"accountPeriodNumber": 1, "accountPeriodYear": 1, "batchCode": "string"},
    )

    assert response.status_code == 400
    assert list(response.get_json()["errors"]) == ["accountPeriodYear"]
    assert not Batch.objects.exists()


def test_only_the_code_is_needed(api):
    response = api.post("/api/v3/batch", {"batchCode": "Maint_2026-03"})

    assert response.status_code == 200
    body = response.get_json()
    assert body["batchCode"] == "Maint_2026-03"
    for name in ("accountPeriodName", "accountPeriodNumber", "dueDate", "note", "controlCode"):
        assert body[name] is None


def test_the_period_name_needs_both_parts(api):
    response = api.post("/api/v3/batch", batch_body("P1", accountPeriodNumber=3))

    assert response.get_json()["accountPeriodName"] is None
    assert response.get_json()["accountPeriodNumber"] == 3


def test_unknown_fields_are_ignored(api):
    response = api.post("/api/v3/batch", batch_body("U1", color="blue", batchId=99))

    assert response.status_code == 200
    assert response.get_json()["batchCode"] == "U1"


def test_the_batch_is_created_by_the_key_owner(api, owner):
    api.post("/api/v3/batch", batch_body("MINE"))

    assert Batch.objects.get().created_by == owner[0]


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("2026-03-30", "2026-03-30"),
        ("2026-03-30T00:00:00", "2026-03-30"),
        ("2026-03-30T00:00:00Z", "2026-03-30"),
        ("2026-03-30T00:00", "2026-03-30"),
        ("2026-03-30T14:05:09", "2026-03-30T14:05:09"),
        ("2026-03-30T14:05:09.1234567", "2026-03-30T14:05:09"),
        ("2026-03-30T14:05", "2026-03-30T14:05:00"),
        ("2026-03-30T01:30:00+02:00", "2026-03-29T23:30:00"),
        ("2026-03-30T22:00:00-02:00", "2026-03-31"),
        (None, None),
    ],
)
@pytest.mark.parametrize("field", ["dueDate", "statementDate", "nextReading"])
def test_dates_are_stored_normalized(api, field, value, stored):
    response = api.post("/api/v3/batch", batch_body("D1", **{field: value}))

    assert response.status_code == 200, response.get_json()
    assert response.get_json()[field] == stored


# --- validation failures: each is a 400 naming the field, and nothing is stored ----------------

TOO_LONG = "x" * 256


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "batchCode"),
        ({"batchCode": None}, "batchCode"),
        ({"batchCode": ""}, "batchCode"),
        ({"batchCode": "   "}, "batchCode"),
        ({"batchCode": "\t\n"}, "batchCode"),
        ({"batchCode": TOO_LONG}, "batchCode"),
        ({"batchCode": "😀" * 128}, "batchCode"),  # 256 UTF-16 code units, as .NET counts
        ({"batchCode": 5}, "batchCode"),
        ({"batchCode": ["A"]}, "batchCode"),
        ({"batchCode": "A\x00B"}, "batchCode"),
        ({"batchCode": "A\ud800"}, "batchCode"),
        (batch_body("V", closeExistingBatch="true"), "closeExistingBatch"),
        (batch_body("V", closeExistingBatch=1), "closeExistingBatch"),
        (batch_body("V", closeExistingBatch=None), "closeExistingBatch"),
        (batch_body("V", accountPeriodNumber="5"), "accountPeriodNumber"),
        (batch_body("V", accountPeriodNumber=5.0), "accountPeriodNumber"),
        (batch_body("V", accountPeriodNumber=True), "accountPeriodNumber"),
        (batch_body("V", accountPeriodNumber=0), "accountPeriodNumber"),
        (batch_body("V", accountPeriodNumber=13), "accountPeriodNumber"),
        (batch_body("V", accountPeriodYear=1899), "accountPeriodYear"),
        (batch_body("V", accountPeriodYear=2100), "accountPeriodYear"),
        (batch_body("V", accountPeriodYear="2026"), "accountPeriodYear"),
        (batch_body("V", accountPeriodYear=2**31), "accountPeriodYear"),
        (batch_body("V", controlCode=TOO_LONG), "controlCode"),
        (batch_body("V", controlCode=7), "controlCode"),
        (batch_body("V", invoiceNumber=TOO_LONG), "invoiceNumber"),
        (batch_body("V", invoiceNumber=False), "invoiceNumber"),
        (batch_body("V", note=TOO_LONG), "note"),
        (batch_body("V", note={"text": "x"}), "note"),
        (batch_body("V", dueDate=""), "dueDate"),
        (batch_body("V", dueDate="30/03/2026"), "dueDate"),
        (batch_body("V", dueDate="2026-02-30"), "dueDate"),
        (batch_body("V", dueDate="2026-03-30 10:00:00"), "dueDate"),
        (batch_body("V", dueDate="2026-03-30T25:00:00"), "dueDate"),
        (batch_body("V", dueDate="20260330"), "dueDate"),
        (batch_body("V", dueDate=20260330), "dueDate"),
        (batch_body("V", statementDate="yesterday"), "statementDate"),
        (batch_body("V", nextReading="2026-03-30T10:00:00+15:00"), "nextReading"),
    ],
)
def test_an_invalid_field_is_400_naming_it(api, body, field):
    response = api.post("/api/v3/batch", body)

    assert response.status_code == 400
    error = response.get_json()
    assert list(error["errors"]) == [field]
    assert all(isinstance(message, str) and message for message in error["errors"][field])
    assert field in error["message"]
    assert not Batch.objects.exists()


def test_every_invalid_field_is_reported_at_once(api):
    response = api.post(
        "/api/v3/batch", {"batchCode": "", "accountPeriodYear": 1, "dueDate": "soon"}
    )

    assert set(response.get_json()["errors"]) == {"batchCode", "accountPeriodYear", "dueDate"}


def test_limits_are_inclusive(api):
    body = batch_body(
        "x" * 255,
        accountPeriodNumber=12,
        accountPeriodYear=2099,
        controlCode="c" * 255,
        invoiceNumber="",
        note="n" * 255,
    )

    response = api.post("/api/v3/batch", body)

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["accountPeriodName"] == "December 2099"
    assert api.post("/api/v3/batch", batch_body("Y", accountPeriodYear=1900)).status_code == 200


def test_property_names_match_case_insensitively_like_system_text_json(api):
    response = api.post("/api/v3/batch", {"BatchCode": "CASED", "NOTE": "n"})

    assert response.status_code == 200
    assert (response.get_json()["batchCode"], response.get_json()["note"]) == ("CASED", "n")


# --- uniqueness ---------------------------------------------------------------------------------


@pytest.mark.parametrize("again", ["Maint_01", "MAINT_01", "maint_01"])
def test_a_code_in_use_is_400_case_insensitively(api, owner, again):
    other, _ = make_api_user("OTHER", "Other User")
    make_batch(user=other, code="Maint_01", status=BatchStatus.CLOSED)

    response = api.post("/api/v3/batch", batch_body(again))

    assert response.status_code == 400
    assert "already exists" in response.get_json()["message"]
    assert list(response.get_json()["errors"]) == ["batchCode"]
    assert Batch.objects.count() == 1


def test_unicode_case_folding_counts_as_the_same_code(api, owner):
    make_batch(user=owner[0], code="STRASSE")

    assert api.post("/api/v3/batch", batch_body("straße")).status_code == 400


# --- closeExistingBatch -------------------------------------------------------------------------


def test_close_existing_closes_only_the_callers_open_batches(api, owner):
    me = owner[0]
    other, _ = make_api_user("OTHER", "Other User")
    mine_open = [make_batch(user=me, code=f"MINE{n}") for n in range(2)]
    mine_pending = make_batch(user=me, code="MINE_P", status=BatchStatus.PENDING)
    theirs_open = make_batch(user=other, code="THEIRS")

    response = api.post("/api/v3/batch", batch_body("FRESH", closeExistingBatch=True))

    assert response.status_code == 200
    for batch in mine_open:
        batch.refresh_from_db()
        assert batch.batch_status == BatchStatus.CLOSED
        assert batch.end_date is not None
    for batch, status in ((mine_pending, BatchStatus.PENDING), (theirs_open, BatchStatus.OPEN)):
        batch.refresh_from_db()
        assert (batch.batch_status, batch.end_date) == (status, None)
    assert Batch.objects.get(batch_code="FRESH").batch_status == BatchStatus.OPEN


def test_without_close_existing_several_open_batches_are_allowed(api, owner):
    make_batch(user=owner[0], code="FIRST")

    assert api.post("/api/v3/batch", batch_body("SECOND")).status_code == 200
    assert Batch.objects.filter(batch_status=BatchStatus.OPEN).count() == 2


def test_a_failed_create_does_not_close_the_existing_batches(api, owner):
    existing = make_batch(user=owner[0], code="TAKEN")

    response = api.post("/api/v3/batch", batch_body("taken", closeExistingBatch=True))

    assert response.status_code == 400
    existing.refresh_from_db()
    assert existing.batch_status == BatchStatus.OPEN
