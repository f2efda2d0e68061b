"""Every figure of the review screen against the same figure computed straight from the
simulator's rows, over more than one page of open and pending batches; the page shows them;
caching; who may see the screen."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db.models import Count, Min, Q, Sum

from batchui.accounts.roles import Role
from batchui.batchapi.client import ITER_PAGE_SIZE
from batchui.review.caching import cache_key
from batchui.review.services import (
    LIST_LIMIT,
    review_figures,
    review_snapshot,
)
from batchui.simulator.models import Batch as StoredBatch
from batchui.simulator.seeding import seed_batches
from tests.review.conftest import client_for

NOW = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
STALE_DAYS = 14
CLOSED_DAYS = 30
WORK = ("Open", "Pending")


def money(value: float) -> Decimal:
    """What the client reads from the API's JSON number (its shortest repr)."""
    return Decimal(repr(float(value)))


@pytest.fixture
def seeded(transactional_db, settings):
    settings.REVIEW_STALE_DAYS = STALE_DAYS
    settings.REVIEW_CLOSED_DAYS = CLOSED_DAYS
    seed_batches(count=6000, seed=11, now=NOW)
    work = StoredBatch.objects.filter(batch_status__in=WORK).count()
    assert work > ITER_PAGE_SIZE, "the test needs more than one page of open and pending batches"
    return work


def expected_people(now: datetime = NOW) -> dict[int, dict]:
    """Per API user, computed from the simulator's table (ORM aggregates and plain Python)."""
    since = datetime.combine(now.date() - timedelta(days=CLOSED_DAYS - 1), time.min, tzinfo=UTC)
    rows = (
        StoredBatch.objects.values("created_by_id")
        .annotate(
            open=Count("pk", filter=Q(batch_status="Open")),
            pending=Count("pk", filter=Q(batch_status="Pending")),
            bills=Sum("bill_count", filter=Q(batch_status__in=WORK), default=0),
            flags=Sum("flag_count", filter=Q(batch_status__in=WORK), default=0),
            analyzing=Sum("analyzing_count", filter=Q(batch_status__in=WORK), default=0),
            kickouts=Count("pk", filter=Q(batch_status__in=WORK, has_imports_with_kickout=True)),
            oldest=Min("start_date", filter=Q(batch_status="Open")),
            closed=Count("pk", filter=Q(batch_status="Closed", end_date__gte=since)),
        )
        .order_by()
    )
    people = {
        row["created_by_id"]: row for row in rows if row["open"] + row["pending"] + row["closed"]
    }
    costs: dict[int, Decimal] = defaultdict(Decimal)
    for owner, total in StoredBatch.objects.filter(batch_status__in=WORK).values_list(
        "created_by_id", "running_total"
    ):
        costs[owner] += money(total)
    for owner, row in people.items():
        row["cost"] = costs[owner]
        row["oldest_days"] = (now - row["oldest"]).days if row["oldest"] else None
    return people


def ordered_ids(queryset) -> list[int]:
    return list(queryset.order_by("start_date", "batch_id").values_list("batch_id", flat=True))


