"""Authentication backends: sign-in with a password (AccountBackend), single sign-on through a
trusted reverse proxy's header when REMOTE_USER_HEADER is set (ProxyRemoteUserBackend).

Both are Django's, with the two reads every page makes cheaper: the signed-in person is loaded
with their profile (their Batch API key and EnergyCAP user code) in one query, and their
permissions (their own and their groups') in one query instead of two.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend, RemoteUserBackend
from django.contrib.auth.models import Permission
from django.db.models import Q


class ProfileAlongMixin:
    """Loads the signed-in person together with their profile (when they have
    one, `user.dashboard_profile`): the pages that call the Batch API need the key next."""

    def get_user(self, user_id):
        people = get_user_model()._default_manager.select_related("dashboard_profile")
        try:
            user = people.get(pk=user_id)
        except people.model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class PermissionsInOneQueryMixin:
    """Answers permission checks as ModelBackend does, in one query instead of two.

    Same answers, ModelBackend's per-request cache (`_perm_cache` on the user object, which
    ModelBackend then reads too), nothing kept between requests: a role change applies to the
    next request.
    """

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                found = Permission.objects.all()
            else:
                found = Permission.objects.filter(Q(user=user_obj) | Q(group__user=user_obj))
            user_obj._perm_cache = {
                f"{app_label}.{codename}"
                for app_label, codename in found.values_list(
                    "content_type__app_label", "codename"
                ).order_by()
            }
        return user_obj._perm_cache


class AccountBackend(ProfileAlongMixin, PermissionsInOneQueryMixin, ModelBackend):
    """Django's ModelBackend: sign-in with a user name and password."""


class ProxyRemoteUserBackend(ProfileAlongMixin, PermissionsInOneQueryMixin, RemoteUserBackend):
    """Django's RemoteUserBackend, inert unless REMOTE_USER_HEADER is configured."""

    @property
    def create_unknown_user(self) -> bool:  # type: ignore[override]
        return settings.REMOTE_USER_CREATE_UNKNOWN

    def authenticate(self, request, remote_user):
        if not settings.REMOTE_USER_HEADER:
            return None
        return super().authenticate(request, remote_user)
