"""The dashboard against a host that writes local times without an offset: the simulator speaking
America/New_York (SIMULATOR_TIME_ZONE) and the dashboard reading that zone (BATCH_API_TIME_ZONE)
show the same instants at the same times as when both are UTC, and a date-time filter finds the
same batches. Times are shown in TIME_ZONE (UTC here) whatever the host's zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from batchui.simulator.models import BatchStatus
from tests.batches.conftest import filters_of, shown_ids
from tests.hosts.conftest import needs_simulator_zone
from tests.simulator.helpers import make_batch

pytestmark = needs_simulator_zone

HOSTS = ("UTC", "America/New_York")

# Instants on either side of New York's midnight and of its clock changes (the repeated hour of
# November is left out: a wall time without an offset cannot say which of the two it was).
OPENED = {
    "BEFORE-SPRING": datetime(2026, 3, 8, 6, 30, tzinfo=UTC),  # 01:30 EST
    "AFTER-SPRING": datetime(2026, 3, 8, 7, 30, tzinfo=UTC),  # 03:30 EDT
    "NY-EVENING": datetime(2026, 6, 15, 3, 0, tzinfo=UTC),  # 14 June 23:00 EDT
    "NY-MORNING": datetime(2026, 6, 15, 12, 0, tzinfo=UTC),  # 15 June 08:00 EDT
    "WINTER": datetime(2026, 12, 1, 4, 30, tzinfo=UTC),  # 30 November 23:30 EST
}
CLOSED = datetime(2026, 12, 2, 1, 15, tzinfo=UTC)


@pytest.fixture
def stored(clerk_api_user) -> dict[str, int]:
    ids = {
        code: make_batch(user=clerk_api_user, code=code, start_date=opened).batch_id
        for code, opened in OPENED.items()
    }
    winter = make_batch(user=clerk_api_user, code="WINTER-CLOSED", status=BatchStatus.CLOSED,
                        start_date=OPENED["WINTER"], end_date=CLOSED)  # fmt: skip
    return {**ids, "WINTER-CLOSED": winter.batch_id}


def speaking(settings, zone: str) -> None:
    settings.SIMULATOR_TIME_ZONE = zone
    settings.BATCH_API_TIME_ZONE = zone


def times_by_batch(html: str) -> dict[int, list[str]]:
    rows = re.findall(r'<tbody id="batch-(\d+)" class="batch">(.*?)</tbody>', html, re.S)
    return {int(row_id): re.findall(r"<time [^>]*>[^<]*</time>", row) for row_id, row in rows}


def test_the_same_instants_show_the_same_times(settings, clerk_client, stored):
    pages = {}
    for zone in HOSTS:
        speaking(settings, zone)
        pages[zone] = times_by_batch(
            clerk_client.get("/batches/", {"size": 100}).getvalue().decode()
        )
    assert set(pages["UTC"]) == set(stored.values())
    assert pages["America/New_York"] == pages["UTC"]
    evening = pages["UTC"][stored["NY-EVENING"]][0]
    assert evening == ('<time datetime="2026-06-15T03:00:00+00:00" title="2026-06-15 03:00:00 '
                       'UTC (UTC+00:00)" tabindex="0">15 Jun 2026, 03:00</time>')  # fmt: skip
    assert pages["UTC"][stored["WINTER-CLOSED"]][1].endswith(">2 Dec 2026, 01:15</time>")


@pytest.mark.parametrize(
    ("operator", "values", "found"),
    [
        ("greater than", ["2026-06-15 02:30", ""], {"NY-EVENING", "NY-MORNING", "WINTER"}),
        ("less than", ["2026-03-08 07:00", ""], {"BEFORE-SPRING"}),
        ("between", ["2026-03-08 07:00", "2026-06-15 03:00"], {"AFTER-SPRING", "NY-EVENING"}),
    ],
)
def test_a_date_time_filter_finds_the_same_batches(
    settings, clerk_client, stored, sent, operator, values, found
):
    query = {"f": ["startDate"], "op": [operator], "v": values[:1], "v2": values[1:]}
    shown = {}
    for zone in HOSTS:
        speaking(settings, zone)
        shown[zone] = shown_ids(clerk_client.get("/batches/", query).getvalue().decode())
    expected = {stored[code] for code in found} | (
        {stored["WINTER-CLOSED"]} if "WINTER" in found else set()
    )
    assert shown["UTC"] == expected
    assert shown["America/New_York"] == expected
    utc_filter, new_york_filter = filters_of(sent)
    assert utc_filter != new_york_filter  # the same instants, written in each host's zone


def test_with_time_zone_the_hosts_a_calendar_day_is_the_hosts_day(settings, clerk_client, stored):
    speaking(settings, "America/New_York")
    settings.TIME_ZONE = "America/New_York"
    html = (
        clerk_client.get("/batches/", {"opened_from": "2026-06-14", "opened_to": "2026-06-14"})
        .getvalue()
        .decode()
    )
    assert shown_ids(html) == {stored["NY-EVENING"]}
    assert ">14 Jun 2026, 23:00</time>" in html
