"""Sign-in enforcement, single sign-on and the "add your API key" page."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import middleware as auth_middleware
from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.deprecation import MiddlewareMixin
from django_htmx.http import reswap, retarget

from batchui.accounts.responses import sign_in_redirect
from batchui.accounts.services import MissingApiKey, time_zone_of


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware; htmx requests go to the login page by HX-Redirect."""

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        # Django asks who is signed in first; a view that needs no sign-in (health checks) then
        # read the session and the person for nothing whenever a session cookie came along.
        if not getattr(view_func, "login_required", True):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)

    def handle_no_permission(self, request: HttpRequest, view_func) -> HttpResponse:
        return sign_in_redirect(request, login_url=self.get_login_url(view_func))


class ProxyRemoteUserMiddleware(auth_middleware.PersistentRemoteUserMiddleware):
    """Trusts the reverse proxy's user header named by REMOTE_USER_HEADER; inert when unset."""

    @property
    def header(self) -> str:  # type: ignore[override]
        return settings.REMOTE_USER_HEADER

    def process_request(self, request: HttpRequest) -> None:
        if settings.REMOTE_USER_HEADER:
            super().process_request(request)

    async def aprocess_request(self, request: HttpRequest) -> None:
        await sync_to_async(self.process_request, thread_sensitive=True)(request)


def _forget_time_zone(**kwargs) -> None:
    timezone.deactivate()


class TimeZoneMiddleware(MiddlewareMixin):
    """Times in the signed-in person's zone (their profile's), else settings.TIME_ZONE.

    It stays active until the response is done (a streamed page's later parts are written in it
    too): then the thread forgets it. Views that need no sign-in (health checks) do not load the
    person for it."""

    def __init__(self, get_response) -> None:
        super().__init__(get_response)
        request_finished.connect(_forget_time_zone, dispatch_uid="batchui.accounts.time_zone")

    def process_request(self, request: HttpRequest) -> None:
        timezone.deactivate()

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        if not getattr(view_func, "login_required", True):
            return
        zone = time_zone_of(request.user)
        if zone is not None:
            timezone.activate(zone)


class MissingApiKeyMiddleware(MiddlewareMixin):
    """A view that needs the Batch API but finds no usable key shows how to add one."""

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, MissingApiKey):
            return None
        context = {"problem": exception}
        if request.htmx:
            response = render(request, "accounts/missing_api_key.html#explanation", context)
            return reswap(retarget(response, "#errors"), "innerHTML")
        return render(request, "accounts/missing_api_key.html", context)
