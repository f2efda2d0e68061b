"""Encryption at rest for people's API keys: Fernet, with several keys for rotation.

FIELD_ENCRYPTION_KEY holds one or more Fernet keys separated by commas. The first encrypts; every
one of them decrypts, so a new key is put first and the old one kept until `dashboard_user rekey`
has re-encrypted every stored value. Unset, one key is derived from SECRET_KEY (fine for a laptop
and tests; `check --deploy` warns).
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class UndecryptableValue(Exception):  # noqa: N818 - the state, not an error of the caller
    """The stored value cannot be decrypted with any configured key."""


def derived_key(secret_key: str) -> str:
    digest = hashlib.sha256(b"batchui.accounts.field-encryption\0" + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def configured_keys(*, setting: str, secret_key: str) -> list[str]:
    """The Fernet keys in use, first the one that encrypts; raises ImproperlyConfigured."""
    keys = [part.strip() for part in setting.split(",") if part.strip()]
    if not keys:
        return [derived_key(secret_key)]
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError) as error:
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEY entry {position} is not a Fernet key (32 url-safe "
                "base64-encoded bytes; make one with `python -c 'from cryptography.fernet import "
                "Fernet; print(Fernet.generate_key().decode())'`)."
            ) from error
    return keys


@lru_cache(maxsize=8)
def _multi_fernet(setting: str, secret_key: str) -> MultiFernet:
    keys = configured_keys(setting=setting, secret_key=secret_key)
    return MultiFernet([Fernet(key) for key in keys])


def _fernet() -> MultiFernet:
    return _multi_fernet(settings.FIELD_ENCRYPTION_KEY, settings.SECRET_KEY)


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise UndecryptableValue from error


def rotate(token: str) -> str:
    """The same plaintext, encrypted with the first (current) key."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken as error:
        raise UndecryptableValue from error
