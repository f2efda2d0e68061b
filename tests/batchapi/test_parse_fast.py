"""parse_batches (the list pages' fast path) gives what the lenient parser gives, field for field,
or the same error, whatever the values sent."""

from __future__ import annotations

from decimal import Decimal
from types import MappingProxyType
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from batchui.batchapi import ApiBadResponse
from batchui.batchapi.values import parse_batch, parse_batches

VALID: dict[str, Any] = {
    "accountPeriodName": "March 2026",
    "accountPeriodNumber": 3,
    "accountPeriodYear": 2026,
    "analyzingCount": 0,
    "batchCode": "JSMITH_1",
    "batchId": 42,
    "batchStatus": "Open",
    "billCount": 7,
    "controlCode": None,
    "createdBy": {"fullName": "Jane Smith", "userCode": "JSMITH", "userId": 1},
    "dueDate": None,
    "endDate": None,
    "flagCount": 1,
    "hasImportedBills": False,
    "hasImportsWithKickout": True,
    "hasLogs": False,
    "invoiceNumber": "INV-1",
    "isOpen": True,
    "nextReading": None,
    "note": "a note",
    "runningTotal": Decimal("25415.63"),
    "startDate": "2026-03-04T05:06:07",
    "statementDate": None,
}

ODD_VALUES = st.sampled_from(
    [
        None,
        True,
        False,
        0,
        1,
        -3,
        1.5,
        Decimal("0.10"),
        Decimal("NaN"),
        Decimal("Infinity"),
        "",
        "Open",
        "pending",
        "CLOSED",
        "2026-03-04T05:06:07",
        "2026-03-04T24:00:00",
        "2026-13-04T05:06:07",
        "2026-03-04 05:06:07",
        "2026-03-04T05:06:07Z",
        "\uff12\uff10\uff12\uff16-03-04T05:06:07",  # full-width digits
        "2026-W10-1T05:06:07",
        [],
        {"userId": 2, "userCode": None, "fullName": None},
        {"userId": True, "userCode": "X", "fullName": "Y"},
        {"userId": 1, "userCode": "JSMITH", "fullName": "Jane Smith"},
        {"userCode": "NOID"},
    ]
)


def outcome(parse, data) -> Any:
    try:
        return ("ok", parse(data))
    except ApiBadResponse as error:
        return ("error", error.message)


def fields(result: Any) -> Any:
    # Equality and the exact types and time zones (repr), the dataclass's own equality aside.
    return (result[0], repr(result[1])) if result[0] == "ok" else result


@settings(max_examples=300, deadline=None)
@given(
    changes=st.dictionaries(st.sampled_from(sorted(VALID)), ODD_VALUES, max_size=4),
    removed=st.sets(st.sampled_from(sorted(VALID)), max_size=2),
)
def test_the_fast_path_agrees_with_the_lenient_one(changes, removed):
    data = {**VALID, **changes}
    for name in removed:
        data.pop(name, None)

    fast = outcome(lambda d: parse_batches([d])[0], data)
    lenient = outcome(parse_batch, MappingProxyType(data))  # not a dict: the lenient path only

    assert fields(fast) == fields(lenient)


def test_batches_of_one_user_share_their_created_by():
    page = parse_batches([{**VALID, "batchId": n} for n in (1, 2, 3)])

    assert page[0].created_by is page[1].created_by is page[2].created_by
    assert [batch.batch_id for batch in page] == [1, 2, 3]
    assert page == tuple(parse_batch({**VALID, "batchId": n}) for n in (1, 2, 3))
