"""The bulk-close selection: batch ids from checkboxes (or the confirmation's hidden inputs)."""

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


class CloseSelectionForm(TokenForm):
    batch = BatchIdsField(error_messages={"required": "Select at least one batch to close."})
    confirm = forms.BooleanField(required=False)