def test_every_figure_equals_the_simulators_own(seeded, lead):
    from batchui.accounts.services import api_key_for

    figures = review_snapshot(api_key=api_key_for(lead), now=NOW).figures
    people = expected_people()

    assert {p.user_id for p in figures.people} == set(people)
    for person in figures.people:
        row = people[person.user_id]
        assert (
            person.open_count,
            person.pending_count,
            person.bill_count,
            person.total_cost,
            person.flag_count,
            person.analyzing_count,
            person.kickout_count,
            person.oldest_open_start,
            person.oldest_open_days,
            person.closed_recently,
        ) == (
            row["open"],
            row["pending"],
            row["bills"],
            row["cost"],
            row["flags"],
            row["analyzing"],
            row["kickouts"],
            row["oldest"],
            row["oldest_days"],
            row["closed"],
        ), person.full_name
    # Most open work first.
    work = [p.work_count for p in figures.people]
    assert work == sorted(work, reverse=True)

    team = figures.team
    assert team.open_count == StoredBatch.objects.filter(batch_status="Open").count()
    assert team.pending_count == StoredBatch.objects.filter(batch_status="Pending").count()
    assert team.open_count + team.pending_count == seeded
    assert team.bill_count == sum(p["bills"] for p in people.values())
    assert team.total_cost == sum((p["cost"] for p in people.values()), Decimal(0))
    assert team.flag_count == sum(p["flags"] for p in people.values())
    assert team.analyzing_count == sum(p["analyzing"] for p in people.values())
    assert team.kickout_count == sum(p["kickouts"] for p in people.values())
    assert team.closed_recently == sum(p["closed"] for p in people.values())
    oldest = StoredBatch.objects.filter(batch_status="Open").aggregate(m=Min("start_date"))["m"]
    assert team.oldest_open_start == oldest

    stale = ordered_ids(
        StoredBatch.objects.filter(
            batch_status="Open", start_date__lt=NOW - timedelta(days=STALE_DAYS)
        )
    )
    pending = ordered_ids(StoredBatch.objects.filter(batch_status="Pending"))
    ready = ordered_ids(
        StoredBatch.objects.filter(
            batch_status="Open",
            bill_count__gt=0,
            analyzing_count=0,
            flag_count=0,
            has_imports_with_kickout=False,
        )
    )
    assert figures.stale_count == len(stale) > 0
    assert [line.batch.batch_id for line in figures.stale] == stale[:LIST_LIMIT]
    assert figures.pending_count == len(pending) > 0
    assert [line.batch.batch_id for line in figures.pending] == pending[:LIST_LIMIT]
    assert figures.ready_count == len(ready) > 0
    empty = ordered_ids(StoredBatch.objects.filter(batch_status="Open", bill_count=0))
    assert figures.empty_count == len(empty) > 0
    assert [line.batch.batch_id for line in figures.empty] == empty[:LIST_LIMIT]
    assert [line.batch.batch_id for line in figures.ready] == ready[:LIST_LIMIT]
    line = figures.ready[0]
    row = StoredBatch.objects.select_related("created_by").get(pk=line.batch.batch_id)
    assert (line.batch.batch_code, line.full_name, line.batch.bill_count) == (
        row.batch_code,
        row.created_by.full_name,
        row.bill_count,
    )
    assert line.batch.running_total == money(row.running_total)
    assert line.age_days == (NOW - row.start_date).days

    closed_days = Counter(
        end.date()
        for end in StoredBatch.objects.filter(
            batch_status="Closed", end_date__isnull=False
        ).values_list("end_date", flat=True)
    )
    days = [NOW.date() - timedelta(days=n) for n in range(CLOSED_DAYS - 1, -1, -1)]
    assert [(d.day, d.closed) for d in figures.closed_per_day] == [
        (day, closed_days.get(day, 0)) for day in days
    ]
    assert figures.closed_recently == sum(closed_days.get(day, 0) for day in days) > 0


def cells(html: str, user: str) -> dict[str, str]:
    row = re.search(rf'<tr data-user="{re.escape(user)}">(.*?)</tr>', html, re.DOTALL)
    assert row, f"no row for {user!r}"
    return dict(re.findall(r'data-figure="(\w+)">([^<]*)<', row.group(1)))


