"""Creating and updating dashboard accounts: role, password, API key (used by `dashboard_user`
and by demo.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.db import transaction

from batchui.accounts import services
from batchui.accounts.roles import APP_LABEL, ROLE_PERMISSIONS, Role
from batchui.simulator.models import ApiKey, ApiUser


def role_group(role: Role) -> Group:
    """The role's group, (re)created with its permissions should it be missing."""
    group, created = Group.objects.get_or_create(name=role.value)
    if created:
        group.permissions.set(
            Permission.objects.filter(
                content_type__app_label=APP_LABEL, codename__in=ROLE_PERMISSIONS[role]
            )
        )
    return group


def role_assign(*, user: AbstractBaseUser, role: Role) -> None:
    """Make `role` the person's only role."""
    others = Group.objects.filter(name__in=[r.value for r in Role if r != role])
    user.groups.remove(*others)
    user.groups.add(role_group(role))


def simulator_key_link(
    *, user: AbstractBaseUser, user_code: str, role: Role, reuse_working_key: bool = False
) -> bool:
    """Give the person a key of the simulator's API user `user_code` (created when missing, with
    the permissions of `role`). Returns True when a new key was issued.

    With reuse_working_key, a stored key that already belongs to that API user is kept.
    """
    full_name = user.get_full_name() or user.get_username()  # type: ignore[attr-defined]
    # EnergyCAP's BillsAndBatches permissions matching the role's (see roles.py).
    permissions = {
        "can_view": True,
        "can_create": role in (Role.CLERK, Role.LEAD),
        "can_manage": role is Role.LEAD,
        "can_delete": role in (Role.CLERK, Role.LEAD),
    }
    api_user, _ = ApiUser.objects.update_or_create(
        user_code=user_code,
        defaults=permissions,
        create_defaults={"full_name": full_name, **permissions},
    )
    profile = services.profile_of(user=user)
    if profile.energycap_user_code != user_code:
        profile.energycap_user_code = user_code
        profile.save(update_fields=["energycap_user_code"])
    if reuse_working_key:
        try:
            current = services.api_key_for(user) if profile.api_key_encrypted else None
        except services.MissingApiKey:
            current = None
        owner = ApiKey.user_for(current)
        if owner is not None and owner.pk == api_user.pk:
            return False
    services.api_key_set(user=user, api_key=api_user.issue_key())
    return True


@dataclass(frozen=True)
class AccountResult:
    user: AbstractBaseUser
    created: bool
    key_issued: bool


@transaction.atomic
def account_upsert(
    *,
    username: str,
    role: Role,
    password: str | None = None,
    api_key: str | None = None,
    simulator_user: str | None = None,
    energycap_user_code: str | None = None,
    full_name: str | None = None,
    reuse_working_key: bool = False,
) -> AccountResult:
    """Create or update a person: role always, password and key when given.

    A new person without a password gets an unusable one (single sign-on only).
    """
    if api_key and simulator_user:
        raise ValueError("give either an API key or a simulator user, not both")
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(**{user_model.USERNAME_FIELD: username})
    if full_name is not None:
        user.first_name, _, user.last_name = full_name.partition(" ")
    if password is not None and not user.check_password(password):
        # Only on a change: a new hash would sign the person out everywhere.
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    user.save()
    role_assign(user=user, role=role)
    key_issued = False
    if api_key:
        services.api_key_set(user=user, api_key=api_key)
    if simulator_user:
        key_issued = simulator_key_link(
            user=user, user_code=simulator_user, role=role, reuse_working_key=reuse_working_key
        )
    if energycap_user_code is not None:
        profile = services.profile_of(user=user)
        profile.energycap_user_code = energycap_user_code
        profile.save(update_fields=["energycap_user_code"])
    return AccountResult(user=user, created=created, key_issued=key_issued)
