"""Under a reverse proxy's path (URL_PREFIX=/batches-desk): links, redirects, static files, cookies
and the sign-in flow all carry the prefix, whether the proxy strips it or forwards it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests

from batchui.accounts.roles import Role
from tests.deploy.forms import form_fields
from tests.deploy.proxy import stripping_proxy
from tests.helpers import PASSWORD, make_person

pytestmark = [pytest.mark.deploy, pytest.mark.django_db(transaction=True)]

PREFIX = "/batches-desk"
PLAIN_HTTP = {
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
}


@pytest.fixture
def prefixed(app_server, settings):
    settings.PASSWORD_HASHERS = [
        "tests.deploy.test_two_instances.QuickPBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    return app_server(URL_PREFIX=PREFIX + "/", **PLAIN_HTTP)


def local_links(html: str) -> list[str]:
    return [
        link for link in re.findall(r'(?:href|src|action)="([^"#]*)"', html) if link.startswith("/")
    ]


@pytest.fixture(params=["forwards the prefix", "strips the prefix"])
def seen_at(request, prefixed) -> Iterator[str]:
    """Where the browser finds the application: the proxy's address and the prefix."""
    if request.param == "forwards the prefix":
        yield prefixed.url + PREFIX
    else:
        with stripping_proxy(upstream=prefixed.url, prefix=PREFIX) as proxy:
            yield proxy + PREFIX


def test_sign_in_and_pages_under_the_prefix(seen_at):
    origin = seen_at.removesuffix(PREFIX)
    make_person("prefixed", Role.VIEWER, code="TPRE")
    person = requests.Session()

    first = person.get(seen_at + "/", allow_redirects=False, timeout=10)
    assert first.status_code == 302
    assert first.headers["Location"] == f"{PREFIX}/accounts/login/?next={PREFIX}/"

    login = person.get(seen_at + "/accounts/login/", params={"next": f"{PREFIX}/"}, timeout=10)
    assert login.status_code == 200
    links = local_links(login.text)
    assert links, "the sign-in page has no links"
    assert all(link.startswith(PREFIX + "/") for link in links), links
    stylesheet = next(link for link in links if link.endswith(".css"))
    assert re.fullmatch(rf"{PREFIX}/static/css/app\.[0-9a-f]{{12}}\.css", stylesheet)
    assert person.get(origin + stylesheet, timeout=10).status_code == 200
    for cookie in person.cookies:
        assert cookie.path == PREFIX + "/", f"{cookie.name} cookie path {cookie.path}"

    action, fields, _ = form_fields(login.text, action_contains="/accounts/login/")
    assert action == f"{PREFIX}/accounts/login/"
    fields.update(username="prefixed", password=PASSWORD)
    signed_in = person.post(
        seen_at + "/accounts/login/", data=fields, allow_redirects=False, timeout=10
    )
    assert signed_in.status_code == 302, signed_in.text[:300]
    assert signed_in.headers["Location"] == f"{PREFIX}/"
    assert person.cookies.get("sessionid", path=PREFIX + "/")

    profile = person.get(seen_at + "/accounts/profile/", allow_redirects=False, timeout=10)
    assert profile.status_code == 200
    assert "prefixed" in profile.text
    assert all(link.startswith(PREFIX + "/") for link in local_links(profile.text))


def test_probes_reach_health_with_or_without_the_prefix(prefixed):
    for path in ("/healthz", f"{PREFIX}/healthz", "/readyz", f"{PREFIX}/readyz"):
        response = requests.get(prefixed.url + path, timeout=10)
        assert response.status_code == 200, path
    assert urlsplit(prefixed.url).path == ""
