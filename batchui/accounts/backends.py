"""Single sign-on through a trusted reverse proxy's header, when REMOTE_USER_HEADER is set."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import RemoteUserBackend


class ProxyRemoteUserBackend(RemoteUserBackend):
    """Django's RemoteUserBackend, inert unless REMOTE_USER_HEADER is configured."""

    @property
    def create_unknown_user(self) -> bool:  # type: ignore[override]
        return settings.REMOTE_USER_CREATE_UNKNOWN

    def authenticate(self, request, remote_user):
        if not settings.REMOTE_USER_HEADER:
            return None
        return super().authenticate(request, remote_user)
