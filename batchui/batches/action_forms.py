"""Forms of the batch actions: the API's own rules, checked before the API is called.

Labels and help texts come from EnergyCAP's BatchCreate / BatchEdit documentation. Lengths are
counted as the API counts them (UTF-16 code units, as .NET does), so a code the form accepts is
not refused by the API for its length. `apply_api_errors` puts the API's 400 messages on the
field they name (camelCase API names -> form fields); a message naming no field goes on top.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from batchui.batchapi import Batch, BatchCreate
from batchui.batches import idempotency
from batchui.batches.action_services import (
    CLOSE_EXISTING_CHANGED,
    CloseWarning,
    close_warnings,
)

MAX_TEXT = 255

# API field name (casefolded: the API names fields case-insensitively) -> form field name.
API_FIELDS = {
    "batchcode": "batch_code",
    "closeexistingbatch": "close_existing_batch",
    "accountperiodnumber": "account_period_number",
    "accountperiodyear": "account_period_year",
    "controlcode": "control_code",
    "invoicenumber": "invoice_number",
    "note": "note",
    "duedate": "due_date",
    "statementdate": "statement_date",
    "nextreading": "next_reading",
}


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def at_most_255(value: str) -> None:
    if utf16_length(value) > MAX_TEXT:
        raise ValidationError(
            "At most %(limit)d characters (this has %(length)d).",
            code="max_length",
            params={"limit": MAX_TEXT, "length": utf16_length(value)},
        )


def _text(label: str, help_text: str, *, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        validators=[at_most_255],
        # The browser stops typing at 255 characters; the validator is the real rule.
        widget=forms.TextInput(attrs={"maxlength": MAX_TEXT}),
        error_messages={"required": f"Enter a {label.lower()}."},
    )


def _period(label: str, low: int, high: int) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        help_text=f"Applied as the default to every bill added to this batch. {low} to {high}.",
        required=False,
        min_value=low,
        max_value=high,
    )


def _date(label: str, help_text: str) -> forms.DateField:
    """A date picker that also takes a typed ISO date (2026-03-31)."""
    widget = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    return forms.DateField(label=label, help_text=help_text, required=False, widget=widget)


class TokenForm(forms.Form):
    """A form with the hidden submission token (see batches.idempotency)."""

    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", idempotency.new_token())

    def clean_token(self) -> str:
        token = self.cleaned_data.get("token") or ""
        if not idempotency.valid_token(token):
            # A form from before tokens existed, or a tampered one: treat it as new.
            return idempotency.new_token()
        return token

    def renew_token(self) -> None:
        """A fresh token for the next submission of this (bound) form."""
        data = self.data.copy()
        data["token"] = idempotency.new_token()
        self.data = data

    def apply_api_errors(self, field_errors: dict[str, list[str]], message: str) -> None:
        """Show a 400's messages on the fields they name; the rest (or `message`) on top."""
        for api_name, messages in field_errors.items():
            name = API_FIELDS.get(api_name.casefold())
            if name not in self.fields:
                name = None
            for text in messages:
                self.add_error(name, text)
        if not field_errors:
            self.add_error(None, message)


