"""System checks: the encryption key of people's API keys."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

from batchui.accounts.crypto import configured_keys


@register(Tags.security)
def check_field_encryption_key_format(app_configs, **kwargs) -> list[Error]:
    try:
        configured_keys(setting=settings.FIELD_ENCRYPTION_KEY, secret_key=settings.SECRET_KEY)
    except ImproperlyConfigured as error:
        return [Error(str(error), id="accounts.E001")]
    return []


@register(Tags.security, deploy=True)
def check_field_encryption_key_set(app_configs, **kwargs) -> list[Warning]:
    if settings.FIELD_ENCRYPTION_KEY.strip():
        return []
    return [
        Warning(
            "FIELD_ENCRYPTION_KEY is not set: people's API keys are encrypted with a key derived "
            "from SECRET_KEY, so changing SECRET_KEY makes them unreadable.",
            hint="Set FIELD_ENCRYPTION_KEY to a Fernet key (Fernet.generate_key()).",
            id="accounts.W001",
        )
    ]
