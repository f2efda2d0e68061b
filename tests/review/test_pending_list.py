"""The review's pending list: each pending batch offers Reopen (a link to its confirmation, which
works without JavaScript) to the people allowed to reopen it (`may_reopen`)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from batchui.accounts.roles import Role
from tests.helpers import HTMX
from tests.review.conftest import client_for
from tests.simulator.helpers import make_api_user, make_batch


@pytest.fixture
def pending(transactional_db):
    """Two of Jane's batches: one pending, one open."""
    jane, _ = make_api_user("JSMITH", "Jane Smith")
    start = timezone.now().replace(microsecond=0) - timedelta(days=3)
    return {
        "pending": make_batch(
            user=jane, code="Held", status="Pending", bill_count=2, start_date=start
        ).batch_id,
        "open": make_batch(user=jane, code="Going", bill_count=2, start_date=start).batch_id,
    }


def reopen_links(html: str) -> dict[int, str]:
    """Reopen links on the page: batch id -> the link's text."""
    return {
        int(batch_id): " ".join(re.sub(r"<[^>]+>", "", text).split())
        for batch_id, text in re.findall(r'<a href="/batches/(\d+)/reopen/"[^>]*>(.*?)</a>', html)
    }


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_each_pending_batch_offers_reopen(pending, lead_client, htmx):
    if htmx:  # Refresh, as htmx sends it: the fragment
        html = lead_client.post("/review/", headers=HTMX).content.decode()
        assert "<html" not in html
    else:
        html = lead_client.get("/review/").content.decode()
    assert reopen_links(html) == {pending["pending"]: "Reopen batch Held"}
    pending_table = re.search(r'<table[^>]*id="pending-table".*?</table>', html, re.S).group(0)
    assert "/reopen/" in pending_table

    # The link leads to the confirmation (a full page: no JavaScript needed); nothing changed yet.
    page = lead_client.get(f"/batches/{pending['pending']}/reopen/")
    assert page.status_code == 200
    assert b"<html" in page.content
    assert b'method="post"' in page.content


def test_no_reopen_for_someone_who_may_not(pending, person):
    # Someone who may see the review but not change a batch's status (no such role today: the
    # rule, not the role, decides).
    watcher = person(Role.VIEWER, "wendy", "WWATCH")
    watcher.user_permissions.add(Permission.objects.get(codename="view_review"))
    html = client_for(watcher).get("/review/").content.decode()
    assert "Held" in html
    assert reopen_links(html) == {}


def test_after_a_reopen_the_review_shows_it_at_once(pending, lead_client):
    # The review's figures are cached (REVIEW_CACHE_SECONDS); an action drops those of the person
    # who acted, so coming back to the review does not show the batch still pending.
    assert pending["pending"] in reopen_links(lead_client.get("/review/").content.decode())
    form = lead_client.get(f"/batches/{pending['pending']}/reopen/").content.decode()
    token = re.search(r'name="token" value="([0-9a-f]{32})"', form).group(1)
    done = lead_client.post(f"/batches/{pending['pending']}/reopen/", {"token": token})
    assert done.status_code == 303
    assert reopen_links(lead_client.get("/review/").content.decode()) == {}
