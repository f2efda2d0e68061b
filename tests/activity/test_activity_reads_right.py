"""The activity log reads right: names, the code the batch had, labels, only what changed, and
every refused attempt (a viewer's POST to an action included). Actions go through the real views
and the embedded simulator."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, get_resolver

from batchui.accounts.decorators import NOT_ALLOWED
from batchui.activity.models import Action, ActivityEntry, Outcome
from batchui.simulator.models import Batch, BatchStatus
from tests.batches.test_action_support import (
    HTMX,
    batch_of,
    client_for,
    configure_api,
    hidden_of,
    person,
    token_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _api(settings):
    configure_api(settings)


def edit(username: str, batch: Batch, *, client=None, **values) -> None:
    client = client or client_for(username)
    form = client.get(f"/batches/{batch.batch_id}/edit/").getvalue().decode()
    response = client.post(f"/batches/{batch.batch_id}/edit/", {**hidden_of(form), **values})
    assert response.status_code == 303


def entry_rows(html: str) -> list[str]:
    return re.findall(r'<tr class="activity-entry".*?</tr>', html, flags=re.S)


def log_of(username: str) -> list[str]:
    return entry_rows(client_for(username).get("/activity/").getvalue().decode())


def changes_of(row: str) -> list[str]:
    return [" ".join(item.split()) for item in re.findall(r"<li>(.*?)</li>", row, flags=re.S)]


def test_entries_name_the_person_not_the_login():
    batch = batch_of("cora", "CORA_NAMED")
    edit("cora", batch, batch_code="CORA_RENAMED", note="")
    (row,) = log_of("cora")
    assert "<td>Cora Clerk</td>" in row
    assert ">cora<" not in row
    assert ActivityEntry.objects.get().person_name == "Cora Clerk"


def test_without_a_full_name_the_login_is_shown():
    batch = batch_of("cora", "CORA_NAMELESS")
    client = client_for("cora")
    nameless = person("cora")
    nameless.first_name = nameless.last_name = ""
    nameless.save()
    edit("cora", batch, client=client, batch_code="CORA_NAMELESS_2", note="")
    (row,) = entry_rows(client.get("/activity/").getvalue().decode())
    assert "<td>cora</td>" in row


def test_the_person_filter_shows_names_and_filters_by_login():
    edit("cora", batch_of("cora", "CORA_ONE"), batch_code="CORA_ONE_B", note="")
    edit("otto", batch_of("otto", "OTTO_ONE"), batch_code="OTTO_ONE_B", note="")
    lead = client_for("lena")
    html = lead.get("/activity/").getvalue().decode()
    assert '<option value="cora">Cora Clerk</option>' in html
    assert '<option value="otto">Otto Other</option>' in html
    assert len(entry_rows(lead.get("/activity/?person=otto").getvalue().decode())) == 1


def test_an_edit_shows_the_code_the_batch_had_linked_to_its_page():
    batch = batch_of("cora", "CORA_BEFORE", note="same note")
    edit("cora", batch, batch_code="CORA_AFTER", note="same note")
    (row,) = log_of("cora")
    assert f'<a href="/batches/{batch.batch_id}/">CORA_BEFORE</a>' in row
    assert ActivityEntry.objects.get().code_then == "CORA_BEFORE"


def test_labels_and_only_the_fields_that_changed():
    batch = batch_of("cora", "CORA_LABELS", note="kept")
    edit("cora", batch, batch_code="CORA_LABELS_2", note="kept")
    edit("cora", Batch.objects.get(pk=batch.pk), batch_code="CORA_LABELS_2", note="changed")
    note_edit, code_edit = log_of("cora")
    assert changes_of(code_edit) == ["Batch code: CORA_LABELS → CORA_LABELS_2"]
    assert changes_of(note_edit) == ["Note: kept → changed"]
    assert "batchCode" not in code_edit
    # The second edit's batch already had the new code.
    assert f'<a href="/batches/{batch.batch_id}/">CORA_LABELS_2</a>' in note_edit


def test_an_edit_whose_batch_could_not_be_read_first_says_the_values_before_are_unknown():
    entry = ActivityEntry.objects.create(
        created="2026-12-01T10:00:00Z",
        user=person("cora"),
        username="cora",
        action=Action.EDIT,
        batch_id=7,
        batch_code="TRIED_CODE",
        changes={"batchCode": {"before": None, "after": "TRIED_CODE"}, "note": {"before": None}},
        outcome=Outcome.FAILED,
    )
    (row,) = log_of("cora")
    assert changes_of(row) == ["Batch code: (unknown) → TRIED_CODE", "Note: (unknown) → (none)"]
    assert entry.code_then == ""
    assert '<a href="/batches/7/">7</a>' in row  # not the code they tried to set


def test_an_open_shows_the_settings_given_with_their_labels():
    client = client_for("cora")
    form = client.get("/batches/new/").getvalue().decode()
    data = {"token": token_of(form), "batch_code": "CORA_OPENED", "control_code": "CC-1"}
    assert client.post("/batches/new/", data).status_code == 303
    (row,) = log_of("cora")
    assert changes_of(row) == ["Control code: CC-1"]  # not "closeExistingBatch: False"
    assert "CORA_OPENED" in row


REFUSED_POSTS = {
    Action.OPEN: "/batches/new/",
    Action.EDIT: "/batches/{id}/edit/",
    Action.CLOSE: "/batches/{id}/close/",
}


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
@pytest.mark.parametrize("action", list(REFUSED_POSTS))
def test_a_viewers_refused_post_is_logged(action, headers):
    batch = batch_of("cora", "CORA_VIEWED")
    client = client_for("vic")
    url = REFUSED_POSTS[action].format(id=batch.batch_id)
    response = client.post(url, {"token": "a" * 32, "batch_code": "X"}, headers=headers)
    assert response.status_code == 403
    entry = ActivityEntry.objects.get()
    assert (entry.action, entry.outcome, entry.message) == (action, Outcome.REFUSED, NOT_ALLOWED)
    assert entry.username == "vic"
    assert entry.person_name == "Vic Viewer"
    assert entry.batch_id == (None if action is Action.OPEN else batch.batch_id)
    assert Batch.objects.get(pk=batch.pk).batch_status == BatchStatus.OPEN
    (row,) = log_of("vic")  # the viewer sees their own refused attempt
    assert "Refused" in row


def test_asking_for_a_confirmation_is_not_an_attempt():
    batch = batch_of("cora", "CORA_ASKED")
    client = client_for("vic")
    for url in ("/batches/new/", f"/batches/{batch.batch_id}/edit/"):
        assert client.get(url).status_code == 403
    assert client.get(f"/batches/{batch.batch_id}/close/", headers=HTMX).status_code == 403
    assert not ActivityEntry.objects.exists()


def _action_routes() -> dict[str, str]:
    """URL name -> route of the batches' URLs named after an action (open, edit, close...)."""
    (batches,) = [
        p for p in get_resolver().url_patterns if getattr(p, "namespace", "") == "batches"
    ]
    return {
        pattern.name: str(pattern.pattern)
        for pattern in batches.url_patterns
        if isinstance(pattern, URLPattern) and pattern.name in Action.values
    }


