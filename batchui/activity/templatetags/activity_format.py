"""An activity entry's changes as people read them ({% load activity_format %}).

The entries store API field names (batchCode, closeExistingBatch...); people read the labels of
the form they filled in (OpenBatchForm, whose labels the edit form shares), and only what changed:
for an edit the fields whose value differs, for an open the settings given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import template

from batchui.activity.models import Action, ActivityEntry
from batchui.batches.action_forms import API_FIELDS, OpenBatchForm

register = template.Library()

NONE = "(none)"


UNKNOWN = "(unknown)"


@dataclass(frozen=True)
class Change:
    label: str
    after: str  # for an open: the value given
    before: str = ""  # for an edit: the value before


def field_label(api_name: str) -> str:
    """The form's label of an API field; other names (closedBatches) spelled out as words."""
    form_field = OpenBatchForm.base_fields.get(API_FIELDS.get(api_name.casefold(), ""))
    if form_field is not None and form_field.label:
        return str(form_field.label)
    return re.sub(r"(?<!^)(?=[A-Z])", " ", api_name).capitalize()


def shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return NONE
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


FORM_ORDER = list(OpenBatchForm.base_fields)


def in_form_order(changes: dict[str, Any]) -> dict[str, Any]:
    """The changes in the order of the form's fields (the database may keep JSON keys in another
    order: PostgreSQL's jsonb does); other names after them, alphabetically."""

    def position(name: str) -> tuple[int, str]:
        form_name = API_FIELDS.get(name.casefold(), "")
        index = FORM_ORDER.index(form_name) if form_name in FORM_ORDER else len(FORM_ORDER)
        return index, name

    return {name: changes[name] for name in sorted(changes, key=position)}


@register.filter
def changes_shown(entry: ActivityEntry) -> list[Change]:
    changes = in_form_order(entry.changes) if isinstance(entry.changes, dict) else {}
    if entry.action == Action.EDIT:
        # The values before are read from the API first; when that failed they are unknown.
        code = changes.get("batchCode")
        known = isinstance(code, dict) and code.get("before") is not None
        return [
            Change(
                field_label(name),
                shown(change.get("after")),
                shown(change.get("before")) if known else UNKNOWN,
            )
            for name, change in changes.items()
            if isinstance(change, dict)
            and not (known and shown(change.get("before")) == shown(change.get("after")))
        ]
    return [
        Change(field_label(name), shown(value))
        for name, value in changes.items()
        if value not in (None, "", False, [])
    ]
