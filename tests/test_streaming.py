"""core.streaming: a page sent at once with its slow part following."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from batchui.core.streaming import render_streamed


def test_a_page_without_the_slot_is_a_mistake_found_at_once():
    request = RequestFactory().get("/")
    with pytest.raises(ImproperlyConfigured, match="does not show"):
        render_streamed(
            request,
            page="core/_part_failed.html",
            part="core/_part_failed.html",
            slot="later",
            context={},
            later=dict,
        )
