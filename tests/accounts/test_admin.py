"""People administration in Django's admin: superusers only, never the API key itself."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from batchui.accounts import crypto
from batchui.accounts.roles import Role
from batchui.activity.models import Action, ActivityEntry, Outcome
from tests.helpers import make_person

pytestmark = pytest.mark.django_db

KEY = "sk_admin_test_SECRET_0123456789"


@pytest.fixture
def admin_client() -> Client:
    boss = User.objects.create_superuser("boss", "boss@example.com", "boss-Pass-123")
    client = Client()
    client.force_login(boss)
    return client


@pytest.fixture
def clerk() -> User:
    return make_person(
        "cleo", Role.CLERK, full_name="Cleo Clerk", api_key=KEY, energycap_user_code="CCLEO"
    )


def test_people_are_listed_with_role_and_whether_they_have_a_key(admin_client, clerk):
    html = admin_client.get("/admin/auth/user/").content.decode()
    assert "cleo" in html
    assert "clerk" in html
    assert 'alt="True"' in html  # the API key column's icon
    assert KEY not in html


def test_a_persons_page_shows_the_user_code_and_never_the_key(admin_client, clerk):
    response = admin_client.get(f"/admin/auth/user/{clerk.pk}/change/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "CCLEO" in html
    assert "Has an API key" in html
    assert KEY not in html
    assert clerk.dashboard_profile.api_key_encrypted not in html
    assert crypto.decrypt(clerk.dashboard_profile.api_key_encrypted) == KEY


def test_a_role_changes_through_the_groups(admin_client, clerk):
    from django.contrib.auth.models import Group

    lead = Group.objects.get(name=Role.LEAD.value)
    page = admin_client.get(f"/admin/auth/user/{clerk.pk}/change/").content.decode()
    assert "csrfmiddlewaretoken" in page
    clerk.groups.set([lead])
    assert "lead" in admin_client.get("/admin/auth/user/").content.decode()


def test_the_activity_log_is_read_only(admin_client, clerk):
    entry = ActivityEntry.objects.create(
        created="2026-12-01T10:00:00Z",
        username="cleo",
        action=Action.CLOSE,
        batch_code="CLEO_1",
        outcome=Outcome.SUCCESS,
    )
    assert "CLEO_1" in admin_client.get("/admin/activity/activityentry/").content.decode()
    assert admin_client.get("/admin/activity/activityentry/add/").status_code == 403
    page = admin_client.get(f"/admin/activity/activityentry/{entry.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    deleted = admin_client.post(
        f"/admin/activity/activityentry/{entry.pk}/delete/", {"post": "yes"}
    )
    assert deleted.status_code == 403
    assert ActivityEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize("role", [Role.CLERK, Role.LEAD, Role.VIEWER])
def test_people_who_are_not_superusers_cannot_use_it(role):
    person = make_person(f"p-{role.value}", role)
    client = Client()
    client.force_login(person)
    response = client.get("/admin/auth/user/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_signed_out_people_get_the_admin_sign_in_page():
    client = Client()
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"
    assert client.get("/admin/login/?next=/admin/").status_code == 200
