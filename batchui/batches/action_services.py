"""Opening, editing, closing, marking pending, reopening and deleting batches: the client call,
the form token and the activity log.

    outcome = batch_open(user=request.user, api_key=key, data=BatchCreate(...), token=token)
    if outcome.ok: ... outcome.batch ...
    else: ... outcome.message, outcome.field_errors ...

Each action claims its form token first (batches.idempotency): an identical submission gets the
first one's outcome (`replayed=True`) and never acts twice. The acting submission records the
attempt in the activity log before calling the API and completes it after, whatever happens.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from batchui.accounts.roles import (
    CHANGE_BATCH_STATUS,
    CLOSE_ANY_BATCH,
    CLOSE_BATCH,
    DELETE_ANY_BATCH,
    DELETE_BATCH,
    EDIT_BATCH,
    PEND_ANY_BATCH,
)
from batchui.accounts.services import api_caller_for, energycap_user_code_of
from batchui.activity.models import Action, ActivityEntry, Outcome
from batchui.activity.services import activity_finish, activity_record, activity_start
from batchui.batchapi import (
    ApiAuthError,
    ApiForbidden,
    ApiNotFound,
    ApiOutcomeUnknown,
    ApiRateLimited,
    ApiServerError,
    ApiValidationError,
    Batch,
    BatchApiError,
    BatchCreate,
    BatchStatus,
    Filter,
    UserChild,
    get_client,
)
from batchui.batches import idempotency
from batchui.review.caching import review_forget

BUSY_MESSAGE = (
    "This form was already submitted and is still being processed, so nothing more was done. "
    "To see how it ended, submit the form again unchanged in a moment (it is never done twice)."
)
CLOSE_REFUSAL = "You may close only your own batches. Ask your team lead to close this one."
PENDING_REFUSAL = (
    "You may mark only your own batches pending. Ask your team lead to do it for this one."
)
REOPEN_REFUSAL = "You may not reopen batches."
DELETE_REFUSAL = "You may delete only your own batches. Ask your team lead to delete this one."
MISMATCH_MESSAGE = (
    "This form was already submitted with other values, so nothing was done with these. "
    "Check the batch list, then submit the form again if it is still needed."
)


class OutcomeKind(StrEnum):
    SUCCESS = Outcome.SUCCESS.value
    REFUSED = Outcome.REFUSED.value
    FAILED = Outcome.FAILED.value
    UNKNOWN = Outcome.UNKNOWN.value
    BUSY = "busy"  # an identical submission is still being processed (nothing logged)


@dataclass(frozen=True)
class ActionOutcome:
    action: Action
    kind: OutcomeKind
    message: str
    batch: Batch | None = None
    batch_id: int | None = None
    # API field names (camelCase) -> messages, from a 400 answer.
    field_errors: dict[str, list[str]] = field(default_factory=dict)
    gone: bool = False  # the batch does not exist (404)
    already_closed: bool = False  # close answered 400: the batch was closed already
    # The batch is not as the person saw it (closed, its status changed, bills added): nothing
    # was done, and the row shown is out of date.
    stale: bool = False
    forbidden: bool = False  # the dashboard refused: not the person's batch
    also_changed: list[int] = field(default_factory=list)  # other batches the action changed
    replayed: bool = False  # the result of an earlier identical submission
    token_used: bool = False  # the form's token belongs to another submission: renew it
    conflict: bool = False  # an edit refused: the batch changed since the form (batch: as now)

    @property
    def ok(self) -> bool:
        return self.kind is OutcomeKind.SUCCESS

    def to_record(self) -> dict[str, Any]:
        """The outcome as JSON values (dates and money as exact text), for `from_record`."""
        return json.loads(json.dumps(dataclasses.asdict(self), default=str))

    @classmethod
    def from_record(cls, action: Action, record: dict[str, Any]) -> ActionOutcome:
        batch = record.get("batch")
        if batch:
            creator = batch["created_by"]
            batch = Batch(
                **{
                    **batch,
                    "batch_status": BatchStatus(batch["batch_status"]),
                    "start_date": _moment(batch["start_date"]),
                    "end_date": _moment(batch["end_date"]),
                    "running_total": Decimal(batch["running_total"]),
                    "created_by": UserChild(**creator) if creator else None,
                }
            )
        fields = {**record, "kind": OutcomeKind(record["kind"]), "batch": batch or None}
        return cls(**{**fields, "action": action, "replayed": True, "token_used": False})


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


# --- who may do what ---------------------------------------------------------------------------


def owns(*, user: AbstractBaseUser, batch: Batch) -> bool:
    code = energycap_user_code_of(user)
    owner = batch.created_by.user_code if batch.created_by else None
    return bool(code) and bool(owner) and code.casefold() == owner.casefold()


def may_edit(*, user: AbstractBaseUser, batch: Batch) -> bool:
    return user.has_perm(EDIT_BATCH)


def allowed_to_close(*, user: AbstractBaseUser, batch: Batch) -> bool:
    """CLOSE_ANY_BATCH (leads) for any batch, CLOSE_BATCH for one's own (whatever its status)."""
    if user.has_perm(CLOSE_ANY_BATCH):
        return True
    return user.has_perm(CLOSE_BATCH) and owns(user=user, batch=batch)


