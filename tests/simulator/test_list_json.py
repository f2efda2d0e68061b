"""A list page's JSON is byte for byte what json.dumps of the BatchResponse documents gives.

The list endpoint writes its rows straight from the database's values (serializers.list_json);
this compares it with the general writer (`dumps([batch_to_dict(batch) ...])`) over awkward
values, on whichever database the tests run (SQLite, PostgreSQL).
"""

from datetime import UTC, datetime

import pytest

from batchui.simulator.models import Batch, BatchStatus
from batchui.simulator.serializers import batch_to_dict, dumps
from tests.simulator.helpers import Api, make_api_user, make_batch

pytestmark = pytest.mark.django_db

AWKWARD_TEXT = [
    'quote " backslash \\ slash /',
    "new\nline\ttab\rreturn\x08\x0c\x01\x1f\x7f",
    "accents: éàü, CJK 日本, emoji 🙂, RTL שלום",
    "\u2028\u2029 separators",
    "",
]


def stored() -> list[Batch]:
    return list(Batch.objects.select_related("created_by").order_by("-batch_id"))


def test_awkward_values_are_written_as_json_dumps_writes_them():
    user, key = make_api_user(code='Q"UOTE\\', name='Zoë "Z" O\'Neil\n')
    totals = [0.1 + 0.2, 1e16, -2.5, 123456789.125, 0.0, 1e-7, 25415.63]
    for n, total in enumerate(totals):
        text = AWKWARD_TEXT[n % len(AWKWARD_TEXT)]
        make_batch(
            user=user,
            code=f"B{n}-{text[:5]}",
            status=[BatchStatus.OPEN, BatchStatus.PENDING, BatchStatus.CLOSED][n % 3],
            start_date=datetime(2026, 1 + n, 2, 3, 4, 5, 123456 * (n % 2), tzinfo=UTC),
            running_total=total,
            note=text or None,
            control_code=text,
            invoice_number=None if n % 2 else text,
            due_date="2026-02-03" if n % 2 else None,
            statement_date=text[:32],  # max_length 32
            next_reading=None,
            account_period_number=[None, 1, 12, 13, 0, 6, 2][n],
            account_period_year=[2026, 2026, None, 2026, 2026, -1, 10000][n],
            bill_count=n,
            flag_count=n % 2,
            analyzing_count=n % 3,
            has_imported_bills=bool(n % 2),
            has_imports_with_kickout=not n % 2,
            has_logs=bool(n % 3),
        )
    make_batch(
        user=user,
        code="CLOSED-LATE",
        status=BatchStatus.CLOSED,
        start_date=datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        end_date=datetime(2000, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
    )

    response = Api(key).get("/api/v3/batch", params={"pageSize": 1000})

    assert response.status_code == 200
    assert response.data == dumps([batch_to_dict(batch) for batch in stored()])


def test_pages_and_an_empty_page_match_too():
    user, key = make_api_user()
    for n in range(7):
        make_batch(user=user, code=f"P{n}", note=AWKWARD_TEXT[n % len(AWKWARD_TEXT)])
    everything = [batch_to_dict(batch) for batch in stored()]
    api = Api(key)

    pages = [
        api.get("/api/v3/batch", params={"pageSize": 3, "pageNumber": page}).data
        for page in (1, 2, 3, 4)
    ]

    assert pages == [
        dumps(everything[0:3]),
        dumps(everything[3:6]),
        dumps(everything[6:7]),
        b"[]",
    ]
