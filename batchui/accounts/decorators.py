"""View decorators for the protected screens.

    @require_GET
    @permission_required_or_403(roles.VIEW_BATCHES)
    def batch_list(request): ...

    @require_http_methods(["GET", "POST"])
    @permission_required_or_403(roles.CLOSE_BATCH, action=Action.CLOSE)   # an action's view
    def close_batch(request, batch_id): ...

    @frameable_by_intranet            # the /widget/ page only
    @permission_required_or_403(roles.VIEW_WIDGET)
    def widget(request): ...

Views that need no sign-in use Django's own `django.contrib.auth.decorators.login_not_required`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from batchui.accounts.responses import forbidden, sign_in_redirect
from batchui.accounts.services import api_key_for
from batchui.activity.models import Action, Outcome
from batchui.activity.services import activity_record

View = Callable[..., HttpResponse]
NOT_ALLOWED = "Your role does not allow this. Ask your team lead if you need it."


def permission_required_or_403(*perms: str, action: Action | None = None) -> Callable[[View], View]:
    """Answer 403 (never a redirect loop) to a signed-in person lacking any of `perms`.

    The refusal is a full page, or for htmx a short text shown in the page's error region. On the
    view of an `action`, a refused POST (an attempt: a GET only asks for the form or the
    confirmation) is recorded in the activity log, with the batch id of the URL if it has one.
    """
    if not perms:
        raise ValueError("permission_required_or_403 needs at least one permission")

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return sign_in_redirect(request)
            if not request.user.has_perms(perms):
                if action is not None and request.method == "POST":
                    activity_record(
                        user=request.user,
                        action=action,
                        outcome=Outcome.REFUSED,
                        message=NOT_ALLOWED,
                        batch_id=kwargs.get("batch_id"),
                    )
                return forbidden(request, message=NOT_ALLOWED)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def api_key_required(view: View) -> View:
    """Show the "add your API key" page before the view runs when the person has no usable key."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        api_key_for(request.user)  # raises MissingApiKey, answered by MissingApiKeyMiddleware
        return view(request, *args, **kwargs)

    return wrapped


def frameable_by_intranet(view: View) -> View:
    """Let the pages listed in WIDGET_FRAME_ANCESTORS frame this view (and nobody else).

    Drops X-Frame-Options and sets the CSP `frame-ancestors` to the setting. With the setting
    empty the response keeps `X-Frame-Options: DENY` and `frame-ancestors 'none'`.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        ancestors = list(settings.WIDGET_FRAME_ANCESTORS)
        if ancestors:
            response.xframe_options_exempt = True  # type: ignore[attr-defined]
            response._csp_replace = {"frame-ancestors": ancestors}  # type: ignore[attr-defined]
        return response

    return wrapped
