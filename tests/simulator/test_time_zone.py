"""SIMULATOR_TIME_ZONE: date-times written in that zone without an offset, date values read in it.

The same stored instants under UTC and America/New_York: each zone shows its own wall-clock
time, and a filter on the date (or date-time) a batch shows finds that batch in either zone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from batchui.simulator.filters import apply_filter
from batchui.simulator.models import Batch, BatchStatus
from tests.simulator.helpers import Api, batch_body, make_api_user, make_batch

pytestmark = pytest.mark.django_db

NEW_YORK = "America/New_York"

# Stored instants (in UTC) and how New York shows them.
STARTS = {
    "LATE": ("2026-03-31T02:30:00", "2026-03-30T22:30:00"),
    "NOON": ("2026-03-31T16:00:00", "2026-03-31T12:00:00"),
    # 2026-03-08 is the day US clocks spring forward: New York's day is 23 hours long.
    "DST-EVE": ("2026-03-09T03:30:00", "2026-03-08T23:30:00"),
    "DST-AM": ("2026-03-09T04:30:00", "2026-03-09T00:30:00"),
}


@pytest.fixture
def api():
    user, key = make_api_user()
    for code, (start, _) in STARTS.items():
        instant = datetime.fromisoformat(start).replace(tzinfo=UTC)
        make_batch(user=user, code=code, start_date=instant, status=BatchStatus.CLOSED)
    return Api(key)


def codes(api: Api, text: str) -> set[str]:
    response = api.get("/api/v3/batch", params={"filter": text})
    assert response.status_code == 200, response.get_json()
    return {row["batchCode"] for row in response.get_json()}


@pytest.mark.parametrize(("zone", "shown"), [("UTC", 0), (NEW_YORK, 1)])
def test_date_times_are_written_in_the_zone_without_an_offset(api, settings, zone, shown):
    settings.SIMULATOR_TIME_ZONE = zone

    rows = api.get("/api/v3/batch").get_json()

    for row in rows:
        expected = STARTS[row["batchCode"]][shown]
        assert (row["startDate"], row["endDate"]) == (expected, expected)


@pytest.mark.parametrize("zone", ["UTC", NEW_YORK])
def test_a_filter_on_the_date_or_date_time_a_batch_shows_finds_it(api, settings, zone):
    settings.SIMULATOR_TIME_ZONE = zone
    shown = {row["batchCode"]: row["startDate"] for row in api.get("/api/v3/batch").get_json()}

    for code, start in shown.items():
        day = start[:10]
        same_day = {other for other, value in shown.items() if value[:10] == day}
        assert codes(api, f"startDate equals '{day}'") == same_day
        assert codes(api, f"endDate between '{day}'|'{day}'") == same_day
        assert codes(api, f"startDate equals '{start}'") == {code}
        assert code not in codes(api, f"startDate greater than '{start}'")
        assert code in codes(api, f"startDate greater than equal '{start}'")


def test_new_york_days_run_midnight_to_midnight_in_new_york(api, settings):
    settings.SIMULATOR_TIME_ZONE = NEW_YORK

    assert codes(api, "startDate equals '2026-03-30'") == {"LATE"}
    assert codes(api, "startDate equals '2026-03-31'") == {"NOON"}
    assert codes(api, "startDate equals '2026-03-08'") == {"DST-EVE"}
    assert codes(api, "startDate equals '2026-03-09'") == {"DST-AM"}
    # An offset is honoured as sent.
    assert codes(api, "startDate less than '2026-03-09T00:00:00-04:00'") == {"DST-EVE"}
    assert codes(api, "startDate less than '2026-03-09T00:00:00Z'") == set()


def test_under_utc_the_same_instants_fall_on_utc_days(api, settings):
    settings.SIMULATOR_TIME_ZONE = "UTC"

    assert codes(api, "startDate equals '2026-03-30'") == set()
    assert codes(api, "startDate equals '2026-03-31'") == {"LATE", "NOON"}
    assert codes(api, "startDate equals '2026-03-09'") == {"DST-EVE", "DST-AM"}


@pytest.mark.parametrize(
    ("zone", "today", "yesterday"), [("UTC", "LATE", ""), (NEW_YORK, "", "LATE")]
)
def test_today_and_yesterday_are_the_zones_days(api, settings, zone, today, yesterday):
    settings.SIMULATOR_TIME_ZONE = zone
    now = datetime(2026, 3, 31, 12, tzinfo=UTC)  # LATE is on that day in UTC, the day before in NY

    def selected(text: str) -> str:
        chosen = apply_filter(Batch.objects.filter(batch_code="LATE"), text, now=now)
        return "".join(chosen.values_list("batch_code", flat=True))

    assert selected("startDate today") == today
    assert selected("startDate yesterday") == yesterday


@pytest.mark.parametrize(
    ("zone", "sent", "stored"),
    [
        ("UTC", "2026-03-30T20:00:00-04:00", "2026-03-31"),
        (NEW_YORK, "2026-03-30T20:00:00-04:00", "2026-03-30T20:00:00"),
        (NEW_YORK, "2026-03-31T04:00:00Z", "2026-03-31"),
        (NEW_YORK, "2026-03-30T20:00:00", "2026-03-30T20:00:00"),
    ],
)
def test_bill_default_dates_with_an_offset_are_stored_in_the_zone(settings, zone, sent, stored):
    settings.SIMULATOR_TIME_ZONE = zone
    _, key = make_api_user()

    response = Api(key).post("/api/v3/batch", batch_body("DATES", dueDate=sent))

    assert response.status_code == 200
    assert response.get_json()["dueDate"] == stored


def test_a_new_batch_shows_its_start_in_new_york_time(settings):
    settings.SIMULATOR_TIME_ZONE = NEW_YORK
    _, key = make_api_user()

    created = Api(key).post("/api/v3/batch", batch_body("NOW")).get_json()

    stored = Batch.objects.get().start_date
    local = stored.astimezone(ZoneInfo(NEW_YORK)).replace(tzinfo=None)
    assert created["startDate"] == local.isoformat()
    assert created["endDate"] is None


def test_runsimulator_refuses_an_unknown_zone(settings):
    settings.SIMULATOR_TIME_ZONE = "Mars/Olympus_Mons"

    with pytest.raises(CommandError, match="SIMULATOR_TIME_ZONE"):
        call_command("runsimulator", "127.0.0.1:0")