def test_the_page_shows_the_figures(seeded, lead_client):
    response = lead_client.get("/review/")
    assert response.status_code == 200
    html = response.content.decode()
    people = expected_people(response.context["snapshot"].fetched_at)
    codes = dict(StoredBatch.objects.values_list("created_by_id", "created_by__user_code"))
    for owner, row in people.items():
        shown = cells(html, codes[owner])
        assert shown["open"] == str(row["open"])
        assert shown["pending"] == str(row["pending"])
        assert shown["bills"] == f"{row['bills']:,}"
        assert shown["cost"] == f"${row['cost']:,.2f}"
        assert shown["flags"] == str(row["flags"])
        assert shown["kickouts"] == str(row["kickouts"])
        assert shown["closed"] == str(row["closed"])
        assert shown["oldest"].startswith(f"{row['oldest_days']} day")
    team = cells(html, "")
    assert team["open"] == str(StoredBatch.objects.filter(batch_status="Open").count())
    pending = StoredBatch.objects.filter(batch_status="Pending").count()
    assert f'id="sum-pending">{pending}<' in html
    assert "void and missing from every report" in html
    # Both charts: server-drawn SVG with a text alternative; no inline style anywhere.
    assert html.count('role="img"') == 2
    assert "<title>Open work per person" in html
    assert "<title>Batches closed per day" in html
    assert 'id="closed-table"' in html
    assert "style=" not in html
    assert 'media="print"' in html
    assert "Figures as of" in html


def test_figures_come_from_the_cache_until_refresh(seeded, lead, lead_client, api_calls):
    lead_client.get("/review/")
    # Page 1 of open and pending (it tells there are two), then page 2; one page of closed.
    assert api_calls.count() == 3

    api_calls.reset()
    second = lead_client.get("/review/")
    assert second.status_code == 200
    assert api_calls.count() == 0
    assert b"Refresh reads them again" in second.content

    api_calls.reset()
    refreshed = lead_client.post("/review/", headers={"HX-Request": "true"})
    assert refreshed.status_code == 200
    # The same three calls again.
    assert api_calls.count() == 3
    assert b'id="review"' in refreshed.content
    assert b"<html" not in refreshed.content
    assert "HX-Request" in refreshed["Vary"]

    # Without htmx, Refresh answers with a redirect back to the page (POST, then GET).
    again = lead_client.post("/review/")
    assert (again.status_code, again["Location"]) == (303, "/review/")


def test_the_cache_key_never_contains_the_api_key(lead):
    from batchui.accounts.services import api_key_for

    key = api_key_for(lead)
    name = cache_key(kind="review", api_key=key)
    assert key not in name
    assert name != cache_key(kind="review", api_key=key + "x")


def test_people_in_other_time_zones_never_share_cached_figures():
    # "Opened today" and the closed-per-day figures depend on the person's zone (a profile
    # setting); two people on the shared service key in Berlin and New York see their own days.
    from django.utils import timezone

    with timezone.override("Europe/Berlin"):
        berlin = cache_key(kind="review", api_key="shared")
    with timezone.override("America/New_York"):
        new_york = cache_key(kind="review", api_key="shared")
    assert berlin != new_york


@pytest.mark.parametrize("role", [Role.CLERK, Role.VIEWER])
def test_only_leads_see_the_review(person, role):
    client = client_for(person(role, f"{role.value}-someone", f"T{role.value.upper()}"))
    assert client.get("/review/").status_code == 403
    assert client.post("/review/").status_code == 403
    assert client.post("/review/close/", {"batch": ["1"]}).status_code == 403


def test_an_api_failure_is_a_message_in_the_page(transactional_db, lead_client, no_faults):
    from batchui.simulator import faults

    faults.inject("status", status=500, method="GET", times=None)
    response = lead_client.get("/review/")
    assert response.status_code == 200
    assert b"could not be read from EnergyCAP" in response.content


