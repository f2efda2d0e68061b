"""Helpers for the accounts tests."""

from __future__ import annotations

from batchui.accounts.backends import AccountBackend


def as_next_request_loads(user):
    """The person as the next request loads them (with their profile): a user object a test kept
    from earlier holds the profile as it was then, as a request's own user object would."""
    return AccountBackend().get_user(user.pk)
