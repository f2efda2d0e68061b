"""The intranet widget: who may see it (WIDGET_ACCESS), its figures and JSON twin against the
simulator's rows, its htmx refresh fragment, and who may frame it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from batchui.accounts.roles import Role
from batchui.simulator.models import ApiUser
from batchui.simulator.models import Batch as StoredBatch
from batchui.simulator.seeding import seed_batches
from tests.review.conftest import client_for
from tests.simulator.helpers import make_api_user, make_batch

TOKEN = "intranet-widget-token-0123456789"


@pytest.fixture
def data(transactional_db):
    now = timezone.now().replace(microsecond=0)
    seed_batches(count=1500, seed=5, now=now - timedelta(days=1))
    user = ApiUser.objects.get(user_code="JSMITH")
    # Two closed today (one just after midnight), one yesterday.
    midnight = datetime.combine(now.date(), datetime.min.time(), tzinfo=UTC)
    make_batch(
        user=user, code="T1", status="Closed", start_date=now - timedelta(days=3), end_date=now
    )
    make_batch(
        user=user,
        code="T2",
        status="Closed",
        start_date=midnight - timedelta(days=2),
        end_date=midnight + timedelta(seconds=1),
    )
    make_batch(
        user=user,
        code="Y1",
        status="Closed",
        start_date=midnight - timedelta(days=2),
        end_date=midnight - timedelta(seconds=1),
    )
    return now


@pytest.fixture
def viewer_client(person) -> Client:
    return client_for(person(Role.VIEWER, "vic", "VREAD"))


@pytest.fixture
def token_mode(settings, transactional_db):
    _, key = make_api_user("WIDGET", "Intranet widget", create=False)
    settings.WIDGET_ACCESS = "token"
    settings.WIDGET_TOKEN = TOKEN
    settings.WIDGET_API_KEY = key
    return key


def expected_json(now: datetime) -> dict:
    rows = StoredBatch.objects.select_related("created_by")
    open_rows = list(rows.filter(batch_status="Open"))
    oldest = min(open_rows, key=lambda b: (b.start_date, b.batch_id))
    midnight = datetime.combine(now.date(), datetime.min.time(), tzinfo=UTC)
    return {
        "counts": {
            "open": len(open_rows),
            "pending": rows.filter(batch_status="Pending").count(),
            "closed": rows.filter(batch_status="Closed").count(),
        },
        "openTotalCost": str(sum((Decimal(repr(b.running_total)) for b in open_rows), Decimal(0))),
        "oldestOpen": {
            "batchId": oldest.batch_id,
            "batchCode": oldest.batch_code,
            "startDate": oldest.start_date.isoformat(),
            "ageDays": (now - oldest.start_date).days,
            "createdBy": oldest.created_by.full_name,
        },
        "closedToday": rows.filter(batch_status="Closed", end_date__gte=midnight).count(),
    }


def test_the_json_twin_equals_the_simulators_figures(data, viewer_client):
    response = viewer_client.get("/widget.json")
    assert response.status_code == 200
    body = response.json()
    as_of = datetime.fromisoformat(body.pop("asOf"))
    assert abs(as_of - timezone.now()) < timedelta(minutes=1)
    assert body == expected_json(as_of)
    assert body["closedToday"] >= 2


def test_the_page_shows_the_figures_and_refreshes_every_minute(data, viewer_client):
    expected = expected_json(timezone.now())
    html = viewer_client.get("/widget/").content.decode()
    assert f'id="widget-open">{expected["counts"]["open"]}<' in html
    assert f'id="widget-pending">{expected["counts"]["pending"]}<' in html
    assert f'id="widget-closed-today">{expected["closedToday"]}<' in html
    cost = Decimal(expected["openTotalCost"])
    assert f'id="widget-cost">${cost:,.2f}<' in html
    assert expected["oldestOpen"]["batchCode"] in html
    assert 'hx-trigger="every 60s"' in html
    assert 'hx-get="/widget/"' in html
    assert "style=" not in html

    fragment = viewer_client.get("/widget/", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert b"<html" not in fragment.content
    assert b'id="widget-figures"' in fragment.content
    assert b'hx-trigger="every 60s"' in fragment.content
    assert "HX-Request" in fragment["Vary"]


def test_figures_are_cached_per_key(data, viewer_client, api_calls):
    viewer_client.get("/widget.json")
    # Pending, closed and closed today counted; the open batches read (one page).
    assert api_calls.count() == 4
    api_calls.reset()
    viewer_client.get("/widget/")
    viewer_client.get("/widget.json")
    assert api_calls.count() == 0


# --- access -------------------------------------------------------------------------------------


def test_signed_in_mode_sends_anonymous_people_to_sign_in(transactional_db, settings):
    settings.WIDGET_TOKEN = TOKEN  # a token means nothing in this mode
    anonymous = Client()
    for url in ("/widget/", "/widget.json", f"/widget/?token={TOKEN}"):
        response = anonymous.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next=")


def test_signed_in_mode_lets_every_role_see_it(transactional_db, person):
    for role, code in ((Role.VIEWER, "VREAD"), (Role.CLERK, "JSMITH"), (Role.LEAD, "MLEAD")):
        client = client_for(person(role, f"p-{role.value}", code))
        assert client.get("/widget/").status_code == 200
        assert client.get("/widget.json").status_code == 200


def test_token_mode_with_the_right_token(data, token_mode):
    anonymous = Client()
    page = anonymous.get(f"/widget/?token={TOKEN}")
    assert page.status_code == 200
    # The refresh keeps the token.
    assert f'hx-get="/widget/?token={TOKEN}"'.encode() in page.content
    body = anonymous.get(f"/widget.json?token={TOKEN}").json()
    body.pop("asOf")
    assert body == expected_json(timezone.now())


def test_token_mode_with_a_wrong_or_missing_token(transactional_db, token_mode):
    anonymous = Client()
    assert anonymous.get("/widget/?token=wrong").status_code == 403
    refused = anonymous.get("/widget.json?token=wrong")
    assert refused.status_code == 403
    assert "error" in refused.json()
    assert anonymous.get("/widget/?token=").status_code == 403
    missing = anonymous.get("/widget/")
    assert missing.status_code == 302
    assert missing["Location"].startswith("/accounts/login/")


def test_token_mode_without_a_key_to_read_with(transactional_db, token_mode, settings):
    settings.WIDGET_API_KEY = ""
    settings.ECI_API_KEY = ""
    assert Client().get(f"/widget/?token={TOKEN}").status_code == 503


def test_token_mode_still_serves_signed_in_people(data, token_mode, viewer_client):
    assert viewer_client.get("/widget/").status_code == 200


def test_an_api_failure_is_shown_not_raised(transactional_db, viewer_client, no_faults):
    from batchui.simulator import faults

    faults.inject("status", status=500, method="GET", times=None)
    page = viewer_client.get("/widget/")
    assert page.status_code == 200
    assert b"not available right now" in page.content
    assert b'hx-trigger="every 60s"' in page.content  # it tries again in a minute
    assert viewer_client.get("/widget.json").status_code == 503


# --- framing ------------------------------------------------------------------------------------


def frame_ancestors(response) -> str:
    policy = response["Content-Security-Policy"]
    return next(part.strip() for part in policy.split(";") if "frame-ancestors" in part)


def test_nobody_may_frame_it_by_default(transactional_db, viewer_client, settings):
    settings.WIDGET_FRAME_ANCESTORS = []
    response = viewer_client.get("/widget/")
    assert response["X-Frame-Options"] == "DENY"
    assert frame_ancestors(response) == "frame-ancestors 'none'"


def test_the_intranet_may_frame_it_when_configured(transactional_db, person, settings):
    settings.WIDGET_FRAME_ANCESTORS = ["https://intranet.example"]
    viewer = client_for(person(Role.VIEWER, "vic", "VREAD"))
    for url in ("/widget/", "/widget.json"):
        response = viewer.get(url)
        assert "X-Frame-Options" not in response, url
        assert frame_ancestors(response) == "frame-ancestors https://intranet.example", url
    # Only the widget: the review screen stays unframeable.
    lead = client_for(person(Role.LEAD, "lee", "MLEAD"))
    review = lead.get("/review/")
    assert review["X-Frame-Options"] == "DENY"
    assert frame_ancestors(review) == "frame-ancestors 'none'"
