"""The filter language of GET /api/v3/batch against a small hand-made set of batches.

The field/operator table below is copied from the seed document (list-batches.GET.txt), not from
the implementation, and every (field, operator) pair it lists has at least one case here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from batchui.simulator.filters import FilterError, Statement, apply_filter, parse_filter
from batchui.simulator.models import ApiUser, Batch

# The "Filters" table of list-batches.GET.txt, verbatim (description and type columns included).
SEED_TABLE = """
accountPeriod AccountPeriod equals not equals less than between greater than less than equal greater than equal
batchCode Batch Number String equals not equals one of like not like not one of
batchStatus Batch Status String equals not equals one of not one of
billCount Bills in Batch Integer equals not equals less than between one of greater than less than equal greater than equal not one of
controlCode Batch Control Batch String equals not equals one of like not like not one of
duedate Batch Due Date String equals not equals one of like not like not one of
endDate Batch Close Date DateTime equals not equals less than between greater than less than equal greater than equal today yesterday last 7 days last 14 days last 30 days last 60 days last 90 days
fullName String equals not equals one of like not like not one of
HasImportsWithKickout Batch Has Imports with Kickouts Boolean equals
invoiceNumber Batch Invoice Number String equals not equals one of like not like not one of
isOpen Boolean equals
nextReading Batch Next Reading Date String equals not equals one of like not like not one of
runningTotal Batch Total Cost Double equals not equals less than between greater than less than equal greater than equal
startDate Batch Open Date DateTime equals not equals less than between greater than less than equal greater than equal today yesterday last 7 days last 14 days last 30 days last 60 days last 90 days
statementDate Batch Statement Date String equals not equals one of like not like not one of
systemUserCode Batch Created By User Code String equals not equals one of like not like not one of
systemUserId Integer equals not equals less than between one of greater than less than equal greater than equal not one of
"""  # noqa: E501

# Operator phrases of batch-api.md, longest first so that "less than equal" wins over "less than".
VOCABULARY = sorted(
    [
        "equals",
        "not equals",
        "less than",
        "greater than",
        "less than equal",
        "greater than equal",
        "like",
        "not like",
        "one of",
        "not one of",
        "between",
        "not between",
        "today",
        "yesterday",
        "last 7 days",
        "last 14 days",
        "last 30 days",
        "last 60 days",
        "last 90 days",
    ],
    key=lambda phrase: -len(phrase.split()),
)


def read_seed_table() -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for line in SEED_TABLE.strip().splitlines():
        field, *words = line.split()
        operators: list[str] = []
        i = 0
        while i < len(words):
            phrase = next(
                (p for p in VOCABULARY if words[i : i + len(p.split())] == p.split()), None
            )
            if phrase is None:  # a description or type word
                assert not operators, f"stray word {words[i]!r} among the operators of {field}"
                i += 1
                continue
            operators.append(phrase)
            i += len(phrase.split())
        table[field] = operators
    return table


SEED = read_seed_table()

NOW = datetime(2024, 4, 10, 15, 30, tzinfo=UTC)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


USERS = {
    "u1": ("JSMITH", "Jane O'Brien"),
    "u2": ("m.lopez", "María López"),
    "u3": ("Straße_3", "GROSS Straße"),
}

# key: code, status, start, end, bills, total, user, due, statement, next reading, control code,
# invoice number, (account period year, number), has imports with kickout
BATCHES = {
    "A": ("Maint_2024-03", "Closed", "2024-03-01T08:00", "2024-03-31T00:00", 10, 100.5, "u1",
          "2024-04-15", "2024-03-31", "2024-04-30T00:00:00", "CTRL-1", "INV 100%", (2024, 3), True),
    "B": ("Hist_O'Brien and Co|x", "Closed", "2024-03-28T00:00", "2024-03-31T23:59:59", 3, 100.0,
          "u1", "2024-04-15T00:00:00", "2024-04-01", None, "ctrl-1", "O'Brien's", (2023, 12),
          False),
    "C": ("Ünïcödé Straße", "Open", "2024-04-10T00:00", None, 0, 0.0, "u2",
          None, None, None, None, None, None, False),
    "D": ("PEND_%_*", "Pending", "2024-04-09T23:59:59", None, 5, -20.25, "u3",
          "2024-05-01", "2024-04-01", "2024-05-31", "Ctrl-2", "inv_200", (2024, 4), True),
    "E": ("Maint_2024-01", "Closed", "2024-01-12T00:00", "2024-02-10T12:00", 25, 1000.0, "u1",
          "2024-06-30", None, "2024-04-30", "X", "INV 100", (2024, 1), False),
    "F": ("Old_batch", "Closed", "2024-01-11T23:59:59", "2024-04-01T00:00", 7, 250.0, "u2",
          "2024-04-15", "2024-03-31", None, None, "inv 100%", (2024, 2), False),
    "G": ("straße-g", "Closed", "2024-02-11T00:00", "2024-04-09T00:00", 1, 99.99, "u3",
          "2024-04-15", "2024-04-01", "2024-04-30", "ctrl-10", None, (2024, 3), False),
    "H": ("H 100%", "Closed", "2024-03-12T00:00", "2024-04-10T15:00", 10, 500.0, "u2",
          "2024-04-16", "2024-04-10", "2024-04-30", "ĈTRL-3", "INV-300", (2024, 4), False),
    "I": ("i-batch", "Closed", "2024-04-04T00:00", "2024-04-04T00:00", 0, 0.0, "u3",
          None, "2024-04-01", "2024-05-31", "", "Inv 100", (2024, 2), False),
    "J": ("J*star", "Closed", "2024-03-27T23:59:59", "2024-04-03T23:59:59", 2, 100.5, "u1",
          "2024-04-15t00:00:00", "2024-03-31T12:00:00Z", None, "o'ctrl", None, (2024, 3), False),
    "K": ("\u212aelvin", "Open", "2024-02-10T23:59:59", None, 4, 12.5, "u2",
          "2024-05-01", None, "2024-04-30t00:00:00", None, "#5", None, False),
}  # fmt: skip


@pytest.fixture
def dataset(db) -> dict[str, int]:
    """The users and batches above; returns the user ids by key (u1 < u2 < u3)."""
    users = {}
    for key, (code, name) in USERS.items():
        user = ApiUser(user_code=code, full_name=name)
        user.save()
        users[key] = user
    for key, row in BATCHES.items():
        (code, status, start, end, bills, total, user, due, statement, next_reading, control,
         invoice, period, kickout) = row  # fmt: skip
        Batch(
            batch_code=code,
            batch_status=status,
            start_date=at(start),
            end_date=at(end) if end else None,
            bill_count=bills,
            running_total=total,
            created_by=users[user],
            due_date=due,
            statement_date=statement,
            next_reading=next_reading,
            control_code=control,
            invoice_number=invoice,
            account_period_year=period[0] if period else None,
            account_period_number=period[1] if period else None,
            has_imports_with_kickout=kickout,
            note=key,
        ).save()
    return {key: user.pk for key, user in users.items()}


def selected(text: str | None, *, now: datetime = NOW) -> str:
    """The keys (notes) of the batches the filter selects, sorted, as one string."""
    return "".join(
        sorted(apply_filter(Batch.objects.all(), text, now=now).values_list("note", flat=True))
    )


# (field, operator, filter, expected batch keys). <u1>.. stand for the users' ids.
CASES = [
    ("accountPeriod", "equals", "accountPeriod equals '202403'", "AGJ"),
    ("accountPeriod", "not equals", "accountPeriod not equals '202403'", "BCDEFHIK"),
    ("accountPeriod", "less than", "accountPeriod less than '202402'", "BE"),
    ("accountPeriod", "greater than", "accountPeriod greater than '202403'", "DH"),
    ("accountPeriod", "less than equal", "accountPeriod less than equal '202402'", "BEFI"),
    ("accountPeriod", "greater than equal", "accountPeriod greater than equal '202404'", "DH"),
    ("accountPeriod", "between", "accountPeriod between '202401'|'202402'", "EFI"),
    ("batchCode", "equals", "batchCode equals 'maint_2024-03'", "A"),
    ("batchCode", "equals", "batchCode equals 'HIST_O''BRIEN AND CO|X'", "B"),
    ("batchCode", "equals", "batchCode equals 'ÜNÏCÖDÉ STRASSE'", "C"),
    ("batchCode", "equals", "batchCode equals 'KELVIN'", "K"),
    ("batchCode", "not equals", "batchCode not equals 'MAINT_2024-03'", "BCDEFGHIJK"),
    ("batchCode", "one of", "batchCode one of 'KELVIN'|'Old_Batch'|'nope'", "FK"),
    ("batchCode", "not one of", "batchCode not one of 'kelvin'|'old_batch'", "ABCDEGHIJ"),
    ("batchCode", "like", "batchCode like '%'", "DH"),
    ("batchCode", "like", "batchCode like '_'", "ABDEF"),
    ("batchCode", "like", "batchCode like '*'", "DJ"),
    ("batchCode", "like", "batchCode like 'STRASSE'", "CG"),
    ("batchCode", "like", "batchCode like ' and co|'", "B"),
    ("batchCode", "not like", "batchCode not like 'maint'", "BCDFGHIJK"),
    ("batchStatus", "equals", "batchStatus equals 'open'", "CK"),
    ("batchStatus", "not equals", "batchStatus not equals 'CLOSED'", "CDK"),
    ("batchStatus", "one of", "batchStatus one of 'Open'|'pending'", "CDK"),
    ("batchStatus", "not one of", "batchStatus not one of 'open'", "ABDEFGHIJ"),
    ("billCount", "equals", "billCount equals '10'", "AH"),
    ("billCount", "not equals", "billCount not equals '10'", "BCDEFGIJK"),
    ("billCount", "less than", "billCount less than '3'", "CGIJ"),
    ("billCount", "greater than", "billCount greater than '7'", "AEH"),
    ("billCount", "less than equal", "billCount less than equal '3'", "BCGIJ"),
    ("billCount", "greater than equal", "billCount greater than equal '7'", "AEFH"),
    ("billCount", "between", "billCount between '3'|'7'", "BDFK"),
    ("billCount", "one of", "billCount one of '0'|'25'", "CEI"),
    ("billCount", "not one of", "billCount not one of '0'|'10'|'25'", "BDFGJK"),
    ("controlCode", "equals", "controlCode equals 'ctrl-1'", "AB"),
    ("controlCode", "equals", "controlCode equals ''", "I"),
    ("controlCode", "not equals", "controlCode not equals 'CTRL-1'", "CDEFGHIJK"),
    ("controlCode", "one of", "controlCode one of 'CTRL-2'|'x'", "DE"),
    ("controlCode", "not one of", "controlCode not one of 'ctrl-1'|'ctrl-2'", "CEFGHIJK"),
    ("controlCode", "like", "controlCode like 'CTRL'", "ABDGJ"),
    ("controlCode", "like", "controlCode like 'ĉtrl'", "H"),
    ("controlCode", "like", "controlCode like 'O''C'", "J"),
    ("controlCode", "not like", "controlCode not like 'ctrl-1'", "CDEFHIJK"),
    ("duedate", "equals", "duedate equals '2024-04-15'", "AFG"),
    ("duedate", "equals", "duedate equals '2024-04-15T00:00:00'", "BJ"),
    ("duedate", "not equals", "duedate not equals '2024-04-15'", "BCDEHIJK"),
    ("duedate", "one of", "duedate one of '2024-05-01'|'2024-06-30'", "DEK"),
    ("duedate", "not one of", "duedate not one of '2024-04-15'|'2024-05-01'", "BCEHIJ"),
    ("duedate", "like", "duedate like '2024-04-1'", "ABFGHJ"),
    ("duedate", "like", "duedate like 'T00'", "BJ"),
    ("duedate", "not like", "duedate not like '-04-'", "CDEIK"),
    ("endDate", "equals", "endDate equals '2024-03-31'", "AB"),
    ("endDate", "equals", "endDate equals '2024-03-31T23:59:59Z'", "B"),
    ("endDate", "not equals", "endDate not equals '2024-03-31'", "CDEFGHIJK"),
    ("endDate", "less than", "endDate less than '2024-04-01'", "ABE"),
    ("endDate", "greater than", "endDate greater than '2024-04-03'", "GHI"),
    ("endDate", "less than equal", "endDate less than equal '2024-04-01'", "ABEF"),
    ("endDate", "greater than equal", "endDate greater than equal '2024-04-03'", "GHIJ"),
    ("endDate", "between", "endDate between '2024-03-31'|'2024-04-01'", "ABF"),
    ("endDate", "today", "endDate today", "H"),
    ("endDate", "yesterday", "endDate yesterday", "G"),
    ("endDate", "last 7 days", "endDate last 7 days", "GHI"),
    ("endDate", "last 14 days", "endDate last 14 days", "ABFGHIJ"),
    ("endDate", "last 30 days", "endDate last 30 days", "ABFGHIJ"),
    ("endDate", "last 60 days", "endDate last 60 days", "ABFGHIJ"),
    ("endDate", "last 90 days", "endDate last 90 days", "ABEFGHIJ"),
    ("fullName", "equals", "fullName equals 'jane o''brien'", "ABEJ"),
    ("fullName", "not equals", "fullName not equals 'MARÍA LÓPEZ'", "ABDEGIJ"),
    ("fullName", "one of", "fullName one of 'María López'|'gross strasse'", "CDFGHIK"),
    ("fullName", "not one of", "fullName not one of 'JANE O''BRIEN'", "CDFGHIK"),
    ("fullName", "like", "fullName like 'o''b'", "ABEJ"),
    ("fullName", "like", "fullName like 'STRASS'", "DGI"),
    ("fullName", "not like", "fullName not like 'ó'", "ABDEGIJ"),
    ("HasImportsWithKickout", "equals", "HasImportsWithKickout equals 'true'", "AD"),
    ("HasImportsWithKickout", "equals", "HasImportsWithKickout equals 'FALSE'", "BCEFGHIJK"),
    ("invoiceNumber", "equals", "invoiceNumber equals 'inv 100%'", "AF"),
    ("invoiceNumber", "not equals", "invoiceNumber not equals 'INV 100'", "ABCDFGHJK"),
    ("invoiceNumber", "one of", "invoiceNumber one of 'o''brien''s'|'#5'", "BK"),
    ("invoiceNumber", "not one of", "invoiceNumber not one of 'inv 100%'|'inv 100'", "BCDGHJK"),
    ("invoiceNumber", "like", "invoiceNumber like '100%'", "AF"),
    ("invoiceNumber", "like", "invoiceNumber like 'inv 1'", "AEFI"),
    ("invoiceNumber", "not like", "invoiceNumber not like '%'", "BCDEGHIJK"),
    ("isOpen", "equals", "isOpen equals 'true'", "CK"),
    ("isOpen", "equals", "isOpen equals 'False'", "ABDEFGHIJ"),
    ("nextReading", "equals", "nextReading equals '2024-04-30'", "EGH"),
    ("nextReading", "equals", "nextReading equals '2024-04-30T00:00:00'", "AK"),
    ("nextReading", "not equals", "nextReading not equals '2024-04-30'", "ABCDFIJK"),
    ("nextReading", "one of", "nextReading one of '2024-05-31'|'2024-04-30T00:00:00'", "ADIK"),
    ("nextReading", "not one of", "nextReading not one of '2024-04-30'", "ABCDFIJK"),
    ("nextReading", "like", "nextReading like '05'", "DI"),
    ("nextReading", "not like", "nextReading not like '2024-04'", "BCDFIJ"),
    ("runningTotal", "equals", "runningTotal equals '100.5'", "AJ"),
    ("runningTotal", "equals", "runningTotal equals '1e3'", "E"),
    ("runningTotal", "not equals", "runningTotal not equals '100.5'", "BCDEFGHIK"),
    ("runningTotal", "less than", "runningTotal less than '0'", "D"),
    ("runningTotal", "greater than", "runningTotal greater than '500'", "E"),
    ("runningTotal", "less than equal", "runningTotal less than equal '100'", "BCDGIK"),
    ("runningTotal", "greater than equal", "runningTotal greater than equal '250'", "EFH"),
    ("runningTotal", "between", "runningTotal between '-20.25'|'100'", "BCDGIK"),
    ("startDate", "equals", "startDate equals '2024-04-09'", "D"),
    ("startDate", "equals", "startDate equals '2024-03-28T01:00:00+01:00'", "B"),
    ("startDate", "equals", "startDate equals '2024-04-04T00:00:00'", "I"),
    ("startDate", "not equals", "startDate not equals '2024-04-10'", "ABDEFGHIJK"),
    ("startDate", "less than", "startDate less than '2024-02-11'", "EFK"),
    ("startDate", "greater than", "startDate greater than '2024-04-09'", "C"),
    ("startDate", "greater than", "startDate greater than '2024-04-09T23:59:59Z'", "C"),
    ("startDate", "less than equal", "startDate less than equal '2024-02-11'", "EFGK"),
    ("startDate", "less than equal", "startDate less than equal '2024-03-27T23:59:59Z'", "AEFGHJK"),
    ("startDate", "greater than equal", "startDate greater than equal '2024-04-09'", "CD"),
    ("startDate", "between", "startDate between '2024-03-12'|'2024-03-28'", "BHJ"),
    ("startDate", "between", "startDate between '2024-04-04T00:00:00Z'|'2024-04-09'", "DI"),
    ("startDate", "today", "startDate today", "C"),
    ("startDate", "yesterday", "startDate yesterday", "D"),
    ("startDate", "last 7 days", "startDate last 7 days", "CDI"),
    ("startDate", "last 14 days", "startDate last 14 days", "BCDI"),
    ("startDate", "last 30 days", "startDate last 30 days", "BCDHIJ"),
    ("startDate", "last 60 days", "startDate last 60 days", "ABCDGHIJ"),
    ("startDate", "last 90 days", "startDate last 90 days", "ABCDEGHIJK"),
    ("statementDate", "equals", "statementDate equals '2024-04-01'", "BDGI"),
    ("statementDate", "not equals", "statementDate not equals '2024-04-01'", "ACEFHJK"),
    ("statementDate", "one of", "statementDate one of '2024-03-31'|'2024-04-10'", "AFH"),
    ("statementDate", "not one of", "statementDate not one of '2024-03-31'", "BCDEGHIJK"),
    ("statementDate", "like", "statementDate like '03-31'", "AFJ"),
    ("statementDate", "like", "statementDate like 't12:00:00z'", "J"),
    ("statementDate", "not like", "statementDate not like '2024-04'", "ACEFJK"),
    ("systemUserCode", "equals", "systemUserCode equals 'jsmith'", "ABEJ"),
    ("systemUserCode", "not equals", "systemUserCode not equals 'JSMITH'", "CDFGHIK"),
    ("systemUserCode", "one of", "systemUserCode one of 'M.LOPEZ'|'STRASSE_3'", "CDFGHIK"),
    ("systemUserCode", "not one of", "systemUserCode not one of 'm.lopez'", "ABDEGIJ"),
    ("systemUserCode", "like", "systemUserCode like '_'", "DGI"),
    ("systemUserCode", "like", "systemUserCode like '.'", "CFHK"),
    ("systemUserCode", "not like", "systemUserCode not like 'smith'", "CDFGHIK"),
    ("systemUserId", "equals", "systemUserId equals '<u2>'", "CFHK"),
    ("systemUserId", "not equals", "systemUserId not equals '<u2>'", "ABDEGIJ"),
    ("systemUserId", "less than", "systemUserId less than '<u2>'", "ABEJ"),
    ("systemUserId", "greater than", "systemUserId greater than '<u2>'", "DGI"),
    ("systemUserId", "less than equal", "systemUserId less than equal '<u2>'", "ABCEFHJK"),
    ("systemUserId", "greater than equal", "systemUserId greater than equal '<u2>'", "CDFGHIK"),
    ("systemUserId", "between", "systemUserId between '<u1>'|'<u2>'", "ABCEFHJK"),
    ("systemUserId", "one of", "systemUserId one of '<u1>'|'<u3>'", "ABDEGIJ"),
    ("systemUserId", "not one of", "systemUserId not one of '<u1>'|'<u3>'", "CFHK"),
]


def with_ids(text: str, users: dict[str, int]) -> str:
    for key, pk in users.items():
        text = text.replace(f"<{key}>", str(pk))
    return text


def test_seed_table_reads_as_documented():
    assert len(SEED) == 17
    assert "one of" not in SEED["accountPeriod"]
    assert "one of" not in SEED["runningTotal"]
    assert SEED["isOpen"] == ["equals"]
    assert all("not between" not in operators for operators in SEED.values())


def test_cases_cover_every_field_and_operator_of_the_seed_table():
    covered = {(field, operator) for field, operator, _, _ in CASES}
    documented = {(field, op) for field, operators in SEED.items() for op in operators}
    assert covered == documented


@pytest.mark.parametrize(
    ("field", "operator", "text", "expected"),
    CASES,
    ids=[f"{field}-{operator}-{n}" for n, (field, operator, _, _) in enumerate(CASES)],
)
def test_each_field_and_operator_selects_the_expected_batches(
    dataset, field, operator, text, expected
):
    assert selected(with_ids(text, dataset)) == expected
    [statement] = parse_filter(with_ids(text, dataset))
    assert (statement.field, statement.operator) == (field, operator)


@pytest.mark.parametrize("field", sorted(SEED))
def test_operators_the_table_does_not_list_are_refused(field):
    for operator in VOCABULARY:
        if operator in SEED[field]:
            continue
        if operator.startswith(("today", "yesterday", "last")):
            values = ""
        elif "between" in operator:
            values = " '1'|'2'"
        else:
            values = " '1'"
        with pytest.raises(FilterError) as caught:
            parse_filter(f"{field} {operator}{values}")
        assert caught.value.message.startswith(
            f"Operator '{operator}' is not allowed for field '{field}'. Allowed: "
        )


def test_nulls_match_only_the_negated_operators(dataset):
    # C, D and K are not closed: endDate is null; C, F and K have no control code.
    assert selected("endDate not equals '2024-03-31'") == "CDEFGHIJK"
    assert "C" not in selected("endDate less than '2030-01-01'")
    assert "C" not in selected("endDate greater than '2000-01-01'")
    assert selected("controlCode not like 'x'") == "ABCDFGHIJK"
    assert selected("controlCode not one of 'x'") == "ABCDFGHIJK"
    assert selected("controlCode like ''") == "ABDEGHIJ"
    assert selected("accountPeriod not equals '1'") == "ABCDEFGHIJK"
    assert selected("accountPeriod greater than '0'") == "ABDEFGHIJ"


def test_statements_joined_by_and_all_apply(dataset):
    text = "batchStatus equals 'closed' and batchCode like 'maint' and startDate last 90 days"
    assert selected(text) == "AE"
    assert selected("isOpen equals 'true' and billCount greater than '0'") == "K"


def test_field_names_operators_and_and_match_case_insensitively(dataset):
    assert selected("BATCHSTATUS EQUALS 'Open' AnD BillCount GREATER THAN EQUAL '4'") == "K"
    assert selected("hasimportswithkickout equals 'TRUE'") == "AD"
    assert selected("STARTDATE Last 7 Days") == "CDI"


def test_whitespace_runs_are_tolerated(dataset):
    text = "  billCount \t not   one  of  '0' |'10'|  '25'   and\n isOpen  equals  'false'  "
    assert selected(text) == "BDFGJ"


@pytest.mark.parametrize("text", [None, "", "   ", "\t\n"])
def test_an_empty_filter_selects_everything(dataset, text):
    assert parse_filter(text) == []
    assert selected(text) == "ABCDEFGHIJK"


def test_quotes_and_and_and_pipes_inside_values_are_data():
    assert parse_filter(
        "batchCode one of 'a and b'|'x|y'|'O''Brien'|'''' and isOpen equals 'true'"
    ) == [
        Statement("batchCode", "one of", ("a and b", "x|y", "O'Brien", "'")),
        Statement("isOpen", "equals", ("true",)),
    ]
    assert parse_filter("batchCode equals ''") == [Statement("batchCode", "equals", ("",))]
    assert parse_filter("batchCode like ' and batchCode equals '") == [
        Statement("batchCode", "like", (" and batchCode equals ",))
    ]


def test_backslashes_and_like_wildcards_are_literal(dataset):
    assert selected("batchCode like '\\'") == ""
    assert selected("batchCode like 'PEND_%_*'") == "D"
    assert selected("batchCode like 'pend%'") == ""


def test_date_shortcuts_use_the_utc_date_of_now(dataset):
    # 01:00 at +05:00 on the 11th is still the 10th in UTC.
    east = datetime(2024, 4, 11, 1, 0, tzinfo=timezone(timedelta(hours=5)))
    assert selected("startDate today", now=east) == "C"
    assert selected("startDate today", now=datetime(2024, 4, 11, tzinfo=UTC)) == ""
    assert selected("startDate yesterday", now=datetime(2024, 4, 11, tzinfo=UTC)) == "C"


def test_now_defaults_to_the_current_time(dataset):
    assert list(apply_filter(Batch.objects.all(), "startDate last 7 days")) == []


def test_a_typical_filter_is_a_single_query(dataset, django_assert_num_queries):
    text = (
        "batchStatus one of 'Closed'|'Pending' and batchCode like 'maint' "
        "and startDate between '2024-01-01'|'2024-03-31' and fullName like 'jane'"
    )
    with django_assert_num_queries(1):
        rows = list(apply_filter(Batch.objects.select_related("created_by"), text, now=NOW))
    assert sorted(row.note for row in rows) == ["A", "E"]


def test_typed_values_may_carry_surrounding_spaces(dataset):
    assert selected("billCount equals ' 10 '") == "AH"
    assert selected("isOpen equals ' true'") == "CK"


FIELD_LIST = (
    "accountPeriod, batchCode, batchStatus, billCount, controlCode, duedate, endDate, fullName, "
    "HasImportsWithKickout, invoiceNumber, isOpen, nextReading, runningTotal, startDate, "
    "statementDate, systemUserCode, systemUserId"
)
INTEGER_OPERATORS = (
    "equals, not equals, less than, greater than, less than equal, greater than equal, between, "
    "one of, not one of"
)

ERRORS = [
    # unknown field
    ("foo equals 'a'", f"Unknown filter field 'foo'. Fields: {FIELD_LIST}."),
    ("batchCode equals 'a' and bogus like 'b'", "Unknown filter field 'bogus'."),
    # operator not allowed for the field
    (
        "billCount like 'x'",
        f"Operator 'like' is not allowed for field 'billCount'. Allowed: {INTEGER_OPERATORS}.",
    ),
    (
        "accountPeriod one of '202401'",
        "Operator 'one of' is not allowed for field 'accountPeriod'.",
    ),
    (
        "startDate not between '2024-01-01'|'2024-02-01'",
        "Operator 'not between' is not allowed for field 'startDate'.",
    ),
    ("batchCode today", "Operator 'today' is not allowed for field 'batchCode'."),
    # unknown operator
    ("batchCode contains 'x'", "Unknown operator 'contains' for field 'batchCode'."),
    (
        "billCount less than equals '5'",
        "Unknown operator 'less than equals' for field 'billCount'.",
    ),
    ("endDate last 8 days", "Unknown operator 'last 8 days' for field 'endDate'."),
    ("batchCode", "Missing operator after field 'batchCode' at position 10."),
    ("batchCode 'x'", "Missing operator after field 'batchCode' at position 10."),
    # quoting
    ("batchCode equals 'abc", "Unterminated quoted value starting at position 18."),
    ("batchCode equals 'it''s", "Unterminated quoted value starting at position 18."),
    ("billCount equals 10", "Value for field 'billCount' must be in single quotes, like '10'."),
    ('batchCode equals "x"', "Value for field 'batchCode' must be in single quotes, like 'text'."),
    ("isOpen equals true", "Value for field 'isOpen' must be in single quotes, like 'true'."),
    ("'x' equals 'a'", "Expected a field name at position 1."),
    # value counts
    ("runningTotal between '1'", "Operator 'between' needs exactly two values, like 'a'|'b'."),
    (
        "runningTotal between '1'|'2'|'3'",
        "Operator 'between' needs exactly two values, like 'a'|'b'.",
    ),
    ("billCount between", "Operator 'between' needs exactly two values, like 'a'|'b'."),
    ("batchCode one of", "Operator 'one of' needs one or more values, like 'a'|'b'."),
    ("batchCode one of 'a'|", "Expected a quoted value after '|' at position 22."),
    (
        "batchCode one of 'a'| and isOpen equals 'true'",
        "Expected a quoted value after '|' at position 23.",
    ),
    ("batchCode equals", "Operator 'equals' needs a value in single quotes, like 'text'."),
    (
        "billCount equals and isOpen equals 'true'",
        "Operator 'equals' needs a value in single quotes, like '10'.",
    ),
    (
        "batchCode equals 'a'|'b'",
        "Operator 'equals' takes exactly one value. Use 'one of' for a list.",
    ),
    ("runningTotal equals '1'|'2'", "Operator 'equals' takes exactly one value."),
    ("endDate today '2024-01-01'", "Operator 'today' takes no value."),
    ("startDate last 30 days '1'", "Operator 'last 30 days' takes no value."),
    # types
    ("billCount equals 'abc'", "Value 'abc' for field 'billCount' is not an integer."),
    ("billCount equals '1.5'", "Value '1.5' for field 'billCount' is not an integer."),
    ("systemUserId equals ''", "Value '' for field 'systemUserId' is not an integer."),
    (
        "accountPeriod between '202401'|'x'",
        "Value 'x' for field 'accountPeriod' is not an integer.",
    ),
    ("billCount equals '99999999999'", "Value '99999999999' for field 'billCount' is out of range"),
    ("runningTotal equals 'abc'", "Value 'abc' for field 'runningTotal' is not a number."),
    ("runningTotal equals 'nan'", "Value 'nan' for field 'runningTotal' is not a number."),
    ("runningTotal equals '1e999'", "Value '1e999' for field 'runningTotal' is not a number."),
    ("isOpen equals 'yes'", "Value 'yes' for field 'isOpen' is not a boolean"),
    (
        "HasImportsWithKickout equals '1'",
        "Value '1' for field 'HasImportsWithKickout' is not a boolean",
    ),
    (
        "endDate equals '2024-13-01'",
        "Value '2024-13-01' for field 'endDate' is not a date or date-time",
    ),
    ("startDate greater than 'yesterday'", "Value 'yesterday' for field 'startDate' is not a date"),
    (
        "startDate less than '2024-03-31T25:00'",
        "Value '2024-03-31T25:00' for field 'startDate' is not a date",
    ),
    ("batchStatus equals 'done'", "Value 'done' for field 'batchStatus' is not a batch status"),
    (
        "batchStatus one of 'open'|'archived'",
        "Value 'archived' for field 'batchStatus' is not a batch status",
    ),
    # missing 'and', trailing garbage
    (
        "batchCode equals 'a' billCount equals '1'",
        "Expected 'and' between statements at position 22.",
    ),
    (
        "batchCode equals 'a' or billCount equals '1'",
        "Expected 'and' between statements at position 22.",
    ),
    ("batchCode equals 'a''b' 'c'", "Expected 'and' between statements at position 25."),
    ("endDate today x", "Expected 'and' between statements at position 15."),
    (
        "batchCode equals 'a'and isOpen equals 'true'",
        "Expected 'and' between statements at position 21.",
    ),
    ("batchCode equals 'a' and", "Expected a statement after 'and' at position 25."),
    ("batchCode equals 'a' and ", "Expected a statement after 'and' at position 26."),
    ("batchCode equals 'a' ;", "Expected 'and' between statements at position 22."),
]


@pytest.mark.parametrize(("text", "message"), ERRORS)
def test_invalid_filters_say_what_is_wrong(text, message):
    with pytest.raises(FilterError) as caught:
        parse_filter(text)
    assert caught.value.message.startswith(message)
    assert str(caught.value) == caught.value.message


def test_apply_filter_raises_the_same_errors(db):
    with pytest.raises(FilterError, match="is not an integer"):
        apply_filter(Batch.objects.all(), "billCount equals 'x'", now=NOW)


def test_overlong_lists_and_values_are_refused():
    many = "|".join(f"'{n}'" for n in range(101))
    with pytest.raises(FilterError, match="at most 100 values"):
        parse_filter(f"billCount one of {many}")
    with pytest.raises(FilterError, match="longer than 1000 characters"):
        parse_filter(f"batchCode like '{'x' * 1001}'")
    with pytest.raises(FilterError, match="at most 20 statements"):
        parse_filter(" and ".join(["isOpen equals 'true'"] * 21))


def test_the_largest_accepted_filter_runs(dataset):
    values = "|".join(f"'2024-01-{n:02}'" for n in range(1, 29)) + "|" + "|".join(["'x'"] * 72)
    text = " and ".join([f"duedate not one of {values}"] * 20)
    assert selected(text) == "ABCDEFGHIJK"


def test_extreme_dates_do_not_overflow(dataset):
    assert selected("startDate greater than '9999-12-31'") == ""
    assert selected("startDate less than equal '9999-12-31'") == "ABCDEFGHIJK"
    assert selected("startDate greater than equal '0001-01-01'") == "ABCDEFGHIJK"
    with pytest.raises(FilterError, match="is not a date"):
        parse_filter("startDate equals '0001-01-01T00:00:00+05:00'")
