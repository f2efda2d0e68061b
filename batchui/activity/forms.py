"""The activity log's filter form (a GET form: every filtered view is a URL)."""

from __future__ import annotations

from django import forms

from batchui.activity.models import Action, Outcome


class ActivityFilterForm(forms.Form):
    person = forms.ChoiceField(label="Person", required=False)
    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "Any action"), *Action.choices]
    )
    outcome = forms.ChoiceField(
        label="Outcome", required=False, choices=[("", "Any outcome"), *Outcome.choices]
    )
    batch = forms.IntegerField(label="Batch ID", required=False, min_value=1)

    def __init__(self, *args, people: list[tuple[str, str]], **kwargs) -> None:
        """`people`: (login, name) pairs; the filter shows names and sends logins."""
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "Anyone"), *people]
