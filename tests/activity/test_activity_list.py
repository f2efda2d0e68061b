"""The activity log page: who sees what, filters, paging, a batch's history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from batchui.accounts.roles import Role
from batchui.activity.models import Action, ActivityEntry, Outcome
from batchui.activity.views import PAGE_SIZE
from tests.helpers import HTMX, make_person

pytestmark = pytest.mark.django_db


def someone(username: str, role: Role):
    return make_person(username, role)


def entry(user, *, action=Action.OPEN, outcome=Outcome.SUCCESS, batch_id=1, minutes_ago=0, **kw):
    return ActivityEntry.objects.create(
        created=timezone.now() - timedelta(minutes=minutes_ago),
        finished=kw.pop("finished", timezone.now()),
        user=user,
        username=user.get_username(),
        action=action,
        outcome=outcome,
        batch_id=batch_id,
        batch_code=kw.pop("batch_code", f"CODE_{batch_id}"),
        **kw,
    )


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people():
    return {
        "cora": someone("cora", Role.CLERK),
        "otto": someone("otto", Role.CLERK),
        "lena": someone("lena", Role.LEAD),
        "vic": someone("vic", Role.VIEWER),
    }


def rows(response) -> int:
    return response.content.decode().count('class="activity-entry"')


def test_clerks_see_their_own_entries_and_leads_everyones(people):
    entry(people["cora"], batch_code="CORA_ONE")
    entry(people["otto"], batch_code="OTTO_ONE")
    cora = client_of(people["cora"]).get("/activity/").content.decode()
    assert "CORA_ONE" in cora
    assert "OTTO_ONE" not in cora
    assert "You see your own activity." in cora
    assert 'name="person"' not in cora  # nothing to choose from
    lead = client_of(people["lena"]).get("/activity/").content.decode()
    assert "CORA_ONE" in lead
    assert "OTTO_ONE" in lead
    assert "You see everyone's activity." in lead
    viewer = client_of(people["vic"]).get("/activity/")
    assert viewer.status_code == 200
    assert rows(viewer) == 0


def test_newest_first_with_before_and_after_of_edits(people):
    entry(people["cora"], batch_code="OLDER", minutes_ago=10)
    entry(
        people["cora"],
        action=Action.EDIT,
        batch_code="NEWER",
        changes={"batchCode": {"before": "OLD_NAME", "after": "NEWER"}},
        message="Batch NEWER saved.",
    )
    html = client_of(people["cora"]).get("/activity/").content.decode()
    assert html.index("NEWER") < html.index("OLDER")
    assert "Batch code: OLD_NAME → NEWER" in html
    assert "Batch NEWER saved." in html


def test_filters(people):
    entry(people["cora"], action=Action.OPEN, outcome=Outcome.SUCCESS, batch_id=1)
    entry(people["cora"], action=Action.CLOSE, outcome=Outcome.FAILED, batch_id=1)
    entry(people["otto"], action=Action.CLOSE, outcome=Outcome.REFUSED, batch_id=2)
    lead = client_of(people["lena"])
    assert rows(lead.get("/activity/")) == 3
    assert rows(lead.get("/activity/?person=otto")) == 1
    assert rows(lead.get("/activity/?action=close")) == 2
    assert rows(lead.get("/activity/?outcome=failed")) == 1
    assert rows(lead.get("/activity/?batch=1")) == 2
    assert rows(lead.get("/activity/?batch=1&action=close&outcome=failed")) == 1
    # A clerk's person filter is ignored: still only their own entries.
    ignored = client_of(people["cora"]).get("/activity/?person=otto")
    assert rows(ignored) == 2
    assert "otto" not in ignored.content.decode().split('id="activity-results"')[1]


def count_line(response) -> str:
    html = response.content.decode()
    start = html.index('<p id="activity-count">') + len('<p id="activity-count">')
    return " ".join(html[start : html.index("</p>", start)].split())


def test_the_count_says_it_once_whether_there_is_activity_or_none(people):
    lead = client_of(people["lena"])
    assert count_line(lead.get("/activity/")) == "No activity."
    assert count_line(lead.get("/activity/?action=close")) == "No activity matches these filters."
    entry(people["cora"], action=Action.OPEN)
    entry(people["otto"], action=Action.OPEN)
    assert count_line(lead.get("/activity/")) == "2 entries."
    assert count_line(lead.get("/activity/?person=otto")) == "1 entry matches the filters."
    assert "No activity" not in lead.get("/activity/").content.decode()


def test_a_batch_history(people):
    entry(people["cora"], batch_id=5, batch_code="FIVE")
    entry(people["cora"], batch_id=6, batch_code="SIX")
    html = client_of(people["cora"]).get("/activity/?batch=5").content.decode()
    assert "Activity: batch 5" in html
    assert "FIVE" in html
    assert "SIX" not in html


def test_htmx_gets_the_results_fragment(people):
    entry(people["cora"])
    response = client_of(people["cora"]).get("/activity/?action=open", headers=HTMX)
    html = response.content.decode()
    assert html.strip().startswith('<section id="activity-results"')
    assert "<!doctype" not in html.lower()
    assert "HX-Request" in response["Vary"]


def test_paging(people):
    for n in range(PAGE_SIZE + 5):
        entry(people["cora"], batch_id=n + 1, minutes_ago=n)
    client = client_of(people["cora"])
    first = client.get("/activity/?action=open")
    assert rows(first) == PAGE_SIZE
    html = first.content.decode()
    assert "Page 1 of 2" in html
    assert 'href="?action=open&amp;page=2"' in html
    assert rows(client.get("/activity/?action=open&page=2")) == 5


def test_an_unfinished_attempt_shows_as_in_progress(people):
    entry(people["cora"], outcome=Outcome.UNKNOWN, finished=None)
    html = client_of(people["cora"]).get("/activity/").content.decode()
    assert "In progress (no answer yet)" in html


def test_invalid_filters_show_everything_visible(people):
    entry(people["cora"])
    assert rows(client_of(people["cora"]).get("/activity/?batch=abc&outcome=nonsense")) == 1


def test_anonymous_people_are_sent_to_sign_in():
    response = Client().get("/activity/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
