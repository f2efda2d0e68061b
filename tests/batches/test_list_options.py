"""The list page's prebuilt option lists and pager links equal the template loops they replace."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.template import Context, RequestContext, Template
from django.test import RequestFactory

from batchui.batchapi import FIELDS
from batchui.batches.forms import (
    ALL_OPERATORS,
    FIELD_LABELS,
    PAGE_SIZES,
    PRESET_CHOICES,
    VALUE_HINTS,
)
from batchui.batches.services import BatchSearchResult
from batchui.batches.templatetags.batch_filters import (
    field_options,
    operator_options,
    page_size_options,
    preset_options,
)
from batchui.batches.views import _pager

FIELD_LOOP = Template(
    '{% for option in field_options %}<option value="{{ option.name }}" '
    'data-operators="{{ option.operators }}" data-hint="{{ option.hint }}"'
    "{% if option.name == selected %} selected{% endif %}>{{ option.label }}</option>{% endfor %}"
)
CHOICE_LOOP = Template(
    '{% for value, label in choices %}<option value="{{ value }}"'
    "{% if value == selected %} selected{% endif %}>{{ label }}</option>{% endfor %}"
)
FIELD_DICTS = [
    {
        "name": name,
        "label": FIELD_LABELS.get(name, name),
        "operators": "|".join(spec.operators),
        "hint": VALUE_HINTS[spec.type],
    }
    for name, spec in FIELDS.items()
]


@pytest.mark.parametrize("selected", [*FIELDS, "", "nope", '"><b>'])
def test_field_options(selected):
    expected = FIELD_LOOP.render(Context({"field_options": FIELD_DICTS, "selected": selected}))
    assert field_options(selected) == expected


@pytest.mark.parametrize(
    "operators", [ALL_OPERATORS, *{spec.operators for spec in FIELDS.values()}]
)
@pytest.mark.parametrize("selected", ["", "equals", "between", "EQUALS", "<x>"])
def test_operator_options(operators, selected):
    choices = [(op, op) for op in operators]
    expected = CHOICE_LOOP.render(Context({"choices": choices, "selected": selected}))
    assert operator_options(operators, selected) == expected


def test_operator_options_of_an_unknown_list():
    assert operator_options(("a<", "b"), "b") == (
        '<option value="a&lt;">a&lt;</option><option value="b" selected>b</option>'
    )


@pytest.mark.parametrize("selected", [*(value for value, _ in PRESET_CHOICES), "bogus"])
def test_preset_options(selected):
    expected = CHOICE_LOOP.render(Context({"choices": PRESET_CHOICES, "selected": selected}))
    assert preset_options(selected) == expected


@pytest.mark.parametrize("selected", [*PAGE_SIZES, 7])
def test_page_size_options(selected):
    choices = [(size, size) for size in PAGE_SIZES]
    expected = CHOICE_LOOP.render(Context({"choices": choices, "selected": selected}))
    assert page_size_options(selected) == expected


QUERYSTRING = Template("{% querystring page=page add=None remove=None %}")


@pytest.mark.parametrize(
    "query",
    [
        "",
        "page=4",
        "status=open&page=2&code=a%26b",
        "add=1&f=x&remove=0&page=3&v=%C3%A9",
        "size=25",
    ],
)
def test_pager_links_are_what_querystring_gave(query):
    request = RequestFactory().get(f"/batches/?{query}")
    result = BatchSearchResult(batches=(), page=3, page_size=25, total=500, total_pages=20)
    pager = _pager("/batches/", QueryDict(query), result)

    def expected(page: int) -> str:
        context = RequestContext(request, {"page": page}, autoescape=False)
        return "/batches/" + QUERYSTRING.render(context)

    assert (pager.first, pager.previous, pager.next, pager.last) == (
        expected(1),
        expected(2),
        expected(4),
        expected(20),
    )
    assert pager.links == [
        (number, expected(number) if number else "") for number in (1, 2, 3, 4, 5, None, 20)
    ]
