"""Responses shared by the middleware and decorators: sign-in redirects and refusals."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django.utils.cache import patch_vary_headers
from django_htmx.http import HttpResponseClientRedirect


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _page_path(request: HttpRequest, url: str | None) -> str | None:
    """The path (and query) of `url` when it is a page of this site, else None."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.get_host():
        return None
    if not parts.path.startswith("/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def sign_in_redirect(request: HttpRequest, *, login_url: str | None = None) -> HttpResponse:
    """Send the browser to the sign-in page, then back to the page the person was on.

    An htmx request gets `HX-Redirect` (a full-page navigation) back to the page it came from
    (HX-Current-URL), never a login form swapped into part of a page.
    """
    resolved = resolve_url(login_url or settings.LOGIN_URL)
    if is_htmx(request):
        next_path = _page_path(request, request.headers.get("HX-Current-URL"))
        query = f"?{urlencode({REDIRECT_FIELD_NAME: next_path})}" if next_path else ""
        response = HttpResponseClientRedirect(resolved + query)
        patch_vary_headers(response, ["HX-Request"])
        return response
    return redirect_to_login(request.get_full_path(), resolved, REDIRECT_FIELD_NAME)


def forbidden(request: HttpRequest, *, message: str) -> HttpResponse:
    """403: a full page, or for htmx a one-sentence text/plain body that app.js shows in #errors."""
    if is_htmx(request):
        return HttpResponse(message, status=403, content_type="text/plain; charset=utf-8")
    return render(request, "accounts/forbidden.html", {"message": message}, status=403)