def test_figures_from_plain_values_ignore_what_does_not_belong():
    """review_figures is pure: closed batches among the open ones, and closes outside the window,
    are left out."""
    from batchui.batchapi import Batch, BatchStatus, UserChild

    owner = UserChild(user_id=1, user_code="ANN", full_name="Ann")

    def batch(batch_id, status, *, start_days, end_days=None, **fields):
        return Batch(
            batch_id=batch_id,
            batch_code=f"B{batch_id}",
            batch_status=status,
            is_open=status is BatchStatus.OPEN,
            start_date=NOW - timedelta(days=start_days),
            end_date=None if end_days is None else NOW - timedelta(days=end_days),
            bill_count=fields.get("bills", 1),
            running_total=Decimal("10.10"),
            flag_count=fields.get("flags", 0),
            analyzing_count=0,
            has_imported_bills=False,
            has_imports_with_kickout=False,
            has_logs=False,
            created_by=owner,
        )

    figures = review_figures(
        open_and_pending=[
            batch(1, BatchStatus.OPEN, start_days=20),
            batch(2, BatchStatus.OPEN, start_days=1, flags=2),
            batch(3, BatchStatus.PENDING, start_days=3),
            batch(4, BatchStatus.CLOSED, start_days=3, end_days=1),
            batch(7, BatchStatus.OPEN, start_days=2, bills=0),
        ],
        recently_closed=[
            batch(5, BatchStatus.CLOSED, start_days=9, end_days=0),
            batch(6, BatchStatus.CLOSED, start_days=90, end_days=45),
        ],
        now=NOW,
        stale_days=14,
    )
    (ann,) = figures.people
    assert (ann.open_count, ann.pending_count, ann.total_cost, ann.flag_count) == (
        3,
        1,
        Decimal("40.40"),
        2,
    )
    assert (ann.oldest_open_days, ann.closed_recently) == (20, 1)
    assert [line.batch.batch_id for line in figures.stale] == [1]
    assert [line.batch.batch_id for line in figures.ready] == [1]  # not 7: it has no bills
    assert [line.batch.batch_id for line in figures.empty] == [7]
    assert [line.batch.batch_id for line in figures.pending] == [3]
    assert figures.closed_per_day[-1].closed == 1
    assert figures.closed_recently == 1


def test_a_review_asks_for_page_one_then_exactly_the_pages_that_remain(
    transactional_db, lead_client, monkeypatch
):
    from urllib.parse import parse_qs, urlsplit

    from batchui.batchapi.transport import SimulatorAdapter
    from tests.simulator.helpers import make_api_user

    owner, _ = make_api_user("BULK", "Bulk Owner")
    now = datetime.now(UTC).replace(microsecond=0)
    rows = []
    for n in range(5000):
        status = ("Open", "Pending", "Closed", "Closed")[n % 4]
        row = StoredBatch(
            batch_code=f"Bulk_{n:05d}",
            batch_status=status,
            start_date=now - timedelta(days=3, minutes=n),
            end_date=now - timedelta(days=1) if status == "Closed" else None,
            created_by=owner,
        )
        row.refresh_derived()
        rows.append(row)
    StoredBatch.objects.bulk_create(rows, batch_size=500)
    calls: list[tuple[str, str]] = []
    send = SimulatorAdapter.send

    def counting(self, request, **kwargs):
        query = parse_qs(urlsplit(request.url).query)
        which = "closed" if "endDate" in query["filter"][0] else "open and pending"
        calls.append((which, query["pageNumber"][0]))
        return send(self, request, **kwargs)

    monkeypatch.setattr(SimulatorAdapter, "send", counting)
    every_page_once = [(which, page) for which in ("closed", "open and pending") for page in "123"]
    cold = lead_client.get("/review/")
    assert cold.context["figures"].team.work_count == 2500
    assert cold.context["figures"].closed_recently == 2500
    # 2,500 of each over pages of 1,000: page 1 (it tells there are three), then pages 2 and 3.
    assert sorted(calls) == every_page_once
    for which in ("closed", "open and pending"):
        assert next(page for asked, page in calls if asked == which) == "1"

    calls.clear()
    lead_client.get("/review/")
    assert calls == []  # from the cache

    lead_client.post("/review/", headers={"HX-Request": "true"})
    assert sorted(calls) == every_page_once  # a refresh: the same calls again
