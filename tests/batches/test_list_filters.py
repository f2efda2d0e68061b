"""Every field and operator of the seed's filter table, chosen in the list's query string, reaches
the API as the right filter text and lists the batches the API's semantics select."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from batchui.batchapi import FIELDS
from batchui.batchapi.filters import DATE_SHORTCUTS, FieldType
from batchui.simulator.models import ApiUser, BatchStatus
from tests.batches.conftest import filters_of, shown_ids
from tests.simulator.helpers import make_batch

NEGATIVE = ("not equals", "not like", "not one of")


@dataclass(frozen=True)
class Row:
    code: str
    values: dict  # API field name -> Python value (None: null)


def _rows(now: datetime, clerk: ApiUser, other: ApiUser) -> list[dict]:
    """Three batches whose values differ in every field (model field names)."""
    return [
        dict(
            code="ALPHA-1", status=BatchStatus.OPEN, user=clerk,
            start_date=now - timedelta(days=100), end_date=None,
            bill_count=5, running_total=100.25, has_imports_with_kickout=False,
            control_code="CC-One", invoice_number="INV-100", due_date="2026-02-01",
            statement_date="2026-01-31", next_reading="2026-03-01",
            account_period_year=2026, account_period_number=1,
        ),
        dict(
            code="BETA-2", status=BatchStatus.PENDING, user=other,
            start_date=now, end_date=None,
            bill_count=20, running_total=5000.5, has_imports_with_kickout=True,
            control_code="CC-Two", invoice_number="INV-200", due_date="2026-03-15",
            statement_date="2026-02-28", next_reading="2026-04-01",
            account_period_year=2026, account_period_number=2,
        ),
        dict(
            code="GAMMA-3", status=BatchStatus.CLOSED, user=clerk,
            start_date=now - timedelta(days=40), end_date=now - timedelta(days=1),
            bill_count=0, running_total=75000.0, has_imports_with_kickout=False,
            control_code=None, invoice_number=None, due_date=None,
            statement_date=None, next_reading=None,
            account_period_year=2025, account_period_number=12,
        ),
    ]  # fmt: skip


def _api_values(spec: dict) -> dict:
    user: ApiUser = spec["user"]
    return {
        "accountPeriod": spec["account_period_year"] * 100 + spec["account_period_number"],
        "batchCode": spec["code"],
        "batchStatus": str(spec["status"]),
        "billCount": spec["bill_count"],
        "controlCode": spec["control_code"],
        "duedate": spec["due_date"],
        "endDate": spec["end_date"],
        "fullName": user.full_name,
        "HasImportsWithKickout": spec["has_imports_with_kickout"],
        "invoiceNumber": spec["invoice_number"],
        "isOpen": spec["status"] == BatchStatus.OPEN,
        "nextReading": spec["next_reading"],
        "runningTotal": Decimal(str(spec["running_total"])),
        "startDate": spec["start_date"],
        "statementDate": spec["statement_date"],
        "systemUserCode": user.user_code,
        "systemUserId": user.pk,
    }


def _text(value) -> str:
    """How a person types the value (and how the API receives it)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _comparable(kind: FieldType, value):
    if value is None:
        return None
    if kind is FieldType.DATETIME:
        return value.date() if isinstance(value, datetime) else value
    if kind in (FieldType.STRING, FieldType.STATUS):
        return str(value).casefold()
    return value


def _matches(kind: FieldType, operator: str, actual, wanted: tuple, today: date) -> bool:
    """The API's documented semantics, as an oracle."""
    if actual is None:
        return operator in NEGATIVE
    x = _comparable(kind, actual)
    ws = [_comparable(kind, w) for w in wanted]
    if operator in DATE_SHORTCUTS:
        last = today - timedelta(days=1) if operator == "yesterday" else today
        days = int(operator.split()[1]) if operator.startswith("last") else 1
        return last - timedelta(days=days - 1) <= x <= last
    return {
        "equals": lambda: x == ws[0],
        "not equals": lambda: x != ws[0],
        "less than": lambda: x < ws[0],
        "greater than": lambda: x > ws[0],
        "less than equal": lambda: x <= ws[0],
        "greater than equal": lambda: x >= ws[0],
        "between": lambda: ws[0] <= x <= ws[1],
        "one of": lambda: x in ws,
        "not one of": lambda: x not in ws,
        "like": lambda: ws[0] in x,
        "not like": lambda: ws[0] not in x,
    }[operator]()


