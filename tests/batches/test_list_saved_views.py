"""Saved views: a person names the current filters, finds them in the menu, deletes them."""

from __future__ import annotations

import pytest
from django.test import Client

from batchui.accounts.roles import Role
from batchui.batches.models import SavedView


def save(client: Client, name: str, query: str):
    return client.post("/batches/views/", {"name": name, "query": query})


def test_saving_the_current_filters_then_finding_them_in_the_menu(clerk_client, clerk):
    response = save(clerk_client, "Big open ones", "status=open&page=3&code=&f=runningTotal"
                    "&op=greater+than&v=50000&v2=&f=&op=&v=&v2=")  # fmt: skip
    assert response.status_code == 302
    stored = SavedView.objects.get(user=clerk)
    # Paging and empty inputs are dropped; the condition row is kept whole.
    assert stored.query == "status=open&f=runningTotal&op=greater+than&v=50000&v2="
    assert response["Location"] == "/batches/?" + stored.query
    html = clerk_client.get(response["Location"]).getvalue().decode()
    assert f'<a href="/batches/?{stored.query.replace("&", "&amp;")}">Big open ones</a>' in html
    assert "Saved the view “Big open ones”." in html


def test_the_menu_offers_the_built_in_views(clerk_client):
    html = clerk_client.get("/batches/").getvalue().decode()
    assert ">My open batches</a>" in html
    assert ">Pending with kickouts</a>" in html
    assert ">Closed in the last 7 days</a>" in html
    assert "status=closed&amp;closed=last+7+days" in html


def test_names_are_unique_per_person(clerk_client, clerk):
    save(clerk_client, "Mine", "status=open")
    response = save(clerk_client, "mine", "status=closed")
    assert SavedView.objects.filter(user=clerk).count() == 1
    html = clerk_client.get(response["Location"]).getvalue().decode()
    assert "You already have a view named “mine”." in html


def test_a_view_needs_a_name(clerk_client, clerk):
    response = save(clerk_client, "   ", "status=open")
    assert response.status_code == 302
    assert not SavedView.objects.exists()


def test_views_are_private_to_each_person(clerk_client, clerk, make_person):
    other = make_person(Role.LEAD, username="lead", code="TLEAD")
    theirs = SavedView.objects.create(user=other, name="Lead's secret", query="status=pending")
    html = clerk_client.get("/batches/").getvalue().decode()
    assert "Lead&#x27;s secret" not in html
    assert "Lead's secret" not in html
    response = clerk_client.post(f"/batches/views/{theirs.pk}/delete/")
    assert response.status_code == 302
    assert SavedView.objects.filter(pk=theirs.pk).exists()
    # The same name is free for another person.
    save(clerk_client, "Lead's secret", "status=open")
    assert SavedView.objects.filter(name="Lead's secret").count() == 2


def test_deleting_a_view(clerk_client, clerk):
    view = SavedView.objects.create(user=clerk, name="Old", query="status=open")
    response = clerk_client.post(f"/batches/views/{view.pk}/delete/", {"query": "status=open"})
    assert response.status_code == 302
    assert response["Location"] == "/batches/?status=open"
    assert not SavedView.objects.filter(pk=view.pk).exists()


@pytest.mark.parametrize("path", ["/batches/views/", "/batches/views/1/delete/"])
def test_saving_and_deleting_need_the_csrf_token(clerk, path):
    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk)
    assert client.post(path, {"name": "x"}).status_code == 403


def test_an_htmx_save_is_not_answered_with_a_302(clerk_client):
    response = clerk_client.post(
        "/batches/views/",
        {"name": "Via htmx", "query": "status=open"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/batches/?status=open"
