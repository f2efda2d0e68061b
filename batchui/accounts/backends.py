"""Authentication backends: sign-in with a password (AccountBackend), single sign-on through a
trusted reverse proxy's header when REMOTE_USER_HEADER is set (ProxyRemoteUserBackend).

Both are Django's, with the signed-in person loaded with their profile (their Batch API key and
EnergyCAP user code) in one query: the pages that call the Batch API need it next.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend, RemoteUserBackend


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


class AccountBackend(ProfileAlongMixin, ModelBackend):
    """Django's ModelBackend: sign-in with a user name and password."""


class ProxyRemoteUserBackend(ProfileAlongMixin, RemoteUserBackend):
    """Django's RemoteUserBackend, inert unless REMOTE_USER_HEADER is configured."""

    @property
    def create_unknown_user(self) -> bool:  # type: ignore[override]
        return settings.REMOTE_USER_CREATE_UNKNOWN

    def authenticate(self, request, remote_user):
        if not settings.REMOTE_USER_HEADER:
            return None
        return super().authenticate(request, remote_user)