def _sample(field: str, operator: str, rows: list[dict]) -> tuple:
    """Values that make the operator select some rows and not others."""
    present = [row[field] for row in rows if row[field] is not None]
    if operator in DATE_SHORTCUTS:
        return ()
    if operator == "between":
        ordered = sorted(present, key=lambda v: _comparable(FIELDS[field].type, v))
        if len(ordered) == 1:  # endDate: one closed batch; a range ending on its day
            return (ordered[0] - timedelta(days=2), ordered[0])
        return (ordered[0], ordered[1])
    if operator in ("one of", "not one of"):
        return (present[0], present[-1])
    if operator in ("like", "not like"):
        return (str(present[-1])[1:4].lower(),)  # a piece of it, in another case
    return (rows[1][field] if rows[1][field] is not None else present[0],)


CASES = [(field, operator) for field, spec in FIELDS.items() for operator in spec.operators]


def test_the_cases_cover_the_whole_seed_table():
    assert len(CASES) == sum(len(spec.operators) for spec in FIELDS.values()) > 100
    assert {field for field, _ in CASES} == set(FIELDS)


@pytest.mark.parametrize(("field", "operator"), CASES, ids=[f"{f} {o}" for f, o in CASES])
def test_each_field_and_operator_from_the_query_string(
    field, operator, clerk_client, clerk_api_user, sent
):
    other = ApiUser.objects.create(user_code="OTHER", full_name="Olga Other")
    now = timezone.now().replace(microsecond=0)
    specs = _rows(now, clerk_api_user, other)
    ids = {}
    for spec in specs:
        fields = {k: v for k, v in spec.items() if k not in ("code", "status", "user")}
        batch = make_batch(user=spec["user"], code=spec["code"], status=spec["status"], **fields)
        ids[spec["code"]] = batch.batch_id
    rows = [_api_values(spec) for spec in specs]
    values = _sample(field, operator, rows)
    texts = [_text(value) for value in values]
    query = {"f": field, "op": operator, "size": "250"}
    if operator in ("one of", "not one of"):
        query["v"] = " | ".join(texts)  # people type spaces around the separator
    elif texts:
        query["v"] = texts[0]
        query["v2"] = texts[1] if len(texts) > 1 else ""

    response = clerk_client.get("/batches/", query)
    html = response.getvalue().decode()  # the page is streamed: the search runs as it is read

    assert response.status_code == 200
    expected_text = f"{field} {operator}" + (
        " " + "|".join(f"'{text}'" for text in texts) if texts else ""
    )
    assert filters_of(sent) == [expected_text]
    kind = FIELDS[field].type
    today = now.date()
    expected = {
        ids[spec["code"]]
        for spec, row in zip(specs, rows, strict=True)
        if _matches(kind, operator, row[field], values, today)
    }
    assert shown_ids(html) == expected


# --- words: choices in any letter case, operators in plain words, what a value looks like ------


def test_status_and_the_other_choices_are_accepted_in_any_letter_case(
    clerk_client, clerk_api_user, sent
):
    make_batch(user=clerk_api_user, code="CASE-1", bill_count=3)
    query = "status=Open&who=MINE&opened=Last+7+Days&f=BILLCOUNT&op=AT+LEAST&v=2&v2="
    response = clerk_client.get(f"/batches/?{query}")
    html = response.getvalue().decode()
    assert response.status_code == 200
    assert filters_of(sent) == [
        "batchStatus equals 'Open' and systemUserCode equals 'TCLERK' and "
        "startDate last 7 days and billCount greater than equal '2'"
    ]
    assert 'id="status-open" name="status" value="open" checked' in html
    assert 'id="who-mine" name="who" value="mine" checked' in html
    assert '<option value="last 7 days" selected>' in html
    assert "CASE-1" in html