def test_every_batch_action_view_logs_a_refused_post():
    """A net under the action views (mark pending, reopen and delete included when their URLs
    are named after their Action): a POST refused for the role is in the log."""
    batch = batch_of("cora", "CORA_NET")
    client = client_for("vic")
    routes = _action_routes()
    assert {"open", "edit", "close"} <= set(routes)
    for name, route in routes.items():
        ActivityEntry.objects.all().delete()
        url = "/batches/" + route.replace("<batch_id:batch_id>", str(batch.batch_id))
        assert client.post(url, {}).status_code == 403, url
        entry = ActivityEntry.objects.get()
        assert (entry.action, entry.outcome) == (name, Outcome.REFUSED), url


def test_changes_show_in_the_forms_order_whatever_order_the_database_keeps():
    # PostgreSQL's jsonb keeps shorter keys first ("note" before "batchCode").
    entry = ActivityEntry.objects.create(
        created="2026-12-01T10:00:00Z",
        user=person("cora"),
        username="cora",
        action=Action.OPEN,
        batch_code="CORA_ORDER",
        changes={"note": "n", "zeta": "z", "controlCode": "CC-1", "batchCode": "CORA_ORDER"},
        outcome=Outcome.SUCCESS,
    )
    from batchui.activity.templatetags.activity_format import changes_shown

    labels = [change.label for change in changes_shown(entry)]
    assert labels == ["Batch code", "Note", "Control code", "Zeta"]
