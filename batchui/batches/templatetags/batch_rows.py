"""The batch list's rows, built in Python ({% load batch_rows %}).

    {% batch_rows result.batches %}   every row of a page (the list)
    {% batch_row batch %}             one row (batches/_row.html: the row swapped in after an edit)
    {% batch_row_buttons batch %}     one row's action buttons (batches/actions/_row_buttons.html)

A page shows 50-250 rows; through templates each row cost three URL reversals, two permission
tags and two includes. Here what is the same for every row of a page (the URL prefixes, who the
person, the time zone) is worked out once per page, and each row is a few string joins.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from batchui.batchapi import Batch
from batchui.batches.action_services import may_close, may_edit
from batchui.batches.templatetags.batch_format import batch_cells, batch_details

register = template.Library()

# Reversed in place of a batch id, then cut out: the URL around any id (no id can be this long).
_ID_SLOT = 9_876_543_210_123_456_789


def _around_id(name: str) -> tuple[str, str]:
    """The escaped parts of a batch URL before and after its id."""
    before, after = reverse(name, args=[_ID_SLOT]).split(str(_ID_SLOT))
    return escape(before), escape(after)


class _PagePerson:
    """The signed-in person as the action rules (action_services) see them while one page is
    built: each permission is asked once."""

    is_authenticated = True

    def __init__(self, user: Any) -> None:
        self._user = user
        self._perms: dict[str, bool] = {}

    def has_perm(self, perm: str, obj: object = None) -> bool:
        if obj is not None:
            return self._user.has_perm(perm, obj)
        known = self._perms.get(perm)
        if known is None:
            known = self._perms[perm] = self._user.has_perm(perm)
        return known

    def __getattr__(self, name: str) -> Any:
        return getattr(self._user, name)


class RowRenderer:
    """What every row of one page shares, computed once: the person and the URL shapes."""

    def __init__(self, user: Any) -> None:
        authenticated = user is not None and user.is_authenticated
        self.user = _PagePerson(user) if authenticated else None
        self.edit = _around_id("batches:edit")
        self.close = _around_id("batches:close")
        self.history = escape(reverse("activity:list")) + "?batch="
        self.zone = timezone.get_current_timezone()

    def buttons(self, batch: Batch) -> str:
        """The row's last cell's content: Edit, Close (each when allowed) and History."""
        user = self.user
        row_id = batch.batch_id
        code = escape(batch.batch_code)
        parts = ['<div class="row-actions">']
        if user is not None and may_edit(user=user, batch=batch):
            url = f"{self.edit[0]}{row_id}{self.edit[1]}"
            parts.append(
                f'<form method="get" action="{url}" class="inline-form" hx-get="{url}" '
                f'hx-target="#batch-{row_id}" hx-swap="outerHTML" hx-push-url="false" '
                'hx-disabled-elt="find button"><button type="submit" class="secondary" '
                f'data-edit-button aria-label="Edit batch {code}">Edit</button></form>'
            )
        if user is not None and may_close(user=user, batch=batch):
            url = f"{self.close[0]}{row_id}{self.close[1]}"
            parts.append(
                f'<form method="get" action="{url}" class="inline-form" hx-get="{url}" '
                'hx-target="#dialog" hx-swap="innerHTML" hx-push-url="false" '
                'hx-disabled-elt="find button"><button type="submit" class="secondary" '
                f'data-close-button aria-label="Close batch {code}">Close</button></form>'
            )
        parts.append(
            f'<a href="{self.history}{row_id}" aria-label="History of batch {code}">History</a>'
            "</div>"
        )
        return "".join(parts)

    def row(self, batch: Batch) -> str:
        """The batch's <tbody>: the main row (cells and actions) and its expandable details."""
        row_id = batch.batch_id
        return (
            f'<tbody id="batch-{row_id}" class="batch">\n'
            f'  <tr class="batch-main">{batch_cells(batch, self.zone)}<td class="actions">'
            f"{self.buttons(batch)}</td></tr>\n"
            f'  <tr class="batch-more" id="batch-{row_id}-more"><td colspan="13">'
            f"{batch_details(batch)}</td></tr>\n"
            "</tbody>"
        )


def _user(context: template.Context) -> Any:
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


@register.simple_tag(takes_context=True)
def batch_rows(context: template.Context, batches: Iterable[Batch]) -> SafeString:
    renderer = RowRenderer(_user(context))
    return mark_safe("".join(f"{renderer.row(batch)}\n" for batch in batches))  # noqa: S308


@register.simple_tag(takes_context=True)
def batch_row(context: template.Context, batch: Batch) -> SafeString:
    return mark_safe(RowRenderer(_user(context)).row(batch))  # noqa: S308 - escaped in row()


@register.simple_tag(takes_context=True)
def batch_row_buttons(context: template.Context, batch: Batch) -> SafeString:
    return mark_safe(RowRenderer(_user(context)).buttons(batch))  # noqa: S308 - escaped
