"""The simulator as a WSGI application, separate from the dashboard's URLs and middleware.

`application` is what both the in-process transport (batchui.batchapi) and `runsimulator` serve,
so the embedded default and a simulator on its own port run the same code. It resolves paths
against `batchui.simulator.urls` only and never touches the thread's URLconf.
"""

from __future__ import annotations

import json
import logging

from django.core.handlers.wsgi import WSGIRequest
from django.http import Http404, HttpResponse
from django.urls import Resolver404, resolve

from batchui.simulator.faults import DropConnection

SIMULATOR_URLCONF = "batchui.simulator.urls"
logger = logging.getLogger("batchui.simulator")


def json_error(status: int, message: str) -> HttpResponse:
    return HttpResponse(
        json.dumps({"message": message}), status=status, content_type="application/json"
    )


def handle(request: WSGIRequest) -> HttpResponse:
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
    except Exception:
        logger.exception("simulator error on %s %s", request.method, request.path_info)
        return json_error(500, "An unexpected error occurred.")


def application(environ, start_response):
    response = handle(WSGIRequest(environ))
    status = f"{response.status_code} {response.reason_phrase}"
    headers = list(response.items())
    start_response(status, headers)
    return [response.content]