def may_close(*, user: AbstractBaseUser, batch: Batch) -> bool:
    """Whether to offer Close: allowed, and the batch is not closed already."""
    return batch.batch_status is not BatchStatus.CLOSED and allowed_to_close(user=user, batch=batch)


def allowed_to_mark_pending(*, user: AbstractBaseUser, batch: Batch) -> bool:
    """EnergyCAP: Create for one's own batch, Manage (PEND_ANY_BATCH) for anyone's."""
    if user.has_perm(PEND_ANY_BATCH):
        return True
    return user.has_perm(CHANGE_BATCH_STATUS) and owns(user=user, batch=batch)


def may_mark_pending(*, user: AbstractBaseUser, batch: Batch) -> bool:
    """Whether to offer Mark pending: only an Open batch can become Pending."""
    return batch.batch_status is BatchStatus.OPEN and allowed_to_mark_pending(
        user=user, batch=batch
    )


def may_reopen(*, user: AbstractBaseUser, batch: Batch) -> bool:
    """Whether to offer Reopen: a Pending batch, anyone's (EnergyCAP: Create; someone else's
    batch becomes the person's)."""
    return batch.batch_status is BatchStatus.PENDING and user.has_perm(CHANGE_BATCH_STATUS)


def allowed_to_delete(*, user: AbstractBaseUser, batch: Batch) -> bool:
    if user.has_perm(DELETE_ANY_BATCH):
        return True
    return user.has_perm(DELETE_BATCH) and owns(user=user, batch=batch)


def may_delete(*, user: AbstractBaseUser, batch: Batch) -> bool:
    """Whether to offer Delete: only a batch with no bills (a delete takes its bills with it)."""
    return batch.bill_count == 0 and allowed_to_delete(user=user, batch=batch)


@dataclass(frozen=True)
class CloseWarning:
    name: str  # the acknowledgement field: ack_<name>
    text: str
    acknowledgement: str  # the label of its checkbox


def close_warnings(batch: Batch) -> list[CloseWarning]:
    """What should make a person think twice before closing (each needs an acknowledgement)."""
    bills, flags = batch.analyzing_count, batch.flag_count
    each = [
        (
            bills > 0,
            "analyzing",
            f"{bills} bill{'s are' if bills != 1 else ' is'} still being analyzed: their audit "
            "results are not in yet.",
            "Close it anyway, although bills are still being analyzed",
        ),
        (
            flags > 0,
            "flags",
            f"{flags} audit flag{'s are' if flags != 1 else ' is'} unresolved on this batch's "
            "bills.",
            "Close it anyway, although audit flags are unresolved",
        ),
        (
            bool(batch.has_imports_with_kickout),
            "kickouts",
            "An import into this batch had kickouts: some bills were rejected and are not in the "
            "batch.",
            "Close it anyway, although an import had kickouts",
        ),
    ]
    return [CloseWarning(name, text, ack) for due, name, text, ack in each if due]


# --- reading -----------------------------------------------------------------------------------


def batch_fetch(*, api_key: str, batch_id: int) -> Batch:
    """One batch; raises BatchApiError (ApiNotFound when it is gone)."""
    return get_client().get_batch(batch_id, api_key=api_key)


