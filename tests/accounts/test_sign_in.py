"""Signing in and out, the sign-in requirement, expired sessions under htmx, lockout, SSO."""

import logging
import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client, override_settings

from batchui.accounts.roles import Role
from tests.helpers import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client: Client, username: str, password: str, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password, **extra})


def test_the_login_page_has_labelled_fields_and_focus_on_the_name(client):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html
    username_input = re.search(r'<input[^>]*id="id_username"[^>]*>', html).group(0)
    assert "autofocus" in username_input
    assert 'autocomplete="username"' in username_input


def test_signing_in_then_out(client, make_person):
    make_person(Role.CLERK, username="jane")
    response = sign_in(client, "jane", PASSWORD, next="/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    assert SESSION_KEY in client.session
    assert client.get("/accounts/profile/").status_code == 200
    # GET does not sign out (a link or an image could); POST does.
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert client.get("/accounts/profile/").status_code == 302


def test_a_wrong_password_shows_an_error_and_signs_nobody_in(client, make_person):
    make_person(Role.CLERK, username="jane")
    response = sign_in(client, "jane", "wrong")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_an_empty_form_shows_errors_next_to_the_fields(client):
    html = sign_in(client, "", "").content.decode()
    assert 'id="id_username_error"' in html
    assert 'id="id_password_error"' in html


def test_an_anonymous_page_request_goes_to_the_login_page_and_back(client):
    response = client.get("/accounts/profile/?tab=1")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/profile/%3Ftab%3D1"


def test_an_anonymous_htmx_request_is_sent_to_the_login_page_with_hx_redirect(client):
    response = client.post(
        "/accounts/profile/test-connection/",
        headers={
            "HX-Request": "true",
            "HX-Current-URL": "http://testserver/accounts/profile/?tab=2",
        },
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=%2Faccounts%2Fprofile%2F%3Ftab%3D2"
    assert response.content == b""


def test_hx_current_url_of_another_site_is_not_a_next_page(client):
    response = client.get(
        "/accounts/profile/",
        headers={"HX-Request": "true", "HX-Current-URL": "https://evil.example/phish"},
    )
    assert response["HX-Redirect"] == "/accounts/login/"


def test_health_and_login_need_no_sign_in(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/login/").status_code == 200


def test_a_signed_in_person_visiting_the_login_page_goes_home(client, make_person):
    client.force_login(make_person(Role.VIEWER))
    response = client.get("/accounts/login/")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_sessions_last_the_configured_time(client, make_person, settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    make_person(Role.CLERK, username="jane")
    sign_in(client, "jane", PASSWORD)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE
    assert cookie["httponly"]


class TestLockout:
    def test_repeated_failures_lock_the_name_out_with_a_message_and_a_log_line(
        self, client, make_person, settings, caplog
    ):
        make_person(Role.CLERK, username="jane")
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            assert sign_in(client, "jane", "guess").status_code == 200
        with caplog.at_level(logging.WARNING):
            locked = sign_in(client, "jane", "guess")
        assert locked.status_code == 429
        html = locked.content.decode()
        assert "Too many failed sign-in attempts" in html
        assert '<label for="id_username">' in html  # still the sign-in page
        assert any(
            "locked out" in r.getMessage() and r.name == "batchui.accounts" for r in caplog.records
        )
        # Even the right password is refused while locked out.
        assert sign_in(client, "jane", PASSWORD).status_code == 429
        assert SESSION_KEY not in client.session

    def test_the_lockout_is_per_name_so_others_can_still_sign_in(
        self, client, make_person, settings
    ):
        make_person(Role.CLERK, username="jane")
        make_person(Role.LEAD, username="lee")
        for _ in range(settings.AXES_FAILURE_LIMIT):
            sign_in(client, "jane", "guess")
        assert sign_in(client, "lee", PASSWORD).status_code == 302

    def test_attempts_are_kept_in_the_shared_database(self, client, make_person):
        from axes.models import AccessAttempt

        make_person(Role.CLERK, username="jane")
        sign_in(client, "jane", "guess")
        assert AccessAttempt.objects.filter(username="jane", failures_since_start=1).exists()


class TestSingleSignOn:
    HEADER = {"X-Remote-User": "jane"}

    def test_off_by_default_the_header_is_ignored(self, client, make_person):
        make_person(Role.CLERK, username="jane")
        response = client.get("/accounts/profile/", headers=self.HEADER)
        assert response.status_code == 302
        assert SESSION_KEY not in client.session

    @override_settings(REMOTE_USER_HEADER="HTTP_X_REMOTE_USER")
    def test_on_the_proxys_header_signs_the_person_in(self, client, make_person):
        jane = make_person(Role.CLERK, username="jane")
        response = client.get("/accounts/profile/", headers=self.HEADER)
        assert response.status_code == 200
        assert response.context["user"] == jane
        # Persistent: later requests without the header stay signed in.
        assert client.get("/accounts/profile/").status_code == 200

    @override_settings(REMOTE_USER_HEADER="HTTP_X_REMOTE_USER")
    def test_on_unknown_names_get_no_account(self, client):
        response = client.get("/accounts/profile/", headers={"X-Remote-User": "stranger"})
        assert response.status_code == 302

    @override_settings(REMOTE_USER_HEADER="HTTP_X_REMOTE_USER", REMOTE_USER_CREATE_UNKNOWN=True)
    def test_on_unknown_names_can_be_created_without_any_role(self, client):
        from batchui.accounts.roles import role_of

        response = client.get("/accounts/profile/", headers={"X-Remote-User": "newcomer"})
        assert response.status_code == 200
        assert role_of(response.context["user"]) is None
