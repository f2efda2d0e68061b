"""Who may see the intranet widget: WIDGET_ACCESS "signed-in" or "token".

"signed-in": people with VIEW_WIDGET; an anonymous request is sent to sign in (by the
LoginRequiredMiddleware, before the view). "token": also an anonymous request carrying
`?token=<WIDGET_TOKEN>`; its figures are read with WIDGET_API_KEY (else the service key
ECI_API_KEY).
"""

from __future__ import annotations

import functools
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse

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
    enforces access itself, see `widget_api_key`), and True otherwise, so that with "signed-in"
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


@dataclass(frozen=True, slots=True)
class WidgetAccess:
    """The key to read the figures with, or (key None) why the request is refused."""

    api_key: str | None
    refusal: str = ""
    status: int = 403
    sign_in: bool = False


def widget_access(request: HttpRequest) -> WidgetAccess:
    """Decide who is asking. Raises MissingApiKey for a signed-in person without a usable key."""
    if settings.WIDGET_ACCESS == TOKEN_MODE and "token" in request.GET:
        if not token_matches(request.GET["token"]):
            return WidgetAccess(None, INVALID_LINK)
        key = settings.WIDGET_API_KEY or settings.ECI_API_KEY
        return WidgetAccess(key) if key else WidgetAccess(None, NO_KEY, status=503)
    if not request.user.is_authenticated:
        return WidgetAccess(None, sign_in=True)
    if not request.user.has_perm(VIEW_WIDGET):
        return WidgetAccess(None, NOT_ALLOWED)
    return WidgetAccess(api_key_for(request.user))


def refusal_page(request: HttpRequest, access: WidgetAccess) -> HttpResponse:
    if access.sign_in:
        return sign_in_redirect(request)
    if access.status == 403:
        return forbidden(request, message=access.refusal)
    return HttpResponse(
        access.refusal, status=access.status, content_type="text/plain; charset=utf-8"
    )