def batch_code_suggestion(
    *, user: AbstractBaseUser, api_key: str, today: date | None = None
) -> str:
    """The team's convention: EnergyCAP user code + date (JSMITH_20261122), then -2, -3, ... when
    that code is taken. Codes are compared case-insensitively, as the API does."""
    prefix = (energycap_user_code_of(user) or user.get_username()).upper()
    base = f"{prefix}_{(today or timezone.localdate()):%Y%m%d}"
    try:
        page = get_client().list_batches(
            filter=Filter.where("batchCode", "like", base), page_size=1000, api_key=api_key
        )
    except BatchApiError:
        return base  # a suggestion only: the API refuses a duplicate anyway
    taken = {batch.batch_code.casefold() for batch in page.items}
    candidate, n = base, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def open_batches_of(*, user: AbstractBaseUser, api_key: str) -> list[Batch] | None:
    """The Open batches of the EnergyCAP user the person's key acts as: what closeExistingBatch
    would close. None when that user is not known (the shared service key acts as its own user,
    whose open batches may be anyone's). Raises BatchApiError."""
    code = api_caller_for(user).acts_as
    if not code:
        return None
    query = Filter.where("systemUserCode", "equals", code) & Filter.where(
        "batchStatus", "equals", "Open"
    )
    return list(get_client().list_batches(filter=query, page_size=1000, api_key=api_key).items)


# --- acting ------------------------------------------------------------------------------------


def _outcome_of_error(action: Action, error: BatchApiError, batch_id: int | None) -> ActionOutcome:
    if isinstance(error, ApiOutcomeUnknown):
        kind = OutcomeKind.UNKNOWN
    elif isinstance(error, ApiValidationError | ApiNotFound | ApiAuthError | ApiForbidden):
        kind = OutcomeKind.REFUSED
    elif action == Action.EDIT and not isinstance(error, ApiServerError | ApiRateLimited):
        # An edit is retried by the client, never looked up: after a lost answer (timeout,
        # dropped connection, unreadable reply) it may have been saved. Saving again is safe.
        kind = OutcomeKind.UNKNOWN
        error = type(error)(
            f"{error.message.rstrip('.')}. The change may or may not have been saved; "
            "saving again is safe.",
            status=error.status,
        )
    else:
        kind = OutcomeKind.FAILED
    invalid = isinstance(error, ApiValidationError)
    return ActionOutcome(
        action=action,
        kind=kind,
        message=error.message,
        batch_id=batch_id,
        field_errors=error.field_errors if invalid else {},
        gone=isinstance(error, ApiNotFound),
        already_closed=invalid and action == Action.CLOSE,  # close answers 400 when it was
    )


def _done(action: Action, batch: Batch, message: str, checked: str = "") -> ActionOutcome:
    """Success; `checked` says what the client found when the API's answer was lost."""
    if batch.recovered:
        message += f" (The API's answer was lost; the dashboard checked that it {checked}.)"
    return ActionOutcome(
        action=action,
        kind=OutcomeKind.SUCCESS,
        message=message,
        batch=batch,
        batch_id=batch.batch_id,
    )


def _claimed(
    *,
    token: str,
    user: AbstractBaseUser,
    action: Action,
    batch_id: int | None,
    values: dict[str, Any],
) -> ActionOutcome | None:
    """None when this submission should act; else the outcome to answer with."""
    got = idempotency.claim(token=token, user=user, action=action, batch_id=batch_id, values=values)
    if got.state is idempotency.ClaimState.OWNED:
        return None
    if got.state is idempotency.ClaimState.REPLAY:
        return ActionOutcome.from_record(action, got.result)
    if got.state is idempotency.ClaimState.BUSY:
        return ActionOutcome(action, OutcomeKind.BUSY, BUSY_MESSAGE, batch_id=batch_id)
    return ActionOutcome(
        action, OutcomeKind.REFUSED, MISMATCH_MESSAGE, batch_id=batch_id, token_used=True
    )


def _finish(
    *, entry: ActivityEntry, outcome: ActionOutcome, token: str, api_key: str
) -> ActionOutcome:
    """Complete the log entry. Keep the outcome for repeated submissions when the action happened
    or may have (an open or close whose answer was lost: repeating it must not act again), and drop
    the person's cached review figures; else release the token so that a retry can act."""
    activity_finish(
        entry=entry,
        outcome=Outcome(outcome.kind.value),
        message=outcome.message,
        batch_id=outcome.batch_id,
        secret=api_key,
    )
    unknown = outcome.kind is OutcomeKind.UNKNOWN and outcome.action != Action.EDIT
    if outcome.ok or unknown:
        idempotency.complete(token=token, result=outcome.to_record())
        review_forget(api_key=api_key)  # the person's review shows the change at once
    else:
        idempotency.release(token=token)
    return outcome


