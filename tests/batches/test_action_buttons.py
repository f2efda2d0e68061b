"""The row's action buttons show only what the person may do (and the list shows them)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from batchui.accounts.services import api_key_for
from batchui.batches.action_services import batch_fetch
from batchui.batches.actions import row_html
from batchui.simulator.models import BatchStatus
from tests.batches.test_action_support import batch_of, configure_api, person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _api(settings):
    configure_api(settings)


def buttons(username: str, stored) -> str:
    user = person(username)
    request = RequestFactory().get("/batches/")
    request.user = user
    batch = batch_fetch(api_key=api_key_for(user), batch_id=stored.batch_id)
    return row_html(request, batch)


@pytest.mark.parametrize(
    ("username", "owner", "status", "edit", "close", "pending", "reopen", "delete"),
    [
        ("cora", "cora", BatchStatus.OPEN, True, True, True, False, True),
        ("cora", "cora", BatchStatus.PENDING, True, True, False, True, True),
        ("cora", "cora", BatchStatus.CLOSED, True, False, False, False, True),
        ("cora", "otto", BatchStatus.OPEN, True, False, False, False, False),  # not hers
        ("cora", "otto", BatchStatus.PENDING, True, False, False, True, False),  # reopen: anyone's
        ("lena", "otto", BatchStatus.OPEN, True, True, True, False, True),  # a lead: anyone's
        ("lena", "otto", BatchStatus.CLOSED, True, False, False, False, True),
        ("vic", "cora", BatchStatus.OPEN, False, False, False, False, False),  # a viewer: nothing
    ],
)
def test_buttons_follow_the_role_rules(
    username, owner, status, edit, close, pending, reopen, delete
):
    stored = batch_of(owner, f"B_{owner}_{status}", status=status)
    html = buttons(username, stored)
    assert ("data-edit-button" in html) is edit
    assert ("data-close-button" in html) is close
    assert ("data-pending-button" in html) is pending
    assert ("data-reopen-button" in html) is reopen
    assert ("data-delete-button" in html) is delete
    assert f'href="/activity/?batch={stored.batch_id}"' in html
    if edit:
        assert f'hx-get="/batches/{stored.batch_id}/edit/"' in html
        assert f'hx-target="#batch-{stored.batch_id}"' in html
    for offered, name in (
        (close, "close"),
        (pending, "pending"),
        (reopen, "reopen"),
        (delete, "delete"),
    ):
        if offered:
            assert f'hx-get="/batches/{stored.batch_id}/{name}/"' in html
    if close or pending or reopen or delete:
        assert 'hx-target="#dialog"' in html
    offered = (edit, close, pending, reopen, delete)
    assert html.count('hx-disabled-elt="find button"') == sum(offered)


def test_the_list_page_offers_open_batch_to_clerks_only():
    from django.test import Client

    for username, shown in (("cora", True), ("lena", True), ("vic", False)):
        client = Client()
        client.force_login(person(username))
        html = client.get("/batches/").getvalue().decode()
        assert ('id="open-batch-button"' in html) is shown, username
        assert "js/actions.js" in html
