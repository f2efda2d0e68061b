"""The client against hosts unlike the simulator: EnergyCAP 8.2309's response model (no
hasImportsWithKickout, no hasLogs), date-times with offsets, and naive local times read in
BATCH_API_TIME_ZONE; dates written to such a host in its zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from email.utils import format_datetime
from zoneinfo import ZoneInfo

import pytest
import responses

from batchui.batchapi import ApiBadResponse, BatchApiError, BatchCreate, Filter
from tests.batchapi.conftest import HOST
from tests.batchapi.test_client_http import batch_body

LIST = f"{HOST}/api/v3/batch"
PAGING = {"PageNumber": "1", "PageSize": "250", "TotalNumberOfRecords": "1", "TotalPages": "1"}
NEW_YORK = ZoneInfo("America/New_York")


def older_shape(**overrides) -> dict:
    body = batch_body(**overrides)
    del body["hasImportsWithKickout"], body["hasLogs"]
    return body


@responses.activate
def test_a_batch_without_the_newer_fields_is_read_with_them_unknown(api):
    responses.get(LIST, json=[older_shape(extraField={"any": 1})], headers=PAGING)
    responses.get(f"{LIST}/1", json=older_shape())

    [listed] = api.list_batches().items
    fetched = api.get_batch(1)

    for batch in (listed, fetched):
        assert batch.has_imports_with_kickout is None
        assert batch.has_logs is None
        assert batch.has_imported_bills is True  # every other field still read and typed


@responses.activate
@pytest.mark.parametrize(
    ("field", "value"),
    [("hasLogs", "yes"), ("hasImportsWithKickout", 1), ("hasImportedBills", None)],
)
def test_present_fields_are_still_typed(api, field, value):
    responses.get(LIST, json=[batch_body(**{field: value})], headers=PAGING)
    with pytest.raises(ApiBadResponse, match=field):
        api.list_batches()


@responses.activate
@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
def test_date_times_with_an_offset_are_honoured_whatever_the_zone(api, settings, zone):
    settings.BATCH_API_TIME_ZONE = zone
    responses.get(
        LIST,
        json=[batch_body(startDate="2026-03-30T10:05:00-04:00", endDate="2026-11-02T09:00:00Z")],
        headers=PAGING,
    )
    [batch] = api.list_batches().items
    assert batch.start_date == datetime(2026, 3, 30, 14, 5, tzinfo=UTC)
    assert batch.end_date == datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@responses.activate
def test_naive_times_are_read_in_batch_api_time_zone(api, settings):
    settings.BATCH_API_TIME_ZONE = "America/New_York"
    responses.get(
        LIST,
        # summer (EDT, UTC-4) and winter (EST, UTC-5) wall times, and a calendar date
        json=[batch_body(startDate="2026-03-30T10:05:00", endDate="2026-12-01T23:30:00.1234567")],
        headers=PAGING,
    )
    [batch] = api.list_batches().items
    assert batch.start_date == datetime(2026, 3, 30, 14, 5, tzinfo=UTC)
    assert batch.end_date == datetime(2026, 12, 2, 4, 30, 0, 123456, tzinfo=UTC)
    assert batch.start_date.tzinfo is UTC


def test_filter_date_times_are_written_in_batch_api_time_zone(settings):
    settings.BATCH_API_TIME_ZONE = "America/New_York"
    moment = datetime(2026, 3, 30, 14, 5, tzinfo=UTC)
    assert str(Filter.where("startDate", "greater than", moment)) == (
        "startDate greater than '2026-03-30T10:05:00'"
    )
    assert str(Filter.where("endDate", "less than", moment.astimezone(NEW_YORK))) == (
        "endDate less than '2026-03-30T10:05:00'"
    )
    # A calendar date is the API's own calendar day, written as it is.
    assert str(Filter.where("startDate", "between", date(2026, 3, 1), date(2026, 3, 31))) == (
        "startDate between '2026-03-01'|'2026-03-31'"
    )


def test_open_requests_write_their_dates_in_batch_api_time_zone(settings):
    settings.BATCH_API_TIME_ZONE = "America/New_York"
    create = BatchCreate(
        batch_code="TZ",
        due_date=date(2026, 4, 15),
        next_reading=datetime(2026, 4, 1, 3, 30, tzinfo=UTC),
    )
    assert create.to_json()["dueDate"] == "2026-04-15"
    assert create.to_json()["nextReading"] == "2026-03-31T23:30:00"


@responses.activate
def test_a_lost_open_is_recovered_with_the_naive_start_date_read_in_the_hosts_zone(api, settings):
    # The open's answer is lost (502); the lookup finds the batch opened a second after the call
    # began, written by a New York host as its local time without an offset. Read as UTC it
    # would look four hours older than the call, and be reported NOT opened.
    settings.BATCH_API_TIME_ZONE = "America/New_York"
    now = datetime.now(UTC).replace(microsecond=0)
    local = now.astimezone(NEW_YORK).replace(tzinfo=None).isoformat()
    responses.post(LIST, status=502)
    responses.get(
        LIST,
        json=[batch_body(batchCode="LOST-OPEN", startDate=local)],
        headers={**PAGING, "Date": format_datetime(now, usegmt=True)},
    )
    batch = api.open_batch(BatchCreate(batch_code="LOST-OPEN"), created_by="JSMITH")
    assert batch.recovered
    assert batch.start_date == now


@responses.activate
def test_a_lost_open_of_an_older_batch_names_its_time_in_the_hosts_zone(api, settings):
    settings.BATCH_API_TIME_ZONE = "America/New_York"
    now = datetime.now(UTC).replace(microsecond=0)
    responses.post(LIST, status=502)
    responses.get(
        LIST,
        json=[batch_body(batchCode="OLD", startDate="2026-03-30T10:05:00")],
        headers={**PAGING, "Date": format_datetime(now, usegmt=True)},
    )
    with pytest.raises(BatchApiError, match=r"NOT opened: .*\(opened 2026-03-30 10:05 EDT\)"):
        api.open_batch(BatchCreate(batch_code="OLD"), created_by="JSMITH")
