"""The widget keeps its last good figures: shown with their age and a notice while the API cannot
be read, read again once they are older than REVIEW_CACHE_SECONDS."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from batchui.accounts.roles import Role
from batchui.review.widget import widget_snapshot
from batchui.simulator import faults
from batchui.simulator.models import ApiUser
from tests.review.conftest import client_for
from tests.simulator.helpers import make_api_user, make_batch


@pytest.fixture
def viewer_client(person) -> Client:
    client = client_for(person(Role.VIEWER, "vic", "VREAD"))
    make_batch(user=ApiUser.objects.get(user_code="VREAD"), code="VIC_OPEN")
    return client


def test_the_last_figures_show_with_their_age_while_the_api_is_down(
    viewer_client, no_faults, settings
):
    first = viewer_client.get("/widget.json").json()
    assert first["counts"]["open"] == 1
    assert "error" not in first
    settings.REVIEW_CACHE_SECONDS = 0  # no longer fresh: the next view reads the API again
    settings.BATCH_API_RETRY_BUDGET = 0
    faults.inject("status", status=503, retry_after=1, method="GET", times=None)

    for headers in ({}, {"HX-Request": "true"}):  # the page, and its minute refresh
        html = viewer_client.get("/widget/", headers=headers).content.decode()
        assert 'id="widget-open">1<' in html
        as_of = datetime.fromisoformat(first["asOf"])
        assert f">{as_of.day} {as_of:%b %Y, %H:%M}</time> (<time datetime=" in html
        assert "just now</time>)" in html
        assert "The Batch API could not be reached: these are the last figures read." in html
        assert "not available right now" not in html

    body = viewer_client.get("/widget.json")
    assert body.status_code == 200
    assert body.json()["asOf"] == first["asOf"]
    assert body.json()["counts"] == first["counts"]
    assert body.json()["error"]  # why they are the last ones


def test_fresh_figures_are_kept_and_older_ones_read_again(transactional_db, settings):
    user, key = make_api_user("WIDGET", "Widget", create=False)
    now = timezone.now()
    assert widget_snapshot(api_key=key, now=now).open_count == 0
    make_batch(user=user, code="W1")
    fresh = widget_snapshot(api_key=key, now=now + timedelta(seconds=10))
    assert (fresh.open_count, fresh.from_cache) == (0, True)
    later = now + timedelta(seconds=settings.REVIEW_CACHE_SECONDS + 1)
    again = widget_snapshot(api_key=key, now=later)
    assert (again.open_count, again.from_cache, again.fetched_at) == (1, False, later)


def test_without_last_figures_the_failure_is_shown(viewer_client, no_faults, settings):
    settings.BATCH_API_RETRY_BUDGET = 0
    faults.inject("status", status=503, retry_after=1, method="GET", times=None)
    html = viewer_client.get("/widget/").content.decode()
    assert "The figures are not available right now:" in html
    assert viewer_client.get("/widget.json").status_code == 503
