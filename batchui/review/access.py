"""Who may see the intranet widget: WIDGET_ACCESS "signed-in" or "token".

"signed-in": people with VIEW_WIDGET; an anonymous request is sent to sign in (by the
LoginRequiredMiddleware, before the view). "token": also an anonymous request carrying
`?token=<WIDGET_TOKEN>`; its figures are read with WIDGET_API_KEY (else the service key
ECI_API_KEY).
"""

from __future__ import annotations

import functools
import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from batchui.accounts.decorators import NOT_ALLOWED
from batchui.accounts.responses import forbidden, sign_in_redirect
from batchui.accounts.roles import VIEW_WIDGET
from batchui.accounts.services import api_key_for

TOKEN_MODE = "token"  # noqa: S105 - a WIDGET_ACCESS value, not a secret
INVALID_LINK = (
    "This widget link's token is not valid. Ask the dashboard's administrators for the link."
)
NO_KEY = "The widget is not configured: it has no API key to read the figures with."


class SignInUnlessTokenAccess:
    """A view that needs sign-in unless WIDGET_ACCESS is "token".

    Django's LoginRequiredMiddleware reads the view's `login_required` on every request: here it
    is False while WIDGET_ACCESS is "token" (as `login_not_required` would set it; the view then
    enforces access itself: `widget_api_key`), and True otherwise, so that with "signed-in"
    an anonymous request is sent to sign in before it reaches the view.
    """

    def __init__(self, view) -> None:
        functools.update_wrapper(self, view)

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return self.__wrapped__(request, *args, **kwargs)

    @property
    def login_required(self) -> bool:
        return settings.WIDGET_ACCESS != TOKEN_MODE


def token_matches(given: str) -> bool:
    expected = settings.WIDGET_TOKEN
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def widget_api_key(request: HttpRequest, *, as_json: bool) -> str | HttpResponse:
    """The key to read the figures with, or the answer that refuses the request. Raises
    MissingApiKey for a signed-in person without a usable key."""
    if settings.WIDGET_ACCESS == TOKEN_MODE and "token" in request.GET:
        if not token_matches(request.GET["token"]):
            return _refusal(request, INVALID_LINK, 403, as_json=as_json)
        key = settings.WIDGET_API_KEY or settings.ECI_API_KEY
        return key or _refusal(request, NO_KEY, 503, as_json=as_json)
    if not request.user.is_authenticated:
        return sign_in_redirect(request)
    if not request.user.has_perm(VIEW_WIDGET):
        return _refusal(request, NOT_ALLOWED, 403, as_json=as_json)
    return api_key_for(request.user)


def _refusal(request: HttpRequest, message: str, status: int, *, as_json: bool) -> HttpResponse:
    if as_json:
        return JsonResponse({"error": message}, status=status)
    if status == 403:
        return forbidden(request, message=message)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