class OpenBatchForm(TokenForm):
    batch_code = _text(
        "Batch code",
        "Required; unique among all batches; at most 255 characters. Team convention: your "
        "EnergyCAP user code and today's date (JSMITH_20261122).",
        required=True,
    )
    note = _text("Note", "A note or comment for the batch; at most 255 characters.")
    account_period_year = _period("Account period year", 1900, 2099)
    account_period_number = _period("Account period number", 1, 12)
    control_code = _text(
        "Control code",
        "Applied as the default to every bill added to this batch; at most 255 characters.",
    )
    invoice_number = _text(
        "Invoice number",
        "Applied as the default to every bill added to this batch; at most 255 characters.",
    )
    due_date = _date("Due date", "Applied as the default to every bill added to this batch.")
    statement_date = _date(
        "Statement date", "Applied as the default to every bill added to this batch."
    )
    next_reading = _date(
        "Next reading",
        "Next reading date; applied as the default to every bill added to this batch.",
    )
    close_existing_batch = forms.BooleanField(
        label="Close my other open batches",
        help_text="If you have other batches open, close them before this one is opened.",
        required=False,
    )
    # The ids of the open batches the person was shown (space-separated): only those may close.
    close_seen = forms.CharField(widget=forms.HiddenInput, required=False)
    close_ack = forms.BooleanField(label="Yes, close them", required=False)  # see show_closing

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.closing: list[tuple[Batch, list[CloseWarning]]] = []

    def show_closing(self, batches: list[Batch]) -> None:
        """Show the open batches "close my other open batches" closes now, each with its warnings,
        and ask to acknowledge them by number. When a submitted form saw other batches, its
        acknowledgement no longer counts: the person is asked again."""
        self.closing = [(batch, close_warnings(batch)) for batch in batches]
        count, warned = len(batches), sum(1 for _, warnings in self.closing if warnings)
        label = f"Yes, close my {count} other open batch{'es' if count != 1 else ''}"
        if warned:
            label += f" ({warned} {'has' if warned == 1 else 'have'} warnings)"
        self["close_ack"].label = label  # the bound field, as it is rendered
        ids = " ".join(str(batch.batch_id) for batch in batches)
        if not self.is_bound:
            self.initial["close_seen"] = ids
            return
        if sorted(self.seen_ids()) == sorted(b.batch_id for b in batches):
            return
        data = self.data.copy()
        data["close_seen"] = ids
        data.pop("close_ack", None)
        self.data = data
        self.errors.pop("close_ack", None)
        if self.data.get("close_existing_batch") and not self.has_error("close_existing_batch"):
            self.add_error("close_existing_batch", CLOSE_EXISTING_CHANGED)

    def seen_ids(self) -> list[int]:
        return [
            int(part) for part in str(self.data.get("close_seen", "")).split() if part.isdigit()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        seen = len(self.seen_ids())
        if data.get("close_existing_batch") and seen and not data.get("close_ack"):
            self.add_error(
                "close_ack",
                f"Tick this box to confirm that {seen} batch{'es' if seen != 1 else ''} will be "
                "closed. Nothing was opened or closed.",
            )
        return data

    def to_create(self) -> BatchCreate:
        data = self.cleaned_data
        return BatchCreate(
            batch_code=data["batch_code"],
            close_existing_batch=bool(data["close_existing_batch"]),
            account_period_number=data["account_period_number"],
            account_period_year=data["account_period_year"],
            control_code=data["control_code"] or None,
            invoice_number=data["invoice_number"] or None,
            note=data["note"] or None,
            due_date=data["due_date"],
            statement_date=data["statement_date"],
            next_reading=data["next_reading"],
        )


class EditBatchForm(TokenForm):
    batch_code = _text(
        "Batch code", "Required; unique among all batches; at most 255 characters.", required=True
    )
    note = _text("Note", "At most 255 characters; leave empty to remove the note.")
    # The code and note as the form showed them: the save is refused when they changed since.
    seen_code = forms.CharField(widget=forms.HiddenInput, required=False, strip=False)
    seen_note = forms.CharField(widget=forms.HiddenInput, required=False, strip=False)

    @classmethod
    def of(cls, batch: Batch, **kwargs: Any) -> EditBatchForm:
        """A fresh form showing the batch as it is."""
        values = {"batch_code": batch.batch_code, "note": batch.note}
        seen = {"seen_code": batch.batch_code, "seen_note": batch.note or ""}
        return cls(initial={**values, **seen}, **kwargs)

    def save_over(self, current: Batch) -> None:
        """After a conflict: the form now saves what the person typed over the batch as it is
        ("Save mine anyway"), with a fresh token."""
        data = self.data.copy()
        data["seen_code"] = current.batch_code
        data["seen_note"] = current.note or ""
        data["token"] = idempotency.new_token()
        self.data = data


class CloseBatchForm(TokenForm):
    """The confirmation; one required acknowledgement per warning about the batch."""

    def __init__(self, *args: Any, warnings: list[CloseWarning], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.warnings = warnings
        for warning in warnings:
            self.fields[f"ack_{warning.name}"] = forms.BooleanField(
                label=warning.acknowledgement,
                required=True,
                error_messages={
                    "required": "Tick this box to confirm you want to close the batch anyway."
                },
            )

    def acknowledgements(self) -> list[forms.BoundField]:
        return [self[f"ack_{warning.name}"] for warning in self.warnings]


class PendingBatchForm(TokenForm):
    """The confirmation of Mark pending, with EnergyCAP's optional comment."""

    note = _text(
        "Comment",
        "Optional: why the batch is on hold. It replaces the batch's note; leave it empty to keep "
        "the note as it is. At most 255 characters.",
    )
