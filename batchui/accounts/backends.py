"""Authentication backends: permissions in one query; single sign-on through a trusted reverse
proxy's header, when REMOTE_USER_HEADER is set."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import ModelBackend, RemoteUserBackend
from django.contrib.auth.models import Permission
from django.db.models import Q


class ProxyRemoteUserBackend(RemoteUserBackend):
    """Django's RemoteUserBackend, inert unless REMOTE_USER_HEADER is configured."""

    @property
    def create_unknown_user(self) -> bool:  # type: ignore[override]
        return settings.REMOTE_USER_CREATE_UNKNOWN

    def authenticate(self, request, remote_user):
        if not settings.REMOTE_USER_HEADER:
            return None
        return super().authenticate(request, remote_user)


class PermissionsInOneQueryBackend(ModelBackend):
    """Answers permission checks as ModelBackend does, reading a person's permissions (their own
    and their groups') in one query instead of two: every page asks for them (the permission
    decorator). Listed before ModelBackend, which still signs people in.

    Same answers, ModelBackend's per-request cache (`_perm_cache` on the user object, which
    ModelBackend then reads too), nothing kept between requests: a role change applies to the
    next request.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        return None  # signing in is ModelBackend's (and sessions keep naming it)

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
