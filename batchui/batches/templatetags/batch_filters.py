"""The batch list's filter form option lists, built once at import ({% load batch_filters %}).

    {% field_options row.field %}                  the advanced row's fields (one selected)
    {% operator_options row.operators row.operator %}  its operators
    {% preset_options dates.preset %}              a date group's periods
    {% page_size_options paging.size %}            the page sizes

These lists are the same on every page (only which option is selected changes), yet through
template loops they were a good part of the page's rendering: each option is escaped and joined
here once, and a page only picks the selected variant. The HTML is the same, byte for byte, as
the loops produced.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from batchui.batchapi import FIELDS
from batchui.batches.forms import (
    ALL_OPERATORS,
    FIELD_LABELS,
    PAGE_SIZES,
    PRESET_CHOICES,
    VALUE_HINTS,
)

register = template.Library()


class OptionList:
    """The <option>s of fixed choices, each escaped once, plain and selected."""

    def __init__(self, options: Iterable[tuple[object, str, SafeString | str]]) -> None:
        """`options`: (value, label, extra attributes: "" or HTML from format_html), in order."""
        self._options = [
            (
                value,
                format_html('<option value="{}"{}>{}</option>', value, extra, label),
                format_html('<option value="{}"{} selected>{}</option>', value, extra, label),
            )
            for value, label, extra in options
        ]

    def html(self, selected: object) -> SafeString:
        """Every option; the one whose value equals `selected` (if any) is selected."""
        options = self._options
        html = "".join(chosen if value == selected else plain for value, plain, chosen in options)
        return mark_safe(html)  # noqa: S308 - each part built with format_html


FIELD_OPTIONS = OptionList(
    (
        name,
        FIELD_LABELS.get(name, name),
        format_html(
            ' data-operators="{}" data-hint="{}"', "|".join(spec.operators), VALUE_HINTS[spec.type]
        ),
    )
    for name, spec in FIELDS.items()
)
# Operator lists by the operators a field allows (a handful of distinct tuples).
_OPERATOR_OPTIONS: dict[tuple[str, ...], OptionList] = {
    operators: OptionList((op, op, "") for op in operators)
    for operators in {ALL_OPERATORS, *(spec.operators for spec in FIELDS.values())}
}
PRESET_OPTIONS = OptionList((value, label, "") for value, label in PRESET_CHOICES)
PAGE_SIZE_OPTIONS = OptionList((size, str(size), "") for size in PAGE_SIZES)


@register.simple_tag
def field_options(selected: str) -> SafeString:
    return FIELD_OPTIONS.html(selected)


@register.simple_tag
def operator_options(operators: tuple[str, ...], selected: str) -> SafeString:
    options = _OPERATOR_OPTIONS.get(operators)
    if options is None:  # not one of FIELDS' lists: built for this page only
        options = OptionList((op, op, "") for op in operators)
    return options.html(selected)


@register.simple_tag
def preset_options(selected: str) -> SafeString:
    return PRESET_OPTIONS.html(selected)


@register.simple_tag
def page_size_options(selected: int) -> SafeString:
    return PAGE_SIZE_OPTIONS.html(selected)
