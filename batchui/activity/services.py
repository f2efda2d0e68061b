"""Writing the activity log and reading it back, with who may see what.

An attempt is recorded before the Batch API is called (`activity_start`, outcome "unknown") and
completed after (`activity_finish`), so that an attempt whose call crashed or hung still shows.

Visibility: in the activity log, people with VIEW_REVIEW (team leads) see everyone's entries;
everyone else sees their own (a clerk reviews what they did; a viewer sees their refused
attempts). A batch's page shows its whole history to everyone who may see the batch
(`activity_of_batch`): what happened to a batch is part of the batch, like who opened it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone

from batchui.accounts.roles import VIEW_REVIEW
from batchui.activity.models import Action, ActivityEntry, Outcome
from batchui.batchapi.errors import safe_excerpt

MESSAGE_LIMIT = 1000


def activity_start(
    *,
    user: AbstractBaseUser,
    action: Action,
    batch_id: int | None = None,
    batch_code: str = "",
    changes: dict[str, Any] | None = None,
    token: str = "",
) -> ActivityEntry:
    """Record an attempt about to be made (committed at once: callers are not in a transaction)."""
    return ActivityEntry.objects.create(
        created=timezone.now(),
        user=user,
        username=user.get_username(),
        person_name=person_name_of(user),
        action=action,
        batch_id=batch_id,
        batch_code=batch_code[:255],
        changes=changes or {},
        outcome=Outcome.UNKNOWN,
        message="",
        token=token,
    )


def person_name_of(user: AbstractBaseUser) -> str:
    """The name people read: the full name, else the login."""
    full_name = getattr(user, "get_full_name", lambda: "")()
    return (full_name or user.get_username())[:255]


def activity_finish(
    *,
    entry: ActivityEntry,
    outcome: Outcome,
    message: str = "",
    batch_id: int | None = None,
    secret: str | None = None,
) -> ActivityEntry:
    """Complete an attempt with its outcome and the API's message (`secret` is blanked out)."""
    entry.outcome = outcome
    # One line, bounded, and never containing the API key.
    entry.message = safe_excerpt(message or "", secret=secret, limit=MESSAGE_LIMIT)
    entry.finished = timezone.now()
    if batch_id is not None:
        entry.batch_id = batch_id
    entry.save()
    return entry


def activity_record(
    *,
    user: AbstractBaseUser,
    action: Action,
    outcome: Outcome,
    message: str,
    batch_id: int | None = None,
    batch_code: str = "",
    token: str = "",
) -> ActivityEntry:
    """Record an attempt decided without calling the API (e.g. refused by the dashboard)."""
    entry = activity_start(
        user=user, action=action, batch_id=batch_id, batch_code=batch_code, token=token
    )
    return activity_finish(entry=entry, outcome=outcome, message=message)


def sees_everyone(*, user: AbstractBaseUser) -> bool:
    return user.has_perm(VIEW_REVIEW)


def activity_visible_to(*, user: AbstractBaseUser) -> QuerySet[ActivityEntry]:
    entries = ActivityEntry.objects.all()
    if not sees_everyone(user=user):
        entries = entries.filter(user=user)
    return entries


def activity_search(
    *,
    user: AbstractBaseUser,
    person: str = "",
    action: str = "",
    outcome: str = "",
    batch_id: int | None = None,
) -> QuerySet[ActivityEntry]:
    """The entries `user` may see that match what is given (a username, an action...), newest
    first."""
    given = {"username": person, "action": action, "outcome": outcome, "batch_id": batch_id}
    entries = activity_visible_to(user=user).filter(**{k: v for k, v in given.items() if v})
    return entries.order_by("-created", "-id")


def activity_people(*, user: AbstractBaseUser) -> list[tuple[str, str]]:
    """(login, name) of the people appearing in the entries `user` may see (for the person
    filter), by name."""
    pairs = activity_visible_to(user=user).order_by().values_list("username", "person_name")
    names = {login: name or login for login, name in pairs.distinct()}
    return sorted(names.items(), key=lambda pair: (pair[1].casefold(), pair[0]))


def activity_of_batch(*, batch_id: int) -> QuerySet[ActivityEntry]:
    """A batch's history: every entry about it, newest first (shown on the batch's page)."""
    return ActivityEntry.objects.filter(batch_id=batch_id).order_by("-created", "-id")
