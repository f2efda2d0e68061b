"""The bulk-close selection: batch ids from checkboxes (or the confirmation's hidden inputs), and
the confirmation's acknowledgements of the batches' warnings."""

from __future__ import annotations

from django import forms

from batchui.batches.action_forms import TokenForm

MAX_SELECTION = 500


class BatchIdsField(forms.Field):
    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "invalid": "The selection holds something that is not a batch number.",
        "too_many": f"Select at most {MAX_SELECTION} batches at once.",
    }

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        ids: list[int] = []
        for item in value:
            text = str(item).strip()
            if not text.isdigit() or int(text) < 1 or len(text) > 10:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            ids.append(int(text))
        ids = list(dict.fromkeys(ids))
        if len(ids) > MAX_SELECTION:
            raise forms.ValidationError(self.error_messages["too_many"], code="too_many")
        return ids


class AcknowledgementsField(forms.Field):
    """Ticked acknowledgement boxes, each "<batch id>:<warning name>,<warning name>" (the
    warnings the person saw about that batch) -> {batch id: the names}."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": "An acknowledgement could not be read."}

    def to_python(self, value) -> dict[int, frozenset[str]]:
        if not value:
            return {}
        if isinstance(value, str):
            value = [value]
        acknowledged: dict[int, frozenset[str]] = {}
        for item in value:
            batch_id, colon, names = str(item).partition(":")
            if not colon or not batch_id.isdigit() or len(batch_id) > 10:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            acknowledged[int(batch_id)] = frozenset(filter(None, names.split(",")))
        return acknowledged


class CloseSelectionForm(TokenForm):
    batch = BatchIdsField(error_messages={"required": "Select at least one batch to close."})
    ack = AcknowledgementsField(required=False)
    confirm = forms.BooleanField(required=False)
