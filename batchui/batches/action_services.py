"""Opening, editing and closing batches: the client call, the form token and the activity log.

    outcome = batch_open(user=request.user, api_key=key, data=BatchCreate(...), token=token)
    if outcome.ok: ... outcome.batch ...
    else: ... outcome.message, outcome.field_errors ...

Each action claims its form token first (batches.idempotency): an identical submission gets the
first one's outcome (`replayed=True`) and never acts twice. The acting submission records the
attempt in the activity log before calling the API and completes it after, whatever happens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from batchui.accounts.roles import CLOSE_ANY_BATCH, CLOSE_BATCH, EDIT_BATCH
from batchui.accounts.services import api_caller_for, energycap_user_code_of
from batchui.activity.models import Action, Outcome
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
    get_client,
)
from batchui.batchapi.values import parse_batch
from batchui.batches import idempotency

BUSY_MESSAGE = (
    "This form was already submitted and is still being processed, so nothing more was done. "
    "To see how it ended, submit the form again unchanged in a moment (it is never done twice)."
)
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
    forbidden: bool = False  # the dashboard refused: not the person's batch
    replayed: bool = False  # the result of an earlier identical submission
    token_used: bool = False  # the form's token belongs to another submission: renew it

    @property
    def ok(self) -> bool:
        return self.kind is OutcomeKind.SUCCESS

    def to_record(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "message": self.message,
            "batch": batch_to_json(self.batch) if self.batch else None,
            "batchId": self.batch_id,
            "fieldErrors": self.field_errors,
            "gone": self.gone,
            "alreadyClosed": self.already_closed,
            "forbidden": self.forbidden,
        }

    @classmethod
    def from_record(cls, action: Action, record: dict[str, Any]) -> ActionOutcome:
        batch_data = record.get("batch")
        return cls(
            action=action,
            kind=OutcomeKind(record.get("kind", OutcomeKind.UNKNOWN)),
            message=record.get("message", ""),
            batch=batch_from_json(batch_data) if batch_data else None,
            batch_id=record.get("batchId"),
            field_errors=record.get("fieldErrors") or {},
            gone=bool(record.get("gone")),
            already_closed=bool(record.get("alreadyClosed")),
            forbidden=bool(record.get("forbidden")),
            replayed=True,
        )


# --- storing a Batch in a submission record ----------------------------------------------------


def batch_to_json(batch: Batch) -> dict[str, Any]:
    """A BatchResponse-shaped dict (parse_batch reads it back); the money as exact text."""
    user = batch.created_by
    return {
        "batchId": batch.batch_id,
        "batchCode": batch.batch_code,
        "batchStatus": batch.batch_status.value,
        "isOpen": batch.is_open,
        "startDate": batch.start_date.isoformat() if batch.start_date else None,
        "endDate": batch.end_date.isoformat() if batch.end_date else None,
        "billCount": batch.bill_count,
        "runningTotal": str(batch.running_total),
        "flagCount": batch.flag_count,
        "analyzingCount": batch.analyzing_count,
        "hasImportedBills": batch.has_imported_bills,
        "hasImportsWithKickout": batch.has_imports_with_kickout,
        "hasLogs": batch.has_logs,
        "createdBy": (
            {"userId": user.user_id, "userCode": user.user_code, "fullName": user.full_name}
            if user
            else None
        ),
        "dueDate": batch.due_date,
        "statementDate": batch.statement_date,
        "nextReading": batch.next_reading,
        "controlCode": batch.control_code,
        "invoiceNumber": batch.invoice_number,
        "accountPeriodName": batch.account_period_name,
        "accountPeriodNumber": batch.account_period_number,
        "accountPeriodYear": batch.account_period_year,
        "note": batch.note,
    }


def batch_from_json(data: dict[str, Any]) -> Batch:
    return parse_batch({**data, "runningTotal": Decimal(data["runningTotal"])})


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


@dataclass(frozen=True)
class CloseWarning:
    name: str  # the acknowledgement field: ack_<name>
    text: str
    acknowledgement: str  # the label of its checkbox


def close_warnings(batch: Batch) -> list[CloseWarning]:
    """What should make a person think twice before closing (each needs an acknowledgement)."""
    warnings = []
    if batch.analyzing_count > 0:
        n = batch.analyzing_count
        warnings.append(
            CloseWarning(
                "analyzing",
                f"{n} bill{'s are' if n != 1 else ' is'} still being analyzed: their audit "
                "results are not in yet.",
                "Close it anyway, although bills are still being analyzed",
            )
        )
    if batch.flag_count > 0:
        n = batch.flag_count
        warnings.append(
            CloseWarning(
                "flags",
                f"{n} audit flag{'s are' if n != 1 else ' is'} unresolved on this batch's bills.",
                "Close it anyway, although audit flags are unresolved",
            )
        )
    if batch.has_imports_with_kickout:
        warnings.append(
            CloseWarning(
                "kickouts",
                "An import into this batch had kickouts: some bills were rejected and are not in "
                "the batch.",
                "Close it anyway, although an import had kickouts",
            )
        )
    return warnings


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


def open_batches_of(*, user: AbstractBaseUser, api_key: str) -> list[Batch]:
    """The person's own Open batches: what closeExistingBatch would close. Raises BatchApiError."""
    code = energycap_user_code_of(user)
    if not code:
        return []
    query = Filter.where("systemUserCode", "equals", code) & Filter.where(
        "batchStatus", "equals", "Open"
    )
    return list(get_client().list_batches(filter=query, page_size=1000, api_key=api_key).items)


