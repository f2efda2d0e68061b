"""Form tokens: a repeated submission of the same form returns the first one's result.

Every action form carries a hidden token made when the form is rendered (`new_token`). Before
acting, the server claims the token (`claim`): an INSERT into `batches.FormSubmission`, whose
unique constraint lets exactly one of several identical submissions win, whichever worker or
instance they reach, since they share the database. The losers wait for the winner's stored result
and return it (or, past `wait_seconds`, say the submission is still being processed). They never
act a second time.

The token is bound to what was submitted: a hash of the person, the action, the batch and the
submitted values is stored with it. The same token with anything else (a corrected form sent again
after a "still being processed" answer, a tampered token) is a MISMATCH: nothing is replayed.

Why the database and not the cache: the default cache is per-process local memory, so
`cache.add` would only lock within one worker; the database is the one store every worker shares.
A winner that dies mid-call leaves a pending record; after STALE_AFTER another submission may take
it over.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from batchui.activity.models import Action
from batchui.batches.models import FormSubmission, SubmissionState

TOKEN_PATTERN = re.compile(r"[0-9a-f]{32}")
# Longer than any open or close can take (client timeout, retries and the lookup after a lost
# answer), so a record still pending after this was left by a worker that died.
STALE_AFTER = timedelta(minutes=5)
# How long old records are kept: a form is not resubmitted days later.
KEEP_FOR = timedelta(days=2)
POLL_SECONDS = 0.05


def new_token() -> str:
    return secrets.token_hex(16)


def valid_token(token: str) -> bool:
    return bool(TOKEN_PATTERN.fullmatch(token or ""))


class ClaimState(StrEnum):
    OWNED = "owned"  # this submission acts, then calls complete() or release()
    REPLAY = "replay"  # an identical submission already finished: `result` is its outcome
    BUSY = "busy"  # an identical submission is still being processed
    MISMATCH = "mismatch"  # the token was used by someone else, for another action or batch,
    # or with other values


@dataclass(frozen=True)
class Claim:
    state: ClaimState
    result: dict[str, Any] = field(default_factory=dict)

    @property
    def owned(self) -> bool:
        return self.state is ClaimState.OWNED


def fingerprint(
    *, user: AbstractBaseUser, action: Action, batch_id: int | None, values: dict[str, Any]
) -> str:
    """What a token is bound to: who submitted which action on which batch with which values."""
    what = [user.pk, str(action), batch_id, values]
    return hashlib.sha256(json.dumps(what, sort_keys=True, default=str).encode()).hexdigest()


def claim(
    *,
    token: str,
    user: AbstractBaseUser,
    action: Action,
    batch_id: int | None = None,
    values: dict[str, Any] | None = None,
    wait_seconds: float | None = None,
) -> Claim:
    if not valid_token(token):
        raise ValueError("not a form token")
    bound_to = fingerprint(user=user, action=action, batch_id=batch_id, values=values or {})
    # A duplicate waits for the first submission as long as its API calls may take.
    wait = settings.BATCH_ACTION_WAIT_SECONDS if wait_seconds is None else wait_seconds
    deadline = time.monotonic() + wait
    FormSubmission.objects.filter(created__lt=timezone.now() - KEEP_FOR).delete()  # expired
    while True:
        now = timezone.now()
        try:
            with transaction.atomic():
                FormSubmission.objects.create(
                    token=token,
                    user=user,
                    fingerprint=bound_to,
                    created=now,
                    updated=now,
                )
            return Claim(ClaimState.OWNED)
        except IntegrityError:
            pass
        found = FormSubmission.objects.filter(token=token).first()
        if found is None:
            continue  # released by its owner meanwhile: claim it again
        if found.fingerprint != bound_to:
            return Claim(ClaimState.MISMATCH)
        if found.state == SubmissionState.DONE:
            return Claim(ClaimState.REPLAY, dict(found.result))
        if found.updated < now - STALE_AFTER and _take_over(found, now):
            return Claim(ClaimState.OWNED)
        if time.monotonic() >= deadline:
            return Claim(ClaimState.BUSY)
        time.sleep(POLL_SECONDS)


def _take_over(found: FormSubmission, now) -> bool:
    taken = FormSubmission.objects.filter(
        pk=found.pk, state=SubmissionState.PENDING, updated=found.updated
    ).update(updated=now)
    return taken == 1


def complete(*, token: str, result: dict[str, Any]) -> None:
    """Store the owner's result: later identical submissions return it."""
    FormSubmission.objects.filter(token=token).update(
        state=SubmissionState.DONE, result=result, updated=timezone.now()
    )


def release(*, token: str) -> None:
    """Forget the token (nothing changed): submitting the same form again tries again."""
    FormSubmission.objects.filter(token=token).delete()
