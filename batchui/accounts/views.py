"""Sign-in, sign-out and the profile page where a person manages their EnergyCAP API key."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from batchui.accounts import services
from batchui.accounts.forms import ApiKeyForm, SignInForm, TimeZoneForm

LOCKOUT_MESSAGE = (
    "Too many failed sign-in attempts. Sign-in is blocked for this name from your computer for "
    "a while; try again later or ask your team lead."
)


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' lockout answer: the sign-in page with a lockout message (429)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = SignInForm(request, initial={"username": username})
    context = {"form": form, "lockout_message": LOCKOUT_MESSAGE}
    return render(request, "registration/login.html", context, status=429)


def _profile_context(request: HttpRequest, **extra) -> dict:
    return {
        "key_status": services.api_key_status(user=request.user),
        "key_form": ApiKeyForm(),
        "zone_form": TimeZoneForm(
            initial={"time_zone": services.profile_of(user=request.user).time_zone}
        ),
        "outcome": None,
        **extra,
    }


@require_GET
@never_cache
def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/profile.html", _profile_context(request))


@sensitive_post_parameters("api_key")
@require_POST
def api_key_save(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/profile.html", _profile_context(request, key_form=form))
    services.api_key_set(user=request.user, api_key=form.cleaned_data["api_key"])
    messages.success(request, "Your API key is saved. Use “Test connection” to check it.")
    return redirect("accounts:profile")


@require_POST
def time_zone_save(request: HttpRequest) -> HttpResponse:
    form = TimeZoneForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/profile.html", _profile_context(request, zone_form=form))
    name = form.cleaned_data["time_zone"]
    services.time_zone_set(user=request.user, name=name)
    messages.success(request, f"Times now show in {name or settings.TIME_ZONE}.")
    return redirect("accounts:profile")


@require_POST
def api_key_remove(request: HttpRequest) -> HttpResponse:
    services.api_key_remove(user=request.user)
    messages.success(request, "Your API key is removed.")
    return redirect("accounts:profile")


@require_POST
@never_cache
def connection_test(request: HttpRequest) -> HttpResponse:
    outcome = services.connection_test(user=request.user)
    if request.htmx:
        return render(request, "accounts/profile.html#connection-result", {"outcome": outcome})
    return render(request, "accounts/profile.html", _profile_context(request, outcome=outcome))