CLOSE_EXISTING_UNAVAILABLE = (
    "Not available with the shared service key: the API would close the service account's open "
    "batches, which may be other people's. Close your other batches one by one instead."
)
CLOSE_EXISTING_CHANGED = (
    "Your open batches changed since this form was shown, so nothing was opened or closed. "
    "Check the batches listed now and confirm again."
)


def _to_close_or_refusal(
    *, user: AbstractBaseUser, api_key: str, closing: Sequence[int]
) -> tuple[OutcomeKind, str] | list[Batch]:
    """The batches closeExistingBatch will close, when they are exactly those the person saw
    (`closing`, their ids); else why nothing may be sent."""
    try:
        now = open_batches_of(user=user, api_key=api_key)
    except BatchApiError as error:
        return OutcomeKind.FAILED, (
            f"Your open batches could not be read, so nothing was opened or closed: {error.message}"
        )
    if now is None:
        return OutcomeKind.REFUSED, CLOSE_EXISTING_UNAVAILABLE
    if sorted(b.batch_id for b in now) != sorted(closing):
        return OutcomeKind.REFUSED, CLOSE_EXISTING_CHANGED
    return now


def batch_open(
    *,
    user: AbstractBaseUser,
    api_key: str,
    data: BatchCreate,
    token: str,
    closing: Sequence[int] = (),
) -> ActionOutcome:
    """Open a batch. With `data.close_existing_batch`, `closing` are the ids of the open batches
    the person was shown and acknowledged: when their open batches are not exactly those any more,
    nothing is sent and the refusal names closeExistingBatch (the form shows it by that box)."""
    values = data.to_json()
    if data.close_existing_batch:
        values["closing"] = sorted(closing)
    early = _claimed(token=token, user=user, action=Action.OPEN, batch_id=None, values=values)
    if early is not None:
        return early
    changes = {key: value for key, value in data.to_json().items() if key != "batchCode"}
    to_close: list[Batch] = []
    if data.close_existing_batch:
        checked = _to_close_or_refusal(user=user, api_key=api_key, closing=closing)
        if isinstance(checked, tuple):
            kind, message = checked
            activity_record(
                user=user,
                action=Action.OPEN,
                outcome=Outcome(kind.value),
                message=message,
                batch_code=data.batch_code,
                token=token,
            )
            idempotency.release(token=token)
            errors = {"closeExistingBatch": [message]}
            return ActionOutcome(Action.OPEN, kind, message, field_errors=errors)
        to_close = checked
        changes["closedBatches"] = [b.batch_code for b in to_close]
    entry = activity_start(
        user=user, action=Action.OPEN, batch_code=data.batch_code, changes=changes, token=token
    )
    try:
        batch = get_client().open_batch(
            data, api_key=api_key, created_by=api_caller_for(user).acts_as
        )
    except BatchApiError as error:
        outcome = _outcome_of_error(Action.OPEN, error, None)
    else:
        outcome = _done(Action.OPEN, batch, f"Batch {batch.batch_code} opened.", "was opened")
        if to_close:
            closed = _closed_with_it(user=user, api_key=api_key, expected=to_close)
            outcome = dataclasses.replace(outcome, message=f"{outcome.message} {closed}")
    return _finish(entry=entry, outcome=outcome, token=token, api_key=api_key)


def _closed_with_it(*, user: AbstractBaseUser, api_key: str, expected: list[Batch]) -> str:
    """What closeExistingBatch did, read back from the API: every batch it was to close is named,
    as closed only when seen closed."""
    codes = [b.batch_code for b in expected]
    query = Filter.where("systemUserCode", "equals", api_caller_for(user).acts_as) & Filter.where(
        "batchCode", "one of", codes
    )
    try:
        now = get_client().list_batches(filter=query, page_size=1000, api_key=api_key).items
    except BatchApiError:
        return (
            f"Whether your other open batches ({', '.join(codes)}) were closed could not be "
            "checked: see the list."
        )
    status = {b.batch_code.casefold(): b.batch_status for b in now}
    closed = [c for c in codes if status.get(c.casefold()) is BatchStatus.CLOSED]
    still = [c for c in codes if c not in closed]
    parts = []
    if closed:
        parts.append(
            f"Your other open batches closed with it ({len(closed)}): {', '.join(closed)}."
        )
    if still:
        parts.append(f"Still not closed: {', '.join(still)}.")
    return " ".join(parts)


