"""A page whose slow part is sent last: all the rest at once, that part as soon as it is ready.

The batch list waits on the Batch API for its results and for nothing else. Rendered whole, not a
byte reaches the browser before the API has answered; streamed, the browser has (and shows) the
page around the results while the API works, and the results follow.

    return render_streamed(request, page="batches/list.html", part="batches/list.html#results",
                           slot="results_later", context=context, later=search)

`page` shows `{{ results_later }}` where the part goes; `later()` (the slow work: the API call)
runs while the response is sent, in the request's thread, and gives the part's extra context.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterator
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, StreamingHttpResponse
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

logger = logging.getLogger(__name__)

PART_FAILED = "core/_part_failed.html"


def render_streamed(
    request: HttpRequest,
    *,
    page: str,
    part: str,
    slot: str,
    context: dict[str, Any],
    later: Callable[[], dict[str, Any]],
) -> StreamingHttpResponse:
    """`page`, rendered now with a placeholder in `slot`; `part` rendered in its place, with
    `later()`'s context, while the response is sent.

    The page is rendered before the view returns, so what it reads from the session (messages,
    the CSRF token) is settled before the middleware saves the session. The part must not: it
    is rendered after. Should the part fail, its place says so and the page still ends whole
    (the status line has gone out by then); the failure is logged.
    """
    # Random per response: nothing a page shows (escaped, besides) can end it early.
    placeholder = f"<!--{slot}-{secrets.token_hex(16)}-->"
    frame = render_to_string(page, {**context, slot: mark_safe(placeholder)}, request)  # noqa: S308
    before, found, after = frame.partition(placeholder)
    if not found:
        raise ImproperlyConfigured(f"{page} does not show {{{{ {slot} }}}}")

    def body() -> Iterator[str]:
        yield before
        try:
            html = render_to_string(part, {**context, **later()}, request)
        except Exception:
            logger.exception("The streamed part %s of %s failed", part, request.path)
            html = render_to_string(PART_FAILED, {}, request)
        yield html + after  # one write: what follows the part is short

    response = StreamingHttpResponse(body(), content_type="text/html; charset=utf-8")
    # nginx would otherwise hold the first part back until its buffers fill.
    response["X-Accel-Buffering"] = "no"
    return response
