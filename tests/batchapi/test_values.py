"""Parsing BatchResponse and writing BatchCreate / BatchEdit."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from batchui.batchapi import ApiBadResponse, BatchCreate, BatchEdit, BatchStatus, UserChild
from batchui.batchapi.dates import format_api_date, parse_api_datetime
from batchui.batchapi.values import BATCH_FIELDS, USER_FIELDS, Batch, parse_batch


def response(**overrides) -> dict:
    data = {
        "accountPeriodName": "March 2026",
        "accountPeriodNumber": 3,
        "accountPeriodYear": 2026,
        "analyzingCount": 1,
        "batchCode": "Maint_0330",
        "batchId": 42,
        "batchStatus": "Open",
        "billCount": 12,
        "controlCode": "CC-1",
        "createdBy": {"fullName": "Jane Smith", "userCode": "JSMITH", "userId": 7},
        "dueDate": "2026-04-15",
        "endDate": None,
        "flagCount": 2,
        "hasImportedBills": True,
        "hasImportsWithKickout": False,
        "hasLogs": True,
        "invoiceNumber": "INV-9",
        "isOpen": True,
        "nextReading": None,
        "note": "first batch",
        "runningTotal": Decimal("1234.56"),
        "startDate": "2026-03-30T14:05:09",
        "statementDate": "2026-03-31",
    }
    data.update(overrides)
    return data


def test_every_field_is_read():
    batch = parse_batch(response())
    assert batch.batch_id == 42
    assert batch.batch_code == "Maint_0330"
    assert batch.batch_status is BatchStatus.OPEN
    assert batch.is_open is True
    assert batch.start_date == datetime(2026, 3, 30, 14, 5, 9, tzinfo=UTC)
    assert batch.end_date is None
    assert (batch.bill_count, batch.flag_count, batch.analyzing_count) == (12, 2, 1)
    assert batch.running_total == Decimal("1234.56")
    assert (batch.has_imported_bills, batch.has_imports_with_kickout, batch.has_logs) == (
        True,
        False,
        True,
    )
    assert batch.created_by == UserChild(user_id=7, user_code="JSMITH", full_name="Jane Smith")
    assert (batch.due_date, batch.statement_date, batch.next_reading) == (
        "2026-04-15",
        "2026-03-31",
        None,
    )
    assert (batch.control_code, batch.invoice_number, batch.note) == (
        "CC-1",
        "INV-9",
        "first batch",
    )
    assert (batch.account_period_name, batch.account_period_number, batch.account_period_year) == (
        "March 2026",
        3,
        2026,
    )
    assert batch.recovered is False


def test_money_keeps_the_digits_sent():
    # What the client does with a body: parse_float=Decimal, so 0.1 stays 0.1.
    data = json.loads(json.dumps(response(runningTotal=0.1)), parse_float=Decimal)
    assert parse_batch(data).running_total == Decimal("0.1")
    assert parse_batch(response(runningTotal=5)).running_total == Decimal(5)


@pytest.mark.parametrize("status", ["open", "OPEN", "Open", " open "])
def test_status_in_any_case(status):
    assert parse_batch(response(batchStatus=status)).batch_status is BatchStatus.OPEN


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-30", datetime(2026, 3, 30, tzinfo=UTC)),
        ("2026-03-30T14:05:09", datetime(2026, 3, 30, 14, 5, 9, tzinfo=UTC)),
        ("2026-03-30T14:05", datetime(2026, 3, 30, 14, 5, tzinfo=UTC)),
        ("2026-03-30T14:05:09.5", datetime(2026, 3, 30, 14, 5, 9, 500000, tzinfo=UTC)),
        ("2026-03-30T14:05:09.1234567", datetime(2026, 3, 30, 14, 5, 9, 123456, tzinfo=UTC)),
        ("2026-03-30T14:05:09Z", datetime(2026, 3, 30, 14, 5, 9, tzinfo=UTC)),
        ("2026-03-30T14:05:09+02:00", datetime(2026, 3, 30, 12, 5, 9, tzinfo=UTC)),
        ("2026-03-30T14:05:09-0500", datetime(2026, 3, 30, 19, 5, 9, tzinfo=UTC)),
        (" 2026-03-30 14:05:09,5 ", datetime(2026, 3, 30, 14, 5, 9, 500000, tzinfo=UTC)),
    ],
)
def test_dates_in_every_shape_become_aware_utc(text, expected):
    parsed = parse_batch(response(startDate=text, endDate=text))
    assert parsed.start_date == expected
    assert parsed.end_date == expected
    assert parsed.start_date.utcoffset() == timedelta(0)


def test_a_date_time_without_offset_is_read_in_the_api_time_zone(settings):
    settings.BATCH_API_TIME_ZONE = "America/New_York"
    batch = parse_batch(response(startDate="2026-03-30T14:05:09", endDate="2026-01-05"))
    assert batch.start_date == datetime(2026, 3, 30, 18, 5, 9, tzinfo=UTC)  # EDT, UTC-4
    assert batch.end_date == datetime(2026, 1, 5, 5, 0, tzinfo=UTC)  # EST, UTC-5
    assert batch.start_date.utcoffset() == timedelta(0)


def test_a_blank_date_is_unknown():
    assert parse_batch(response(startDate="", endDate="  ")).start_date is None


def test_unknown_fields_are_ignored():
    assert parse_batch(response(newThing={"x": 1}, batchType="B")).batch_id == 42


def test_optional_fields_may_be_missing_or_null():
    data = response(createdBy=None)
    for name in ("note", "controlCode", "dueDate", "accountPeriodYear", "endDate", "startDate"):
        del data[name]
    batch = parse_batch(data)
    assert batch.created_by is None
    assert batch.note is None
    assert batch.start_date is None


@pytest.mark.parametrize(
    "broken",
    [
        {"batchId": None},
        {"batchId": "42"},
        {"batchId": True},
        {"batchCode": 5},
        {"batchStatus": "Archived"},
        {"isOpen": "true"},
        {"billCount": 1.5},
        {"runningTotal": "12.00"},
        {"runningTotal": True},
        {"startDate": "30/03/2026"},
        {"startDate": "2026-13-01"},
        {"createdBy": "JSMITH"},
        {"createdBy": {"userCode": "JSMITH"}},
        {"note": 3},
    ],
)
def test_wrong_or_missing_values_are_a_bad_response(broken):
    with pytest.raises(ApiBadResponse) as caught:
        parse_batch(response(**broken))
    assert caught.value.message.startswith("The Batch API sent a batch")


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ({"batchId": True}, "batchId is not a whole number"),
        ({"isOpen": 1}, "isOpen is not true or false"),
        ({"note": ["x"]}, "note is not text"),
        ({"batchStatus": "Archived"}, "batchStatus is not Open, Pending or Closed"),
        ({"startDate": "2026-03-04T24:00:00"}, "startDate is not a date or date-time"),
        ({"runningTotal": Decimal("NaN")}, "runningTotal is not a number"),
        ({"runningTotal": Decimal("-Infinity")}, "runningTotal is not a number"),
        ({"createdBy": ["JSMITH"]}, "createdBy is not a user"),
        ({"createdBy": {"userId": "7"}}, "userId is not a whole number"),
    ],
)
def test_a_wrong_value_is_named_with_what_it_should_be(broken, message):
    with pytest.raises(ApiBadResponse) as caught:
        parse_batch(response(**broken))
    assert caught.value.message == f"The Batch API sent a batch whose {message}."


def test_each_attribute_has_one_line_in_the_field_tables():
    # A field added to Batch or UserChild without its line would silently stay at its default.
    for fields, kind in ((BATCH_FIELDS, Batch), (USER_FIELDS, UserChild)):
        attributes = [field.attribute for field in fields]
        assert sorted(attributes) == sorted(set(kind.__dataclass_fields__) - {"recovered"})
        assert len({field.name for field in fields}) == len(fields)


@pytest.mark.parametrize("name", ["batchId", "batchCode", "batchStatus", "isOpen", "billCount"])
def test_missing_required_field_is_a_bad_response(name):
    data = response()
    del data[name]
    with pytest.raises(ApiBadResponse, match=name):
        parse_batch(data)


def test_not_an_object_is_a_bad_response():
    with pytest.raises(ApiBadResponse):
        parse_batch([response()])


def test_batch_create_json_is_camel_case_without_nones():
    create = BatchCreate(
        batch_code="Hist_2026",
        close_existing_batch=True,
        account_period_number=3,
        account_period_year=2026,
        due_date=date(2026, 4, 15),
        statement_date=datetime(2026, 3, 31, 12, 30),
        next_reading=datetime(2026, 5, 1, 1, 0, tzinfo=timezone(timedelta(hours=2))),
    )
    assert create.to_json() == {
        "batchCode": "Hist_2026",
        "closeExistingBatch": True,
        "accountPeriodNumber": 3,
        "accountPeriodYear": 2026,
        "dueDate": "2026-04-15",
        "statementDate": "2026-03-31T12:30:00",
        "nextReading": "2026-04-30T23:00:00",
    }
    assert BatchCreate(batch_code="A").to_json() == {"batchCode": "A", "closeExistingBatch": False}


@pytest.mark.parametrize(
    "wrong",
    [
        {"batch_code": None},
        {"close_existing_batch": "yes"},
        {"account_period_year": "2026"},
        {"due_date": "2026-04-15"},
        {"note": 5},
    ],
)
def test_batch_create_refuses_wrong_types(wrong):
    with pytest.raises(TypeError):
        BatchCreate(**{"batch_code": "A", **wrong})


def test_batch_edit_always_sends_the_note():
    assert BatchEdit(batch_code="A", note=None).to_json() == {"batchCode": "A", "note": None}
    assert BatchEdit(batch_code="A", note="x").to_json() == {"batchCode": "A", "note": "x"}


def test_date_helpers_round_trip():
    moment = datetime(2026, 3, 30, 14, 5, 9, 250000, tzinfo=UTC)
    assert format_api_date(moment) == "2026-03-30T14:05:09.250000"
    assert parse_api_datetime(format_api_date(moment)) == moment
    with pytest.raises(TypeError):
        format_api_date("2026-03-30")  # type: ignore[arg-type]


ODD_VALUES = [None, True, 0, -3, 1.5, Decimal("NaN"), "", "pending", "2026-03-04T24:00:00", []]
ODD_VALUES += ["2026-W10-1T05:06:07", {"userId": True}, {"userId": 1, "userCode": None}]


@settings(max_examples=200, deadline=None)
@given(
    changes=st.dictionaries(
        st.sampled_from(sorted(response())),
        st.sampled_from(ODD_VALUES),
        max_size=4,
    ),
    removed=st.sets(st.sampled_from(sorted(response())), max_size=2),
)
def test_any_odd_value_gives_a_batch_or_a_bad_response(changes, removed):
    data = {**response(), **changes}
    for name in removed:
        data.pop(name, None)
    try:
        batch = parse_batch(data)
    except ApiBadResponse as error:
        message = error.message
    else:
        message = ""
        assert batch.batch_id == data["batchId"]
    assert message == "" or message.startswith("The Batch API sent a batch")
