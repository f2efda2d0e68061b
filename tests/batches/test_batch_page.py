"""A page per batch (/batches/<id>/): every field, the actions the person may take, the batch's
history; a 404 page and in-page API failures; the links to it from the list, review and log."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from batchui.activity.models import Action, ActivityEntry, Outcome
from batchui.batches.columns import COLUMNS
from batchui.simulator import faults
from batchui.simulator.models import BatchStatus
from tests.batches.test_action_support import (
    FAULTS,
    HTMX,
    batch_of,
    client_for,
    configure_api,
    person,
)

pytestmark = pytest.mark.django_db

BATCH_GET = r"^/api/v3/batch/\d+$"


@pytest.fixture(autouse=True)
def _api(settings):
    configure_api(settings)
    yield
    faults.clear()


def page(username: str, batch_id: int, **kwargs):
    return client_for(username).get(f"/batches/{batch_id}/", **kwargs)


def html_of(response) -> str:
    return response.getvalue().decode()


def actions_part(html: str) -> str:
    return html[html.index('<div class="row-actions">') : html.index("<h2>Fields</h2>")]


def logged(username: str, batch_id: int, code: str, *, action=Action.EDIT, minutes_ago=0, **kw):
    user = person(username)
    return ActivityEntry.objects.create(
        created=timezone.now() - timedelta(minutes=minutes_ago),
        finished=timezone.now(),
        user=user,
        username=username,
        person_name=user.get_full_name(),
        action=action,
        batch_id=batch_id,
        batch_code=code,
        outcome=kw.pop("outcome", Outcome.SUCCESS),
        **kw,
    )


@pytest.mark.parametrize("username", ["vic", "cora", "lena"])
def test_everyone_who_may_see_batches_gets_the_page_with_every_field(username):
    batch = batch_of(
        "otto",
        "OTTO_FIELDS",
        note="Check the gas bills",
        control_code="CC-77",
        bill_count=3,
        running_total=Decimal("1234.50"),
    )
    response = page(username, batch.batch_id)
    html = html_of(response)
    assert response.status_code == 200
    assert "<!doctype html>" in html.lower()
    assert '<h1 id="batch-title" tabindex="-1">Batch OTTO_FIELDS</h1>' in html
    fields = html[html.index('<dl class="batch-fields">') : html.index("</dl>")]
    for column in COLUMNS:
        assert f"<dt>{column.label}</dt>" in fields
    for shown in ("Check the gas bills", "CC-77", "$1,234.50", "Otto Other", "OCLERK"):
        assert f"<dd>{shown}</dd>" in fields
    assert f"<dd>{batch.batch_id}</dd>" in fields
    assert '<span class="status status-open">Open</span>' in fields
    assert '<div id="dialog"></div>' in html


def test_the_history_of_this_batch_newest_first_with_names_and_outcomes():
    batch = batch_of("cora", "CORA_HISTORY")
    other = batch_of("cora", "CORA_OTHER")
    logged("cora", batch.batch_id, "CORA_HISTORY", action=Action.OPEN, minutes_ago=30)
    logged(
        "cora",
        batch.batch_id,
        "CORA_WAS",
        minutes_ago=20,
        changes={"batchCode": {"before": "CORA_WAS", "after": "CORA_HISTORY"}},
    )
    logged("lena", batch.batch_id, "CORA_HISTORY", action=Action.CLOSE, outcome=Outcome.FAILED)
    logged("cora", other.batch_id, "CORA_OTHER", action=Action.OPEN)
    # A viewer sees the batch's whole history (the activity log shows them only their own).
    html = html_of(page("vic", batch.batch_id))
    history = html[html.index('id="batch-history"') :]
    rows = re.findall(r'<tr class="activity-entry".*?</tr>', history, flags=re.S)
    expected = [
        ("Lena Lead", "<td>Close</td>", "Failed"),
        ("Cora Clerk", "<td>Edit</td>", "Batch code: CORA_WAS → CORA_HISTORY"),
        ("Cora Clerk", "<td>Open</td>", "Success"),
    ]
    assert len(rows) == len(expected)
    for row, parts in zip(rows, expected, strict=True):
        for part in parts:
            assert part in row
    assert "CORA_OTHER" not in history


def test_a_batch_without_history_says_so():
    batch = batch_of("cora", "CORA_QUIET")
    html = html_of(page("cora", batch.batch_id))
    assert "Nothing has been done to this batch through the dashboard." in html
    assert 'class="activity-entry"' not in html


@pytest.mark.parametrize(
    ("username", "owner", "status", "edit", "close"),
    [
        ("vic", "cora", BatchStatus.OPEN, False, False),  # a viewer: no actions
        ("cora", "cora", BatchStatus.OPEN, True, True),  # a clerk's own batch
        ("cora", "otto", BatchStatus.OPEN, True, False),  # not hers: no Close
        ("lena", "otto", BatchStatus.OPEN, True, True),  # a lead closes anyone's
        ("lena", "otto", BatchStatus.CLOSED, True, False),  # nothing left to close
    ],
)
def test_only_the_actions_the_person_may_take(username, owner, status, edit, close):
    batch = batch_of(owner, f"B_{owner}_{status}", status=status)
    actions = actions_part(html_of(page(username, batch.batch_id)))
    assert ("data-edit-button" in actions) is edit
    assert ("data-close-button" in actions) is close


def test_the_actions_work_without_javascript_and_with_htmx():
    batch = batch_of("cora", "CORA_ACTS")
    client = client_for("cora")
    actions = actions_part(html_of(client.get(f"/batches/{batch.batch_id}/")))
    edit_url, close_url = f"/batches/{batch.batch_id}/edit/", f"/batches/{batch.batch_id}/close/"
    # Each is a GET form to a page that exists (the browser follows it without JavaScript).
    assert f'<form method="get" action="{edit_url}"' in actions
    assert f'<form method="get" action="{close_url}"' in actions
    assert client.get(edit_url).status_code == 200
    assert client.get(close_url).status_code == 200
    # With htmx, Close opens its dialog in the page's #dialog; Edit stays the edit page (the
    # list edits its row in place, and this page has no row).
    assert f'hx-get="{close_url}" hx-target="#dialog"' in actions
    assert "hx-get" not in actions.split(close_url)[0]
    assert f'hx-target="#batch-{batch.batch_id}"' not in actions
    assert "js/actions.js" in html_of(client.get(f"/batches/{batch.batch_id}/"))


def test_htmx_gets_the_page_section():
    batch = batch_of("cora", "CORA_FRAGMENT")
    response = page("cora", batch.batch_id, headers=HTMX)
    html = html_of(response)
    assert response.status_code == 200
    # The section has the id of the batch's row: answers updating the row reach the page.
    assert html.strip().startswith(f'<section id="batch-{batch.batch_id}"')
    assert f'data-page-url="/batches/{batch.batch_id}/"' in html
    assert "<!doctype" not in html.lower()
    assert "Batch CORA_FRAGMENT" in html
    assert "HX-Request" in response["Vary"]


def test_a_batch_that_does_not_exist_is_a_404_page():
    person("cora")
    response = page("cora", 987654)
    html = html_of(response)
    assert response.status_code == 404
    assert "<!doctype html>" in html.lower()
    assert "Batch not found" in html
    assert 'id="batch-problem"' in html
    assert "Traceback" not in html
    # htmx (the section fetched again after a delete): the message replaces the section.
    htmx = page("cora", 987654, headers=HTMX)
    assert htmx.status_code == 200
    assert html_of(htmx).strip().startswith('<section id="batch-987654"')
    assert "Batch not found" in html_of(htmx)


@pytest.mark.parametrize("fault", ["500", "malformed"])
def test_an_api_failure_is_a_message_in_the_page(fault):
    batch = batch_of("cora", "CORA_FAILING")
    client = client_for("cora")
    faults.inject(method="GET", path=BATCH_GET, **FAULTS[fault])
    response = client.get(f"/batches/{batch.batch_id}/")
    html = html_of(response)
    assert response.status_code == 502
    assert "The batch could not be read" in html
    problem = re.search(r'<p class="form-error" id="batch-problem">(.+?)</p>', html).group(1)
    assert problem.strip()
    assert "Traceback" not in html
    faults.inject(method="GET", path=BATCH_GET, **FAULTS[fault])
    htmx = client.get(f"/batches/{batch.batch_id}/", headers=HTMX)
    assert htmx.status_code == 200
    assert problem in html_of(htmx)


def test_the_list_links_each_code_to_its_page():
    batch = batch_of("cora", "CORA_LISTED")
    html = html_of(client_for("vic").get("/batches/"))
    assert f'<a href="/batches/{batch.batch_id}/">CORA_LISTED</a></th>' in html


def test_the_activity_log_links_each_batch_to_its_page():
    batch = batch_of("cora", "CORA_LOGGED")
    logged("cora", batch.batch_id, "CORA_LOGGED", action=Action.OPEN)
    html = html_of(client_for("cora").get("/activity/"))
    assert f'<a href="/batches/{batch.batch_id}/">CORA_LOGGED</a>' in html


@pytest.mark.django_db(transaction=True)
def test_the_review_links_each_batch_to_its_page():
    batch = batch_of("cora", "CORA_REVIEWED", bill_count=2)
    html = html_of(client_for("lena").get("/review/"))
    assert f'href="/batches/{batch.batch_id}/"' in html