def batch_edit(
    *,
    user: AbstractBaseUser,
    api_key: str,
    batch_id: int,
    batch_code: str,
    note: str | None,
    seen_code: str,
    seen_note: str | None,
    token: str,
) -> ActionOutcome:
    """Set a batch's code and note (`note=None` clears it); the log keeps before and after.

    `seen_code` and `seen_note` are the batch's as the person's form showed them: when the batch
    has changed since (and not to what the person typed), nothing is written and the outcome is a
    refused `conflict` carrying the batch as it is now."""
    after = {"batchCode": batch_code, "note": note}
    early = _claimed(token=token, user=user, action=Action.EDIT, batch_id=batch_id, values=after)
    if early is not None:
        return early
    entry = activity_start(
        user=user,
        action=Action.EDIT,
        batch_id=batch_id,
        batch_code=batch_code,
        changes={name: {"before": None, "after": value} for name, value in after.items()},
        token=token,
    )
    try:
        before = batch_fetch(api_key=api_key, batch_id=batch_id)
        entry.changes = {
            "batchCode": {"before": before.batch_code, "after": batch_code},
            "note": {"before": before.note, "after": note},
        }
        entry.save(update_fields=["changes"])
        if _changed_since(before, seen_code, seen_note) and _changed_since(
            before, batch_code, note
        ):
            message = (
                f"Batch {before.batch_code} was changed since you opened this form (by someone "
                "else, or by you in another window), so nothing was saved. Compare your version "
                "with the current one, then choose."
            )
            outcome = ActionOutcome(
                Action.EDIT, OutcomeKind.REFUSED, message, before, batch_id, conflict=True
            )
        else:
            batch = get_client().edit_batch(
                batch_id, batch_code=batch_code, note=note, api_key=api_key
            )
            outcome = _done(Action.EDIT, batch, f"Batch {batch.batch_code} saved.")
    except BatchApiError as error:
        outcome = _outcome_of_error(Action.EDIT, error, batch_id)
    return _finish(entry=entry, outcome=outcome, token=token, api_key=api_key)


def _changed_since(batch: Batch, code: str, note: str | None) -> bool:
    """Whether the batch's code or note differ from these (an empty note is no note)."""
    return batch.batch_code != code or (batch.note or "") != (note or "")


def batch_close_missing(*, user: AbstractBaseUser, batch_id: int, message: str) -> None:
    """Log a close of a batch that turned out not to exist (nothing was sent to close it)."""
    activity_record(
        user=user, action=Action.CLOSE, outcome=Outcome.REFUSED, message=message, batch_id=batch_id
    )


def batch_close(*, user: AbstractBaseUser, api_key: str, batch: Batch, token: str) -> ActionOutcome:
    """Close `batch` (as the person saw it when confirming). Refused, and logged, when it is not
    theirs and they may not close others' batches."""
    batch_id = batch.batch_id
    early = _claimed(token=token, user=user, action=Action.CLOSE, batch_id=batch_id, values={})
    if early is not None:
        return early
    if not allowed_to_close(user=user, batch=batch):
        activity_record(
            user=user,
            action=Action.CLOSE,
            outcome=Outcome.REFUSED,
            message=CLOSE_REFUSAL,
            batch_id=batch_id,
            batch_code=batch.batch_code,
            token=token,
        )
        idempotency.release(token=token)
        return ActionOutcome(
            Action.CLOSE, OutcomeKind.REFUSED, CLOSE_REFUSAL, batch_id=batch_id, forbidden=True
        )
    why = stale(Action.CLOSE, batch)
    if why:
        return _refused(
            user=user,
            action=Action.CLOSE,
            batch_id=batch_id,
            batch_code=batch.batch_code,
            token=token,
            message=why,
            stale=True,
        )
    entry = activity_start(
        user=user, action=Action.CLOSE, batch_id=batch_id, batch_code=batch.batch_code, token=token
    )
    try:
        closed = get_client().close_batch(batch_id, api_key=api_key)
    except BatchApiError as error:
        outcome = _outcome_of_error(Action.CLOSE, error, batch_id)
    else:
        outcome = _done(Action.CLOSE, closed, f"Batch {closed.batch_code} closed.", "is closed")
    return _finish(entry=entry, outcome=outcome, token=token, api_key=api_key)


