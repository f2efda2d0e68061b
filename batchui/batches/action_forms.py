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

from batchui.batchapi import BatchCreate
from batchui.batches import idempotency
from batchui.batches.action_services import CloseWarning

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