# --- acting ------------------------------------------------------------------------------------


def _outcome_of_error(action: Action, error: BatchApiError, **extra: Any) -> ActionOutcome:
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
    field_errors = error.field_errors if isinstance(error, ApiValidationError) else {}
    return ActionOutcome(
        action=action,
        kind=kind,
        message=error.message,
        field_errors=field_errors,
        gone=isinstance(error, ApiNotFound),
        **extra,
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
        return ActionOutcome(
            action=action, kind=OutcomeKind.BUSY, message=BUSY_MESSAGE, batch_id=batch_id
        )
    return ActionOutcome(
        action=action,
        kind=OutcomeKind.REFUSED,
        message=MISMATCH_MESSAGE,
        batch_id=batch_id,
        token_used=True,
    )


def _settle(*, token: str, outcome: ActionOutcome, keep: bool) -> ActionOutcome:
    """Keep the outcome for repeated submissions, or release the token so a retry can act."""
    if keep:
        idempotency.complete(token=token, result=outcome.to_record())
    else:
        idempotency.release(token=token)
    return outcome


def _keep(outcome: ActionOutcome) -> bool:
    """Success, and an open or close that may have happened: repeating it must not act again."""
    if outcome.ok:
        return True
    return outcome.kind is OutcomeKind.UNKNOWN and outcome.action != Action.EDIT


def _create_changes(data: BatchCreate) -> dict[str, Any]:
    return {key: value for key, value in data.to_json().items() if key != "batchCode"}


def batch_open(
    *, user: AbstractBaseUser, api_key: str, data: BatchCreate, token: str
) -> ActionOutcome:
    early = _claimed(
        token=token, user=user, action=Action.OPEN, batch_id=None, values=data.to_json()
    )
    if early is not None:
        return early
    changes = _create_changes(data)
    if data.close_existing_batch:
        try:
            changes["closedBatches"] = [
                b.batch_code for b in open_batches_of(user=user, api_key=api_key)
            ]
        except BatchApiError:
            changes["closedBatches"] = "unknown (the lookup failed)"
    entry = activity_start(
        user=user, action=Action.OPEN, batch_code=data.batch_code, changes=changes, token=token
    )
    try:
        batch = get_client().open_batch(
            data, api_key=api_key, created_by=api_caller_for(user).acts_as
        )
    except BatchApiError as error:
        outcome = _outcome_of_error(Action.OPEN, error)
    else:
        message = f"Batch {batch.batch_code} opened."
        if batch.recovered:
            message += " (The API's answer was lost; the dashboard checked that it was opened.)"
        if data.close_existing_batch:
            message += " " + _closed_with_it(
                user=user, api_key=api_key, expected=changes["closedBatches"]
            )
        outcome = ActionOutcome(
            action=Action.OPEN,
            kind=OutcomeKind.SUCCESS,
            message=message,
            batch=batch,
            batch_id=batch.batch_id,
        )
    activity_finish(
        entry=entry,
        outcome=Outcome(outcome.kind.value),
        message=outcome.message,
        batch_id=outcome.batch_id,
        secret=api_key,
    )
    return _settle(token=token, outcome=outcome, keep=_keep(outcome))


def _closed_with_it(*, user: AbstractBaseUser, api_key: str, expected: list[str] | str) -> str:
    """What closeExistingBatch did, read back from the API: only batches seen closed are named."""
    code = energycap_user_code_of(user)
    if isinstance(expected, str) or not code:
        return "Whether your other open batches were closed could not be checked: see the list."
    if not expected:
        return ""
    query = Filter.where("systemUserCode", "equals", code) & Filter.where(
        "batchCode", "one of", expected
    )
    try:
        now = get_client().list_batches(filter=query, page_size=1000, api_key=api_key).items
    except BatchApiError:
        return "Whether your other open batches were closed could not be checked: see the list."
    closed = [b.batch_code for b in now if b.batch_status is BatchStatus.CLOSED]
    still = [b.batch_code for b in now if b.batch_status is not BatchStatus.CLOSED]
    parts = []
    if closed:
        parts.append("Your open batches closed with it: " + ", ".join(closed) + ".")
    if still:
        parts.append("Still not closed: " + ", ".join(still) + ".")
    return " ".join(parts)


def batch_edit(
    *,
    user: AbstractBaseUser,
    api_key: str,
    batch_id: int,
    batch_code: str,
    note: str | None,
    token: str,
) -> ActionOutcome:
    """Set a batch's code and note (`note=None` clears it); the log keeps before and after."""
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
        changes = {
            "batchCode": {"before": before.batch_code, "after": batch_code},
            "note": {"before": before.note, "after": note},
        }
        entry.changes = changes
        entry.save(update_fields=["changes"])
        batch = get_client().edit_batch(batch_id, batch_code=batch_code, note=note, api_key=api_key)
    except BatchApiError as error:
        outcome = _outcome_of_error(Action.EDIT, error, batch_id=batch_id)
    else:
        outcome = ActionOutcome(
            action=Action.EDIT,
            kind=OutcomeKind.SUCCESS,
            message=f"Batch {batch.batch_code} saved.",
            batch=batch,
            batch_id=batch.batch_id,
        )
    activity_finish(
        entry=entry, outcome=Outcome(outcome.kind.value), message=outcome.message, secret=api_key
    )
    return _settle(token=token, outcome=outcome, keep=_keep(outcome))


def batch_close_missing(*, user: AbstractBaseUser, batch_id: int, message: str) -> None:
    """Log a close of a batch that turned out not to exist (nothing was sent to close it)."""
    activity_record(
        user=user,
        action=Action.CLOSE,
        outcome=Outcome.REFUSED,
        message=message,
        batch_id=batch_id,
    )


def batch_close(*, user: AbstractBaseUser, api_key: str, batch: Batch, token: str) -> ActionOutcome:
    """Close `batch` (as the person saw it when confirming). Refused, and logged, when it is not
    theirs and they may not close others' batches."""
    early = _claimed(
        token=token, user=user, action=Action.CLOSE, batch_id=batch.batch_id, values={}
    )
    if early is not None:
        return early
    if not allowed_to_close(user=user, batch=batch):
        message = "You may close only your own batches. Ask your team lead to close this one."
        activity_record(
            user=user,
            action=Action.CLOSE,
            outcome=Outcome.REFUSED,
            message=message,
            batch_id=batch.batch_id,
            batch_code=batch.batch_code,
            token=token,
        )
        outcome = ActionOutcome(
            action=Action.CLOSE,
            kind=OutcomeKind.REFUSED,
            message=message,
            batch_id=batch.batch_id,
            forbidden=True,
        )
        return _settle(token=token, outcome=outcome, keep=False)
    entry = activity_start(
        user=user,
        action=Action.CLOSE,
        batch_id=batch.batch_id,
        batch_code=batch.batch_code,
        token=token,
    )
    try:
        closed = get_client().close_batch(batch.batch_id, api_key=api_key)
    except BatchApiError as error:
        outcome = _outcome_of_error(
            Action.CLOSE,
            error,
            batch_id=batch.batch_id,
            already_closed=isinstance(error, ApiValidationError),
        )
    else:
        message = f"Batch {closed.batch_code} closed."
        if closed.recovered:
            message += " (The API's answer was lost; the dashboard checked that it is closed.)"
        outcome = ActionOutcome(
            action=Action.CLOSE,
            kind=OutcomeKind.SUCCESS,
            message=message,
            batch=closed,
            batch_id=closed.batch_id,
        )
    activity_finish(
        entry=entry, outcome=Outcome(outcome.kind.value), message=outcome.message, secret=api_key
    )
    return _settle(token=token, outcome=outcome, keep=_keep(outcome))
