"""Who may reach what: every URL pattern of the project, walked as each kind of person.

EXPECTED_ACCESS lists every URL name with, per HTTP method, who may reach the view. A method not
listed may be reached by nobody (the view must refuse it: 405, 403 or the sign-in redirect).
A new URL fails `test_every_url_pattern_is_in_the_table` until it is added here.

"Reached" means the request got past every middleware to the view (recorded by a middleware the
test adds last) and was not refused by it with 403 or 405.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter, UUIDConverter
from django.urls.resolvers import RoutePattern

from batchui.accounts.roles import Role

ANON = "anonymous"
CLERK, LEAD, VIEWER = Role.CLERK.value, Role.LEAD.value, Role.VIEWER.value
EVERYONE = frozenset({ANON, CLERK, LEAD, VIEWER})
SIGNED_IN = frozenset({CLERK, LEAD, VIEWER})
WORKERS = frozenset({CLERK, LEAD})  # may open, edit and close batches
LEADS = frozenset({LEAD})
READERS = SIGNED_IN  # list, export, widget
METHODS = ("GET", "POST")

# url name -> {method: who may reach it}; optional "kwargs": sample URL arguments.
EXPECTED_ACCESS: dict[str, dict] = {
    "home": {"GET": SIGNED_IN},
    "healthz": {"GET": EVERYONE},
    "readyz": {"GET": EVERYONE},
    "accounts:login": {"GET": EVERYONE, "POST": EVERYONE},
    "accounts:logout": {"POST": SIGNED_IN},
    "accounts:profile": {"GET": SIGNED_IN},
    "accounts:api_key_save": {"POST": SIGNED_IN},
    "accounts:api_key_remove": {"POST": SIGNED_IN},
    "accounts:time_zone_save": {"POST": SIGNED_IN},
    "accounts:connection_test": {"POST": SIGNED_IN},
    # Issue 5: the batch list, its CSV export and saved views.
    "batches:list": {"GET": READERS},
    "batches:export": {"GET": READERS},
    "batches:view_save": {"POST": READERS},
    "batches:columns": {"POST": READERS},
    "batches:view_delete": {"POST": READERS},
    # Issue 6: batch actions and the activity log.
    "batches:open": {"GET": WORKERS, "POST": WORKERS},
    "batches:open_preview": {"GET": WORKERS},
    "batches:edit": {"GET": WORKERS, "POST": WORKERS},
    "batches:row": {"GET": READERS},
    "batches:detail": {"GET": READERS},  # issue 15: a page per batch
    "batches:close": {"GET": WORKERS, "POST": WORKERS},
    # Issue 15: mark pending, reopen and delete (an empty batch).
    "batches:pending": {"GET": WORKERS, "POST": WORKERS},
    "batches:reopen": {"GET": WORKERS, "POST": WORKERS},
    "batches:delete": {"GET": WORKERS, "POST": WORKERS},
    "activity:list": {"GET": SIGNED_IN},
    # Issue 7: the review screen and the intranet widget.
    "review:index": {"GET": LEADS, "POST": LEADS},
    "review:close": {"POST": LEADS},
    "widget": {"GET": READERS},
    "widget_json": {"GET": READERS},
    # Later issues add theirs, e.g. "batches:list": {"GET": READERS},
    # "batches:open": {"GET": WORKERS, "POST": WORKERS}, "review": {"GET": LEADS}.
}


@dataclass(frozen=True)
class Route:
    name: str
    path: str  # a concrete path, sample arguments filled in


SAMPLE_BY_CONVERTER = {IntConverter: 1, UUIDConverter: uuid.UUID(int=1)}
_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")


def _fill(route: str, converters: dict, kwargs: dict) -> str:
    def sample(match: re.Match) -> str:
        name = match["parameter"]
        converter = converters[name]
        value = kwargs.get(name, SAMPLE_BY_CONVERTER.get(type(converter)))
        if value is None:
            value = "1" if re.fullmatch(converter.regex, "1") else "sample"
        text = converter.to_url(value)
        assert re.fullmatch(converter.regex, text), f"sample {text!r} for <{name}>: set kwargs"
        return text

    return _PARAMETER.sub(sample, route)


def walk(patterns=None, prefix: str = "", namespace: str = "") -> list[Route]:
    patterns = get_resolver().url_patterns if patterns is None else patterns
    routes: list[Route] = []
    for entry in patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "admin":
            continue  # Django's admin checks staff status itself: tests/accounts/test_admin.py
        if not isinstance(entry.pattern, RoutePattern):
            pytest.fail(f"{entry!r}: only path() routes are supported by this test; extend it")
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            routes += walk(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else f"<unnamed {route}>"
            kwargs = EXPECTED_ACCESS.get(name, {}).get("kwargs", {})
            converters = _converters(route)
            routes.append(Route(name, "/" + _fill(route, converters, kwargs)))
    return routes


def _converters(route: str) -> dict:
    return RoutePattern(route).converters


class ReachedRecorder:
    """Marks on the response whether the request reached the view."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.reached_view = getattr(request, "reached_view", False)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        request.reached_view = True


