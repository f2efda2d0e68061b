"""People's EnergyCAP API keys: storing them encrypted, choosing the key a call uses, testing it.

Each person acts in EnergyCAP as themselves, with their own key; the shared service key
(settings.ECI_API_KEY) is used only for people who have none.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from batchui.accounts import crypto
from batchui.accounts.models import Profile
from batchui.batchapi import BatchApiError, get_client

logger = logging.getLogger("batchui.accounts")

MASK = "••••••••"


class MissingApiKey(Exception):  # noqa: N818 - named after the situation people are told about
    """The person has no usable EnergyCAP API key (and there is no shared service key)."""

    message = (
        "You have not added your EnergyCAP API key yet, so the dashboard cannot reach EnergyCAP "
        "for you."
    )

    def __str__(self) -> str:
        return self.message


class ApiKeyUnreadable(MissingApiKey):
    """The stored key can no longer be decrypted (the server's encryption key changed)."""

    message = (
        "Your saved EnergyCAP API key can no longer be read (the server's encryption key has "
        "changed). Please enter your key again."
    )


class KeyState(StrEnum):
    NONE = "none"
    SET = "set"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class ApiKeyStatus:
    state: KeyState
    masked: str  # "••••••••abcd" when state is SET, else ""
    changed: datetime | None
    service_key_available: bool


@dataclass(frozen=True)
class ConnectionOutcome:
    ok: bool
    message: str
    total_batches: int | None = None
    used_service_key: bool = False


def mask(api_key: str) -> str:
    """Bullets and, for a key long enough that it gives nothing away, its last four characters."""
    return MASK + (api_key[-4:] if len(api_key) >= 16 else "")


def profile_of(*, user: AbstractBaseUser) -> Profile:
    """The person's profile, created when they have none yet: the one loaded with them when it
    was (the signed-in person's is, by AccountBackend), so that later reads of this user object
    see what is changed through it."""
    try:
        return user.dashboard_profile
    except Profile.DoesNotExist:
        profile, _ = Profile.objects.get_or_create(user=user)
        user.dashboard_profile = profile
        return profile


def _profile_or_none(user: AbstractBaseUser | AnonymousUser) -> Profile | None:
    """The person's profile (the one loaded with them when it was), None when they have none."""
    if not user.is_authenticated:
        return None
    try:
        return user.dashboard_profile
    except Profile.DoesNotExist:
        return None


def energycap_user_code_of(user: AbstractBaseUser | AnonymousUser) -> str:
    """The person's EnergyCAP user code ("" when unknown), from the profile loaded with them."""
    profile = _profile_or_none(user)
    return (profile.energycap_user_code or "") if profile else ""


def _stored_key(profile: Profile) -> str | None:
    """The person's own key; None when they have none; raises ApiKeyUnreadable."""
    if not profile.api_key_encrypted:
        return None
    try:
        return crypto.decrypt(profile.api_key_encrypted)
    except crypto.UndecryptableValue:
        raise ApiKeyUnreadable from None


@dataclass(frozen=True)
class ApiCaller:
    """Who a Batch API call is made as: the key and the person's EnergyCAP user code ("" when
    unknown), read together from one query of the profile."""

    key: str = field(repr=False)
    user_code: str
    own_key: bool = False  # the person's own key (else the shared service key)

    @property
    def acts_as(self) -> str:
        """The EnergyCAP user code the key acts as ("" when unknown: the service key's user)."""
        return self.user_code if self.own_key else ""


def api_caller_for(user: AbstractBaseUser | AnonymousUser) -> ApiCaller:
    """The key to call the Batch API with for this person, and their EnergyCAP user code.

    Their own key when they have one, else the shared service key when configured. Raises
    MissingApiKey (ApiKeyUnreadable when their stored key cannot be decrypted: they must not
    silently act as the service user then).
    """
    profile = _profile_or_none(user)
    code = energycap_user_code_of(user)
    own = _stored_key(profile) if profile else None
    if own:
        return ApiCaller(key=own, user_code=code, own_key=True)
    if settings.ECI_API_KEY:
        return ApiCaller(key=settings.ECI_API_KEY, user_code=code)
    raise MissingApiKey


def api_key_for(user: AbstractBaseUser | AnonymousUser) -> str:
    """api_caller_for(user).key: the key alone."""
    return api_caller_for(user).key


def api_key_status(*, user: AbstractBaseUser) -> ApiKeyStatus:
    profile = profile_of(user=user)
    try:
        own = _stored_key(profile)
    except ApiKeyUnreadable:
        state, masked = KeyState.UNREADABLE, ""
    else:
        state, masked = (KeyState.NONE, "") if own is None else (KeyState.SET, mask(own))
    return ApiKeyStatus(state, masked, profile.api_key_changed, bool(settings.ECI_API_KEY))


def _key_store(user: AbstractBaseUser, encrypted: str) -> None:
    profile = profile_of(user=user)
    profile.api_key_encrypted = encrypted
    profile.api_key_changed = timezone.now()
    profile.save(update_fields=["api_key_encrypted", "api_key_changed"])


def api_key_set(*, user: AbstractBaseUser, api_key: str) -> None:
    _key_store(user, crypto.encrypt(api_key))
    logger.info("API key set for user %s", user.pk)


def api_key_remove(*, user: AbstractBaseUser) -> None:
    _key_store(user, "")
    logger.info("API key removed for user %s", user.pk)


# --- time zone ------------------------------------------------------------------------------


def time_zone_of(user: AbstractBaseUser | AnonymousUser) -> ZoneInfo | None:
    """The zone the person chose in their profile; None for none (or one no longer known): the
    dashboard's, settings.TIME_ZONE."""
    profile = _profile_or_none(user)
    if profile is None or not profile.time_zone:
        return None
    try:
        return ZoneInfo(profile.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def time_zone_set(*, user: AbstractBaseUser, name: str) -> None:
    """Keep the person's zone (an IANA name, checked by the form; "" for the dashboard's)."""
    profile = profile_of(user=user)
    profile.time_zone = name
    profile.save(update_fields=["time_zone"])


@dataclass(frozen=True)
class RekeyResult:
    rotated: int
    unreadable: list[str]  # usernames whose key no configured key decrypts


def api_keys_rekey() -> RekeyResult:
    """Re-encrypt every stored key with the first FIELD_ENCRYPTION_KEY (after adding a new one)."""
    rotated, unreadable = 0, []
    with transaction.atomic():
        for profile in (
            Profile.objects.select_for_update().exclude(api_key_encrypted="").select_related("user")
        ):
            try:
                profile.api_key_encrypted = crypto.rotate(profile.api_key_encrypted)
            except crypto.UndecryptableValue:
                unreadable.append(profile.user.get_username())
                continue
            profile.save(update_fields=["api_key_encrypted"])
            rotated += 1
    return RekeyResult(rotated=rotated, unreadable=unreadable)


def connection_test(*, user: AbstractBaseUser) -> ConnectionOutcome:
    """Call the Batch API with the key this person's calls use and report what happened."""
    try:
        caller = api_caller_for(user)
    except MissingApiKey as problem:
        return ConnectionOutcome(ok=False, message=problem.message)
    used_service_key = not caller.own_key
    try:
        page = get_client().list_batches(page_size=1, api_key=caller.key)
    except BatchApiError as error:
        logger.info("connection test for user %s failed: status %s", user.pk, error.status)
        return ConnectionOutcome(ok=False, message=error.message, used_service_key=used_service_key)
    count = page.total_records
    whose = "the shared service key" if used_service_key else "your key"
    message = f"{whose} sees {count} batch{'' if count == 1 else 'es'}."
    return ConnectionOutcome(
        ok=True, message=message, total_batches=count, used_service_key=used_service_key
    )
