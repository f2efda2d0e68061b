"""The project's URLs plus test-only views exercising the decorators (@pytest.mark.urls)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from batchui.accounts import roles
from batchui.accounts.decorators import (
    api_key_required,
    frameable_by_intranet,
    permission_required_or_403,
)
from batchui.accounts.services import api_key_for
from batchui.urls import urlpatterns as project_urlpatterns


@frameable_by_intranet
def framed(request: HttpRequest) -> HttpResponse:
    return HttpResponse("widget")


@api_key_required
def needs_key(request: HttpRequest) -> HttpResponse:
    return HttpResponse("had a key")


def needs_key_midway(request: HttpRequest) -> HttpResponse:
    api_key_for(request.user)
    return HttpResponse("had a key")


@permission_required_or_403(roles.VIEW_REVIEW)
def review(request: HttpRequest) -> HttpResponse:
    return HttpResponse("review")


def boom(request: HttpRequest) -> HttpResponse:
    api_key = api_key_for(request.user)
    headers = {"ECI-ApiKey": api_key}
    raise RuntimeError(f"failed with {len(headers)} header(s)")


urlpatterns = [
    *project_urlpatterns,
    path("test/framed/", framed),
    path("test/needs-key/", needs_key),
    path("test/needs-key-midway/", needs_key_midway),
    path("test/review/", review),
    path("test/boom/", boom),
]