# --- mark pending, reopen, delete ---------------------------------------------------------------


def refusal(action: Action, *, user: AbstractBaseUser, batch: Batch) -> str | None:
    """Why the person may not mark `batch` pending, reopen or delete it (whatever its state)."""
    if action == Action.PENDING:
        return None if allowed_to_mark_pending(user=user, batch=batch) else PENDING_REFUSAL
    if action == Action.REOPEN:
        return None if user.has_perm(CHANGE_BATCH_STATUS) else REOPEN_REFUSAL
    if action == Action.DELETE:
        return None if allowed_to_delete(user=user, batch=batch) else DELETE_REFUSAL
    raise ValueError(f"not a lifecycle action: {action}")


def stale(action: Action, batch: Batch) -> str | None:
    """Why `action` cannot be done to `batch` as it is now (None when it can): it was closed,
    its status changed or bills were added since the person saw it."""
    code, status = batch.batch_code, batch.batch_status
    wanted = {
        Action.CLOSE: (BatchStatus.OPEN, BatchStatus.PENDING),
        Action.PENDING: (BatchStatus.OPEN,),
        Action.REOPEN: (BatchStatus.PENDING,),
    }.get(action)
    if wanted and status not in wanted:
        return f"Batch {code} is already {status.value.lower()}. Nothing was done."
    if action == Action.DELETE and batch.bill_count:
        bills = f"{batch.bill_count} bill{'s' if batch.bill_count != 1 else ''}"
        return (
            f"Batch {code} has {bills}, so it was not deleted: only a batch with no bills can be "
            "deleted here (a delete would remove its bills too)."
        )
    return None


def gone_message(batch_id: int) -> str:
    return f"Batch {batch_id} was not found: it may have been deleted. Nothing was done."


def _refused(
    *,
    user: AbstractBaseUser,
    action: Action,
    batch_id: int,
    batch_code: str = "",
    token: str,
    message: str,
    **flags: bool,
) -> ActionOutcome:
    """A refusal decided before calling the API: logged, and the token freed for a retry."""
    activity_record(
        user=user,
        action=action,
        outcome=Outcome.REFUSED,
        message=message,
        batch_id=batch_id,
        batch_code=batch_code,
        token=token,
    )
    idempotency.release(token=token)
    return ActionOutcome(action, OutcomeKind.REFUSED, message, batch_id=batch_id, **flags)


def _checked(
    *,
    user: AbstractBaseUser,
    action: Action,
    batch_id: int,
    batch: Batch | None,
    token: str,
    values: dict[str, Any],
) -> ActionOutcome | None:
    """None when this submission should act on `batch` (read afresh when it was confirmed; None:
    not found); else the earlier identical submission's outcome (a repeated delete finds the batch
    gone, yet answers as the first did), or the refusal: the batch is gone, the person's role does
    not allow it, or the batch is not as they saw it."""
    early = _claimed(token=token, user=user, action=action, batch_id=batch_id, values=values)
    if early is not None:
        return early
    refuse = functools.partial(_refused, user=user, action=action, batch_id=batch_id, token=token)
    if batch is None:
        return refuse(message=gone_message(batch_id), gone=True)
    why = refusal(action, user=user, batch=batch)
    if why:
        return refuse(batch_code=batch.batch_code, message=why, forbidden=True)
    why = stale(action, batch)
    if why:
        return refuse(batch_code=batch.batch_code, message=why, stale=True)
    return None


def _failed(action: Action, error: BatchApiError, batch_id: int) -> ActionOutcome:
    outcome = _outcome_of_error(action, error, batch_id)
    if isinstance(error, ApiValidationError) and not error.field_errors:
        # The API says the batch's status does not allow it (changed since it was read).
        outcome = dataclasses.replace(outcome, stale=True)
    return outcome


