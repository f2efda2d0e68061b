"""The simulator as a WSGI application, separate from the dashboard's URLs and middleware.

`application` is what both the in-process transport (batchui.batchapi) and `runsimulator` serve,
so the embedded default and a simulator on its own port run the same code. It resolves paths
against `batchui.simulator.urls` only and never touches the thread's URLconf.

Faults (batchui.simulator.faults) are applied here, before routing and auth, so that every call,
even one to an unknown path, can be slowed, refused, dropped or garbled.
"""

from __future__ import annotations

import logging
import time
from http import HTTPStatus

from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.core.handlers.wsgi import WSGIRequest
from django.http import Http404, HttpResponse
from django.urls import Resolver404, resolve

from batchui.simulator import faults
from batchui.simulator.faults import DropConnection
from batchui.simulator.models import FaultKind
from batchui.simulator.serializers import JSON_CONTENT_TYPE, json_error

SIMULATOR_URLCONF = "batchui.simulator.urls"
logger = logging.getLogger("batchui.simulator")


def handle(request: WSGIRequest) -> HttpResponse:
    """Answer one call, with the faults planned for it. Raises DropConnection to drop it."""
    try:
        plan = faults.plan_for(method=request.method or "", path=request.path_info)
    except Exception:
        logger.exception("simulator fault planning failed on %s", request.path_info)
        return json_error(500, "An unexpected error occurred.")
    if plan.latency_ms > 0:
        time.sleep(plan.latency_ms / 1000)
    if plan.kind == FaultKind.STATUS:
        return fault_status_response(status=plan.status or 500, retry_after=plan.retry_after)
    if plan.kind == FaultKind.DROP_BEFORE:
        raise DropConnection("dropped before handling (injected fault)")
    response = dispatch(request)
    if plan.kind == FaultKind.DROP_AFTER:
        raise DropConnection("dropped after handling (injected fault)")
    if plan.kind == FaultKind.MALFORMED:
        return malformed_response(response)
    return response


def dispatch(request: WSGIRequest) -> HttpResponse:
    try:
        match = resolve(request.path_info, urlconf=SIMULATOR_URLCONF)
    except Resolver404:
        return json_error(404, f"No API resource at {request.path_info}.")
    try:
        return match.func(request, *match.args, **match.kwargs)
    except DropConnection:
        raise
    except Http404:
        return json_error(404, "The requested resource was not found.")
    except (BadRequest, SuspiciousOperation, RequestDataTooBig) as problem:
        return json_error(400, f"Bad request: {problem}")
    except Exception:
        logger.exception("simulator error on %s %s", request.method, request.path_info)
        return json_error(500, "An unexpected error occurred.")


def fault_status_response(*, status: int, retry_after: int | None) -> HttpResponse:
    phrase = HTTPStatus(status).phrase
    headers = {}
    if status in faults.RETRY_AFTER_STATUSES:
        headers["Retry-After"] = str(retry_after or 1)
    return json_error(status, f"{status} {phrase} (simulated fault).", headers=headers)


def malformed_response(response: HttpResponse) -> HttpResponse:
    """A 200 whose JSON body is cut short (a truncated JSON document never parses)."""
    content = response.content if response.content[:1] in (b"{", b"[") else b'{"message":"'
    broken = HttpResponse(content[: max(1, len(content) // 2)], content_type=JSON_CONTENT_TYPE)
    for name in ("PageNumber", "PageSize", "TotalNumberOfRecords", "TotalPages"):
        if name in response:
            broken[name] = response[name]
    return broken


def application(environ, start_response):
    response = handle(WSGIRequest(environ))
    status = f"{response.status_code} {response.reason_phrase}"
    content = response.content
    headers = [*response.items(), ("Content-Length", str(len(content)))]
    start_response(status, headers)
    return [] if environ.get("REQUEST_METHOD") == "HEAD" else [content]
