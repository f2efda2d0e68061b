"""Request id, URL prefix, "database unavailable", Cache-Control and Vary: HX-Request middleware.

`RequestIdMiddleware` gives every request an id: the incoming `X-Request-ID` when it looks like
one (a load balancer or the reverse proxy may set it), else a new one. The id is on
`request.request_id`, in every log line written while the request is served, in the `X-Request-ID`
header of every Batch API call made for it, and in the response's `X-Request-ID` header.

`UrlPrefixMiddleware` (active only when URL_PREFIX is set) accepts paths that still carry the
prefix, for reverse proxies that forward `/batches-desk/batches/` as is rather than stripping the
prefix; FORCE_SCRIPT_NAME already puts the prefix on every URL the application writes.

`DatabaseUnavailableMiddleware` turns a locked or unreachable database (OperationalError,
InterfaceError) into a "try again" answer with status 503 and Retry-After, instead of a 500.

`NoStoreMiddleware` adds `private, no-store` to the Cache-Control of every page (static files are
served before it, by whitenoise): pages show batch data and activity, which no shared or browser
cache should keep.
"""

from __future__ import annotations

import re
import sys
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.core.signals import got_request_exception, request_finished
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.deprecation import MiddlewareMixin

from batchui.batchapi import current_request_id, deadline_in

REQUEST_ID_HEADER = "X-Request-ID"
# Ids of the common proxies and tracers (UUIDs, hex, "Root=1-...;Parent=..." and the like).
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:;=/+@-]{0,127}")


def request_id_from(value: str | None) -> str:
    """The incoming id when it is sane (printable, short, no spaces), else a new one."""
    if value and _SANE_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        # Left set until the response is closed (request_finished), so that Django's own
        # "Internal Server Error: ..." line, logged after the middleware, carries it too.
        current_request_id.set(request_id)
        # Every Batch API call the view makes ends within BATCH_API_DEADLINE, in all.
        with deadline_in(settings.BATCH_API_DEADLINE):
            response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


@receiver(request_finished, dispatch_uid="batchui.core.request_id_cleared")
def _forget_request_id(**_kwargs: object) -> None:
    current_request_id.set(None)


def url_prefix() -> str:
    """FORCE_SCRIPT_NAME without its trailing slash ("" when the site is at the root)."""
    return (settings.FORCE_SCRIPT_NAME or "").rstrip("/")


class UrlPrefixMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.prefix = url_prefix()
        if not self.prefix:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path_info = request.path_info
        if path_info == self.prefix or path_info.startswith(self.prefix + "/"):
            request.path_info = path_info[len(self.prefix) :] or "/"
            request.path = self.prefix + request.path_info
        return self.get_response(request)


DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 10
UNAVAILABLE_MESSAGE = (
    "The dashboard's database is busy or cannot be reached, so this request could not be "
    "completed. If you were saving a change, check the batch list before trying again."
)


@receiver(got_request_exception, dispatch_uid="batchui.core.database_unavailable")
def _note_database_unavailable(request: HttpRequest | None = None, **_kwargs: object) -> None:
    # Django has already turned the exception into a 500 inside the middleware that raised it;
    # this is called while it is handled, so the outermost middleware can tell what it was.
    if request is not None and isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        request.database_unavailable = True  # type: ignore[attr-defined]


class DatabaseUnavailableMiddleware(MiddlewareMixin):
    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if response.status_code != 500 or not getattr(request, "database_unavailable", False):
            return response
        if request.headers.get("HX-Request"):  # shown in #errors by app.js
            answer = HttpResponse(UNAVAILABLE_MESSAGE, content_type="text/plain; charset=utf-8")
        else:  # rendered without the request: no context processor may touch the database
            answer = HttpResponse(render_to_string("503.html", {"message": UNAVAILABLE_MESSAGE}))
        answer.status_code = 503
        answer["Retry-After"] = str(RETRY_AFTER_SECONDS)
        answer["Cache-Control"] = "no-store"
        return answer


class NoStoreMiddleware(MiddlewareMixin):
    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        patch_cache_control(response, private=True, no_store=True)
        return response


class VaryOnHtmxMiddleware(MiddlewareMixin):
    """Every response varies on HX-Request: a page URL answers htmx with a fragment and everyone
    else with the full page (core.htmx), and no cache may hand one to the other."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        patch_vary_headers(response, ("HX-Request",))
        return response