def batch_mark_pending(
    *,
    user: AbstractBaseUser,
    api_key: str,
    batch_id: int,
    batch: Batch | None,
    note: str | None,
    token: str,
) -> ActionOutcome:
    """Set an Open batch to Pending (its bills become void); `note` replaces the batch's note
    (None keeps it). `batch` is as read when the person confirmed (None: not found)."""
    action = Action.PENDING
    early = _checked(
        user=user, action=action, batch_id=batch_id, batch=batch, token=token, values={"note": note}
    )
    if early is not None:
        return early
    entry = activity_start(
        user=user,
        action=action,
        batch_id=batch_id,
        batch_code=batch.batch_code,
        changes={"note": note} if note else {},
        token=token,
    )
    try:
        changed = get_client().set_batch_status(
            batch_id, BatchStatus.PENDING, note=note, api_key=api_key
        )
    except BatchApiError as error:
        outcome = _failed(action, error, batch_id)
    else:
        message = (
            f"Batch {changed.batch_code} is pending: its bills are void until it is reopened or "
            "closed."
        )
        outcome = _done(action, changed, message, "is pending")
    return _finish(entry=entry, outcome=outcome, token=token, api_key=api_key)


def open_batches_to_pend(*, user: AbstractBaseUser, api_key: str, batch: Batch) -> list[Batch]:
    """The person's Open batches that reopening `batch` sets to Pending: EnergyCAP does so when
    the batch is someone else's (it becomes the person's). Raises BatchApiError."""
    if owns(user=user, batch=batch):
        return []
    return [b for b in open_batches_of(user=user, api_key=api_key) if b.batch_id != batch.batch_id]


def batch_reopen(
    *, user: AbstractBaseUser, api_key: str, batch_id: int, batch: Batch | None, token: str
) -> ActionOutcome:
    """Set a Pending batch to Open (its bills count again). Someone else's batch becomes the
    person's, and their own Open batch (if any) becomes Pending: the outcome names what the API
    shows afterwards."""
    action = Action.REOPEN
    early = _checked(
        user=user, action=action, batch_id=batch_id, batch=batch, token=token, values={}
    )
    if early is not None:
        return early
    try:
        others = open_batches_to_pend(user=user, api_key=api_key, batch=batch)
    except BatchApiError:
        others = None  # the reopen goes ahead; the outcome says what could not be checked
    entry = activity_start(
        user=user, action=action, batch_id=batch_id, batch_code=batch.batch_code, token=token
    )
    try:
        reopened = get_client().set_batch_status(batch_id, BatchStatus.OPEN, api_key=api_key)
    except BatchApiError as error:
        outcome = _failed(action, error, batch_id)
    else:
        message = f"Batch {reopened.batch_code} is open again: its bills count again."
        if not owns(user=user, batch=batch):
            message += " It is now yours."
        outcome = _done(action, reopened, message, "is open")
        if others is None:
            note = (
                "Whether your own open batch was set to pending could not be checked: see the list."
            )
            outcome = dataclasses.replace(outcome, message=f"{outcome.message} {note}")
        elif others:
            outcome = dataclasses.replace(
                outcome,
                message=f"{outcome.message} {_now_as(others, api_key=api_key)}",
                also_changed=[b.batch_id for b in others],
            )
    return _finish(entry=entry, outcome=outcome, token=token, api_key=api_key)


def _now_as(batches: list[Batch], *, api_key: str) -> str:
    """What became of `batches` (read back): "Your batch X is now pending." and the like."""
    parts = []
    for batch in batches:
        try:
            now = batch_fetch(api_key=api_key, batch_id=batch.batch_id)
        except BatchApiError:
            parts.append(f"Whether your batch {batch.batch_code} changed could not be checked.")
            continue
        parts.append(f"Your batch {now.batch_code} is now {now.batch_status.value.lower()}.")
    return " ".join(parts)


def batch_delete(
    *, user: AbstractBaseUser, api_key: str, batch_id: int, batch: Batch | None, token: str
) -> ActionOutcome:
    """Delete `batch`, read afresh when the person confirmed: refused when it has bills (a delete
    takes them with it; the dashboard deletes only empty batches)."""
    action = Action.DELETE
    early = _checked(
        user=user, action=action, batch_id=batch_id, batch=batch, token=token, values={}
    )
    if early is not None:
        return early
    entry = activity_start(
        user=user, action=action, batch_id=batch_id, batch_code=batch.batch_code, token=token
    )
    try:
        get_client().delete_batch(batch_id, api_key=api_key)
    except BatchApiError as error:
        outcome = _failed(action, error, batch_id)
    else:
        message = f"Batch {batch.batch_code} deleted."
        outcome = ActionOutcome(action, OutcomeKind.SUCCESS, message, batch_id=batch_id)
    return _finish(entry=entry, outcome=outcome, token=token, api_key=api_key)
