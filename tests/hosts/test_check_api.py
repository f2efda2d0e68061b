"""`manage.py check_api`: the compatibility probe against the simulator over HTTP (what
`runsimulator` serves), against a host shaped like EnergyCAP 8.2309 (mocked with `responses`),
and against a host whose date-times are in another zone than BATCH_API_TIME_ZONE."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from zoneinfo import ZoneInfo

import pytest
import responses
from django.core.management import CommandError, call_command

from batchui.batchapi.values import BATCH_FIELDS
from tests.hosts.conftest import needs_simulator_zone
from tests.simulator.helpers import make_api_user, make_batch

HOST = "https://energycap.example.test"
LIST = f"{HOST}/api/v3/batch"
ABSENT = f"{LIST}/2147483647"


def check_api(*args: str) -> tuple[str, CommandError | None]:
    out = io.StringIO()
    try:
        call_command("check_api", *args, stdout=out)
    except CommandError as failed:
        return out.getvalue(), failed
    return out.getvalue(), None


def lines(output: str, mark: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(mark)]


@pytest.fixture
def simulator_host(settings, http_simulator):
    settings.BATCH_API_URL = http_simulator
    return http_simulator


def test_against_the_simulator_everything_matches(simulator_host, settings):
    user, key = make_api_user("PROBE", "Probe User", view=True, create=True)
    make_batch(user=user, code="OLDER", start_date=datetime.now(UTC) - timedelta(days=3))
    make_batch(user=user, code="NEWEST")

    output, failed = check_api("--api-key", key)

    assert failed is None, output
    assert output.splitlines()[-1] == "Everything matches."
    for field in BATCH_FIELDS:
        assert f"ok       field {field.name}: present and typed" in output
    assert re.search(r"ok       paging headers: PageNumber: 1, PageSize: 5, "
                     r"TotalNumberOfRecords: 2, TotalPages: 1", output)  # fmt: skip
    assert "ok       time zone: newest batch's startDate" in output
    assert "consistent with UTC" in output
    assert "ok       quoting: batchCode equals 'O''Brien-probe' answers 200" in output
    assert "ok       permission view: the list answers 200" in output
    assert "ok       permission create: permitted" in output
    # The simulator offers no DELETE: 405, or 401 where it checks the key before the method.
    assert re.search(
        r"ok       permission delete: not permitted \(DELETE answers HTTP 40[15]\)", output
    )
    assert key not in output


def test_a_view_only_key_differs_without_breaking(simulator_host):
    user, key = make_api_user("VIEWER", "View Only", view=True, create=False)
    make_batch(user=user, code="ANY")

    output, failed = check_api("--api-key", key)

    assert failed is None, output
    assert lines(output, "differs  permission create") == [
        "differs  permission create: not permitted (PUT answers HTTP 401): enough for the widget "
        "and /readyz, but people using this key cannot open, edit or close batches"
    ]
    assert output.splitlines()[-1] == "1 difference(s), none that breaks the dashboard."


def test_a_refused_key_breaks(simulator_host):
    output, failed = check_api("--api-key", "not-a-key")

    assert isinstance(failed, CommandError)
    assert "1 finding(s) would break the dashboard" in str(failed)
    assert lines(output, "BREAKS") == [
        "BREAKS   permission view: HTTP 401: the host refused this key, or its user lacks the "
        "View permission"
    ]


def test_a_key_is_needed(settings, simulator_host):
    settings.ECI_API_KEY = ""
    with pytest.raises(CommandError, match="No key"):
        call_command("check_api", stdout=io.StringIO())


def test_a_persons_own_stored_key_is_used_with_user(simulator_host, django_user_model):
    from batchui.accounts import services

    api_user, key = make_api_user("OWNER", "Key Owner")
    make_batch(user=api_user, code="MINE")
    person = django_user_model.objects.create_user("jsmith", password="x")
    services.api_key_set(user=person, api_key=key)

    output, failed = check_api("--user", "jsmith")
    assert failed is None, output
    assert output.splitlines()[-1] == "Everything matches."
    with pytest.raises(CommandError, match="No dashboard user 'nobody'"):
        call_command("check_api", "--user", "nobody", stdout=io.StringIO())


def test_the_simulators_date_times_read_in_a_zone_ahead_of_it_are_in_the_future(
    simulator_host, settings
):
    # The simulator writes UTC; a dashboard told the host is in New York reads its newest batch
    # (opened just now) as opened 4 or 5 hours from now: certainly the wrong zone.
    settings.BATCH_API_TIME_ZONE = "America/New_York"
    user, key = make_api_user()
    make_batch(user=user, code="JUST-NOW")

    output, failed = check_api("--api-key", key)

    assert isinstance(failed, CommandError)
    [line] = lines(output, "BREAKS")
    assert line.startswith("BREAKS   time zone: newest batch's startDate")
    assert re.search(r"opened [45] h in the future: the host writes its date-times at "
                     r"UTC\+00:00 or later, not in America/New_York", line)  # fmt: skip


# --- a host shaped like EnergyCAP 8.2309, mocked ------------------------------------------------


def energycap_batch(**overrides) -> dict:
    """A BatchResponse as EnergyCAP 8.2309 sends it: no hasImportsWithKickout, no hasLogs, local
    times with an offset, and a field the dashboard does not know."""
    batch = {
        "batchId": 812,
        "batchCode": "Maint_0330",
        "batchStatus": "open",
        "isOpen": True,
        "startDate": "2026-03-30T10:05:00-04:00",
        "endDate": None,
        "billCount": 3,
        "runningTotal": 1234.5,
        "flagCount": 0,
        "analyzingCount": 0,
        "hasImportedBills": False,
        "createdBy": {"userId": 7, "userCode": "JSMITH", "fullName": "Jane Smith"},
        "dueDate": None,
        "statementDate": None,
        "nextReading": None,
        "controlCode": None,
        "invoiceNumber": None,
        "accountPeriodName": None,
        "accountPeriodNumber": None,
        "accountPeriodYear": None,
        "note": None,
        "batchTypeName": "Manual",
    }
    batch.update(overrides)
    return batch


def mock_energycap(items, *, delete_status=401, date=None):
    date = date or datetime(2026, 3, 30, 14, 7, tzinfo=UTC)
    headers = {
        "PageNumber": "1",
        "PageSize": "5",
        "TotalNumberOfRecords": str(len(items)),
        "TotalPages": "1",
        "Date": format_datetime(date, usegmt=True),
    }
    responses.get(LIST, json=items, headers=headers)
    responses.get(ABSENT, status=404, json={"message": "not found"})
    responses.put(ABSENT, status=404, json={"message": "not found"})
    responses.delete(ABSENT, status=delete_status)


@responses.activate
def test_a_host_without_the_newer_fields_reports_each_difference(settings):
    settings.BATCH_API_URL = HOST
    mock_energycap([energycap_batch(), energycap_batch(batchId=811, batchCode="Hist_0329")])

    output, failed = check_api("--api-key", "energycap-key")

    assert failed is None, output
    assert lines(output, "differs") == [
        "differs  field hasImportsWithKickout: missing in 2 of 2 batches: shown as unknown (—)",
        "differs  field hasLogs: missing in 2 of 2 batches: shown as unknown (—)",
    ]
    assert "ok       other fields: not used, ignored: batchTypeName" in output
    assert "ok       field runningTotal: present and typed" in output
    assert "the host sends offsets, honoured as sent" in output
    assert output.splitlines()[-1] == "2 difference(s), none that breaks the dashboard."
    quoting = [call.request for call in responses.calls if "filter=" in call.request.url]
    assert [request.params["filter"] for request in quoting] == [
        "batchCode equals 'O''Brien-probe'"
    ]
    sent = {(call.request.method, call.request.url.split("?")[0]) for call in responses.calls}
    assert sent == {("GET", LIST), ("GET", ABSENT), ("PUT", ABSENT), ("DELETE", ABSENT)}


@responses.activate
def test_a_host_whose_fields_would_not_parse_breaks(settings):
    settings.BATCH_API_URL = HOST
    mock_energycap([energycap_batch(runningTotal="1234.50", billCount=None)])

    output, failed = check_api("--api-key", "energycap-key")

    assert isinstance(failed, CommandError)
    assert lines(output, "BREAKS") == [
        "BREAKS   field billCount: The Batch API sent a batch without its billCount.",
        "BREAKS   field runningTotal: The Batch API sent a batch whose runningTotal is not a "
        "number.",
    ]


@responses.activate
def test_a_host_missing_paging_headers_or_rejecting_the_quote_breaks(settings):
    settings.BATCH_API_URL = HOST
    responses.get(LIST, json=[], headers={"PageNumber": "1"}, match=[
        responses.matchers.query_param_matcher({"pageNumber": "1", "pageSize": "5"})])  # fmt: skip
    responses.get(LIST, status=400, json={"message": "bad filter"})
    responses.get(ABSENT, status=404)
    responses.put(ABSENT, status=404)
    responses.delete(ABSENT, status=404)

    output, failed = check_api("--api-key", "energycap-key")

    assert isinstance(failed, CommandError)
    assert lines(output, "BREAKS") == [
        "BREAKS   paging headers: PageNumber: 1, PageSize: None, TotalNumberOfRecords: None, "
        "TotalPages: None (PageSize, TotalNumberOfRecords, TotalPages missing or not a whole "
        "number)",
        "BREAKS   quoting: batchCode equals 'O''Brien-probe' answers HTTP 400: a search for a "
        "value with an apostrophe would fail",
    ]
    assert "differs  fields: no batch on the host: fields and time zone not checked" in output
    assert (
        "differs  permission delete: permitted (DELETE of an absent batch answers 404): the "
        "dashboard never deletes, a key without Delete is safer" in output
    )


@responses.activate
def test_naive_local_times_of_a_host_behind_utc_show_the_zone_it_appears_to_use(settings):
    # A host in New York that sends no offset, its newest batch opened a minute before its
    # clock; the dashboard still reads UTC.
    settings.BATCH_API_URL = HOST
    mock_energycap(
        [energycap_batch(startDate="2026-03-30T10:06:00")],
        date=datetime(2026, 3, 30, 14, 7, tzinfo=UTC),
    )

    output, failed = check_api("--api-key", "energycap-key")

    assert failed is None, output
    [line] = [line for line in output.splitlines() if "time zone" in line]
    assert line.startswith(
        "ok       time zone: newest batch's startDate '2026-03-30T10:06:00', read as "
        "2026-03-30 10:06 UTC = 10:06 UTC; host's clock (Date) 14:07:00 UTC"
    )
    assert line.endswith(
        "opened 4 h before the host's clock: if it was opened just now, the host writes its "
        "date-times at UTC-04:00, not in UTC"
    )

    settings.BATCH_API_TIME_ZONE = "America/New_York"
    output, failed = check_api("--api-key", "energycap-key")
    assert failed is None, output
    assert "read as 2026-03-30 10:06 America/New_York = 14:06 UTC" in output
    assert "consistent with America/New_York" in output


@responses.activate
def test_a_redirecting_host_is_named_with_the_address_to_use(settings):
    settings.BATCH_API_URL = "http://energycap.example.test"
    responses.get(
        "http://energycap.example.test/api/v3/batch",
        status=301,
        headers={"Location": f"{LIST}?pageNumber=1&pageSize=5"},
    )

    output, failed = check_api("--api-key", "energycap-key")

    assert isinstance(failed, CommandError)
    assert lines(output, "BREAKS") == [
        "BREAKS   list: BATCH_API_URL answers with a redirect (HTTP 301 to "
        "https://energycap.example.test). The dashboard never follows redirects (one could "
        "carry the API key to another host): set BATCH_API_URL to the address it redirects to, "
        "e.g. https://energycap.example.test."
    ]


def test_a_url_with_an_api_path_is_refused(settings):
    settings.BATCH_API_URL = f"{HOST}/api/v3/batch"
    with pytest.raises(CommandError, match="host only"):
        call_command("check_api", "--api-key", "k", stdout=io.StringIO())


@needs_simulator_zone
def test_a_simulator_speaking_another_zone_is_reported(simulator_host, settings):
    # Needs SIMULATOR_TIME_ZONE (the simulator writing its date-times in that zone, no offset).
    user, key = make_api_user()
    make_batch(user=user, code="JUST-NOW")

    settings.SIMULATOR_TIME_ZONE = "Asia/Tokyo"  # ahead of UTC: read as UTC, in the future
    output, failed = check_api("--api-key", key)
    assert isinstance(failed, CommandError)
    [line] = lines(output, "BREAKS")
    assert line.startswith("BREAKS   time zone:")
    assert line.endswith(
        "opened 9 h in the future: the host writes its date-times at UTC+09:00 or later, not in "
        "UTC (set BATCH_API_TIME_ZONE to the host's zone)"
    )

    settings.SIMULATOR_TIME_ZONE = "America/New_York"  # behind UTC: read as UTC, hours old
    offset = datetime.now(ZoneInfo("America/New_York")).utcoffset() // timedelta(hours=1)
    output, failed = check_api("--api-key", key)
    assert failed is None, output
    assert (
        f"opened {-offset} h before the host's clock: if it was opened just now, the host writes "
        f"its date-times at UTC-0{-offset}:00, not in UTC"
    ) in output

    settings.BATCH_API_TIME_ZONE = "America/New_York"
    output, failed = check_api("--api-key", key)
    assert failed is None, output
    assert "consistent with America/New_York" in output
    assert output.splitlines()[-1] == "Everything matches."
