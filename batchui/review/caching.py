"""Where the review and the widget keep their figures: one cache key per kind, time zone (their
days, "opened today" and "closed today", are the person's) and API key (an HMAC, so the key is
not in it). An action on a batch drops the review figures of the key that acted, so
the person who acted sees the change on the review at once (others within REVIEW_CACHE_SECONDS)."""

from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone
from django.utils.crypto import salted_hmac

CACHE_PREFIX = "batchui:review:v2"


def cache_key(*, kind: str, api_key: str) -> str:
    """The cache key of `kind`'s figures as seen with `api_key` in the active time zone."""
    digest = salted_hmac("batchui.review.cache", api_key, algorithm="sha256").hexdigest()
    return f"{CACHE_PREFIX}:{kind}:{timezone.get_current_timezone_name()}:{digest}"


def review_forget(*, api_key: str) -> None:
    """Drop the cached review figures of this key (after a batch was opened, changed or closed).
    The widget's last figures stay: they are what it shows while the API is down."""
    cache.delete(cache_key(kind="review", api_key=api_key))