@pytest.fixture
def clients(settings, make_person) -> dict[str, Client]:
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.ReachedRecorder"]
    result = {ANON: Client(raise_request_exception=False)}
    for role in Role:
        client = Client(raise_request_exception=False)
        client.force_login(make_person(role))
        result[role.value] = client
    return result


def reached(response) -> bool:
    return response.reached_view and response.status_code not in (403, 405)


ROUTES = walk()


def test_every_url_pattern_is_in_the_table():
    missing = sorted({route.name for route in ROUTES} - set(EXPECTED_ACCESS))
    assert not missing, f"add these URL names to EXPECTED_ACCESS in {__file__}: {missing}"


def test_the_table_lists_no_url_that_does_not_exist():
    stale = sorted(set(EXPECTED_ACCESS) - {route.name for route in ROUTES})
    assert not stale, f"EXPECTED_ACCESS names URLs that do not exist: {stale}"


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_only_the_expected_people_reach_each_url(route: Route, clients):
    expected = EXPECTED_ACCESS.get(route.name)
    if expected is None:
        pytest.fail(f"{route.name} ({route.path}) is not in EXPECTED_ACCESS")
    wrong = []
    for method in METHODS:
        allowed = expected.get(method, frozenset())
        for who, client in clients.items():
            response = client.generic(method, route.path)
            assert response.status_code != 500, f"{method} {route.path} as {who} crashed"
            if reached(response) != (who in allowed):
                wrong.append(
                    f"{method} as {who}: {response.status_code}, reached={reached(response)}"
                )
            if who == ANON and who not in allowed:
                # Refused anonymously: sent to sign in (htmx: by HX-Redirect), never a fragment.
                htmx = client.generic(method, route.path, headers={"HX-Request": "true"})
                assert htmx.status_code == 405 or htmx["HX-Redirect"].startswith(
                    "/accounts/login/"
                ), f"{method} {route.path} (htmx, anonymous): {htmx.status_code}"
    assert not wrong, f"{route.path}: " + "; ".join(wrong)


# The only URLs anonymous people may reach (readyz arrives with a later issue).
PUBLIC_URL_NAMES = {"healthz", "readyz", "accounts:login"}


def test_only_the_public_urls_are_open_to_anonymous_people():
    open_to_anonymous = {
        name
        for name, access in EXPECTED_ACCESS.items()
        if any(ANON in access.get(method, ()) for method in METHODS)
    }
    assert open_to_anonymous <= PUBLIC_URL_NAMES


def test_a_page_open_to_all_reads_no_session_even_with_a_session_cookie(
    signed_in, django_assert_num_queries
):
    client = signed_in(Role.CLERK)
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert "Cookie" not in response.get("Vary", "")
    # A page that needs sign-in still reads them, and still lets the person in.
    assert client.get("/activity/").status_code == 200
    assert Client().get("/activity/").status_code == 302
