"""Security headers on every response; the widget's frame exception; the 403 refusal."""

import pytest
from django.test import Client, override_settings

from batchui.accounts.roles import Role

pytestmark = pytest.mark.django_db

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'self'; object-src 'none'; "
    "frame-ancestors 'none'"
)


def directives(header: str) -> dict[str, str]:
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/", "/healthz", "/accounts/login/", "/accounts/profile/"])
def test_every_response_carries_the_security_headers(client, path, make_person):
    for signed_in in (False, True):
        if signed_in:
            client.force_login(make_person(Role.VIEWER))
        response = client.get(path)
        assert directives(response["Content-Security-Policy"]) == directives(CSP)
        assert "unsafe" not in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script_style_or_handlers(client, make_person):
    client.force_login(make_person(Role.LEAD))
    for path in ("/", "/accounts/profile/", "/accounts/login/"):
        html = client.get(path, follow=True).getvalue().decode()
        assert " style=" not in html
        assert "<style" not in html
        assert " onclick=" not in html
        assert " onload=" not in html
        assert "hx-on" not in html
        for script in html.split("<script")[1:]:
            assert script.split(">")[0].strip().startswith("src="), script[:80]


@pytest.mark.urls("tests.accounts.urls")
class TestFrameableByIntranet:
    def test_without_configured_ancestors_the_view_stays_unframeable(self, signed_in):
        with override_settings(WIDGET_FRAME_ANCESTORS=[]):
            response = signed_in(Role.VIEWER).get("/test/framed/")
        assert response["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]

    def test_configured_ancestors_may_frame_it(self, signed_in):
        with override_settings(WIDGET_FRAME_ANCESTORS=["https://intranet.example"]):
            response = signed_in(Role.VIEWER).get("/test/framed/")
        assert "X-Frame-Options" not in response
        policy = directives(response["Content-Security-Policy"])
        assert policy["frame-ancestors"] == "frame-ancestors https://intranet.example"
        assert policy["script-src"] == "script-src 'self'"  # the rest of the policy stays

    def test_other_pages_stay_unframeable_when_ancestors_are_configured(self, signed_in):
        with override_settings(WIDGET_FRAME_ANCESTORS=["https://intranet.example"]):
            response = signed_in(Role.VIEWER).get("/accounts/profile/")
        assert response["X-Frame-Options"] == "DENY"


@pytest.mark.urls("tests.accounts.urls")
class TestPermissionRequired:
    def test_a_role_without_the_permission_gets_a_403_page(self, signed_in):
        response = signed_in(Role.CLERK).get("/test/review/")
        assert response.status_code == 403
        assert "Your role does not allow this" in response.content.decode()
        assert "<html" in response.content.decode()

    def test_under_htmx_the_403_is_one_plain_sentence(self, signed_in):
        response = signed_in(Role.VIEWER).get("/test/review/", headers={"HX-Request": "true"})
        assert response.status_code == 403
        assert response["Content-Type"].startswith("text/plain")
        assert response.content.decode().startswith("Your role does not allow this")

    def test_a_role_with_the_permission_reaches_the_view(self, signed_in):
        assert signed_in(Role.LEAD).get("/test/review/").content == b"review"

    def test_anonymous_requests_go_to_sign_in(self, client):
        response = client.get("/test/review/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_navigation_shows_the_person_and_a_sign_out_button(client, make_person):
    person = make_person(Role.CLERK, username="jane")
    person.first_name, person.last_name = "Jane", "Smith"
    person.save()
    client.force_login(person)
    html = client.get("/accounts/profile/").content.decode()
    assert "Jane Smith" in html
    assert 'href="/accounts/profile/"' in html
    assert 'action="/accounts/logout/"' in html
    assert 'method="post"' in html


def test_static_files_served_by_whitenoise_carry_the_policy_too():
    with override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True):
        response = Client().get("/static/css/app.css")  # a new client: middleware built now
    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == directives(CSP)
