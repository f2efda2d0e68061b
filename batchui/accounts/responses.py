"""Responses shared by the middleware and decorators: sign-in redirects and refusals."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django_htmx.http import HttpResponseClientRedirect


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
    if request.htmx:
        next_path = _page_path(request, request.htmx.current_url)
        query = f"?{urlencode({REDIRECT_FIELD_NAME: next_path})}" if next_path else ""
        return HttpResponseClientRedirect(resolved + query)
    return redirect_to_login(request.get_full_path(), resolved, REDIRECT_FIELD_NAME)


def forbidden(request: HttpRequest, *, message: str) -> HttpResponse:
    """403: a full page, or for htmx a one-sentence text/plain body that app.js shows in #errors."""
    if request.htmx:
        return HttpResponse(message, status=403, content_type="text/plain; charset=utf-8")
    return render(request, "accounts/forbidden.html", {"message": message}, status=403)
