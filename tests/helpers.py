"""What the tests share: the password, the htmx request header, and how a test makes a person."""

from __future__ import annotations

from django.test import Client

from batchui.accounts.roles import Role

PASSWORD = "batchui-tests-Pass-7"
HTMX = {"HX-Request": "true"}


def make_person(
    username: str,
    role: Role,
    *,
    code: str | None = None,
    full_name: str | None = None,
    api_key: str | None = None,
    energycap_user_code: str | None = None,
    password: str = PASSWORD,
):
    """A dashboard account of that role, acting as simulator user `code` (made when new) or
    with `api_key`, or without a key when neither is given."""
    from batchui.accounts.provisioning import account_upsert  # models: after Django's setup

    return account_upsert(
        username=username,
        role=role,
        password=password,
        simulator_user=code,
        api_key=api_key,
        full_name=full_name,
        energycap_user_code=energycap_user_code,
    ).user


def signed_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