def test_htmx_pushes_the_url_with_the_choices_normalised(clerk_client, clerk_api_user):
    response = clerk_client.get(
        "/batches/", {"status": "CLOSED", "f": "runningtotal", "op": "More Than", "v": "5"},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert response["HX-Push-Url"] == (
        "/batches/?status=closed&f=runningTotal&op=greater+than&v=5&v2="
    )


def test_operators_show_in_plain_words_while_the_url_and_the_api_keep_theirs(
    clerk_client, clerk_api_user, sent
):
    query = "f=startDate&op=less+than+equal&v=2026-11-22&v2=&f=batchCode&op=like&v=X&v2="
    html = clerk_client.get(f"/batches/?{query}").getvalue().decode()
    assert filters_of(sent) == ["startDate less than equal '2026-11-22' and batchCode like 'X'"]
    assert '<option value="less than equal" selected>on or before</option>' in html
    assert '<option value="greater than">after</option>' in html
    assert '<option value="like" selected>contains</option>' in html
    assert '<option value="one of">is one of</option>' in html
    html = clerk_client.get("/batches/?f=billCount&op=less+than+equal&v=3").getvalue().decode()
    assert '<option value="less than equal" selected>at most</option>' in html
    assert '<option value="between">between (both included)</option>' in html


@pytest.mark.parametrize(
    ("field", "help_text"),
    [
        (
            "startDate",
            "Type a date such as 2026-11-22, or a date and time such as 2026-11-22 14:05.",
        ),
        ("runningTotal", "Type a number such as 125.50."),
        ("batchStatus", "Type Open, Pending or Closed."),
        ("batchCode", "“contains” finds the text anywhere in the value, in any letter case"),
        ("endDate&op=last+7+days", "“in the last 7 days” takes no value."),
        ("billCount&op=one+of", "Type a whole number, such as 12. Separate the values with |"),
    ],
)
def test_each_field_says_what_a_value_looks_like(clerk_client, clerk_api_user, field, help_text):
    html = clerk_client.get(f"/batches/?f={field}&add=1").getvalue().decode()
    assert help_text in html
    assert (
        'id="cond-0-v" name="v" value="" autocomplete="off" aria-describedby="cond-0-help' in html
    )


def test_contains_needs_no_wildcard_and_one_typed_at_either_end_is_left_out(
    clerk_client, clerk_api_user, sent
):
    jsmith = ApiUser.objects.create(user_code="JSMITH", full_name="Jane Smith")
    make_batch(user=jsmith, code="JSMITH_20261122")
    make_batch(user=clerk_api_user, code="TCLERK_20261122")
    for query in ("code=JSMITH%25", "f=batchCode&op=like&v=*jsmith%25&v2="):
        html = clerk_client.get(f"/batches/?{query}").getvalue().decode()
        assert "JSMITH_20261122" in html
        assert "TCLERK_20261122" not in html
    assert filters_of(sent) == ["batchCode like 'JSMITH'", "batchCode like 'jsmith'"]
    html = clerk_client.get("/batches/?f=batchCode&op=like&v=%25&v2=").getvalue().decode()
    assert "Enter the text to look for (a % or * alone finds everything)." in html


def test_a_typed_iso_date_is_accepted_and_another_shape_is_refused_next_to_the_field(
    clerk_client, clerk_api_user, sent
):
    clerk_client.get("/batches/", {"opened_from": "2026-11-22"}).getvalue()
    assert filters_of(sent) == ["startDate greater than equal '2026-11-22'"]
    html = clerk_client.get("/batches/", {"opened_from": "22/11/2026"}).getvalue().decode()
    assert len(sent) == 1  # not searched
    assert (
        '<p id="opened-error" class="field-error">Opened from: “22/11/2026” is not a date. '
        "Type it as year-month-day, such as 2026-11-22."
    ) in html
    assert 'value="22/11/2026"' in html  # what was typed is kept
    html = clerk_client.get(
        "/batches/", {"closed_to": "2026-13-01"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert (
        '<p id="closed-error" class="field-error" hx-swap-oob="true">Closed to: “2026-13-01” '
        "is not a date. Type it as year-month-day, such as 2026-11-22."
    ) in html
    assert '<p id="opened-error" class="field-error" hx-swap-oob="true"></p>' in html
