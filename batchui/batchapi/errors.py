"""Typed failures of the Batch API client.

Every error carries `.message`, a sentence fit to show a person (never the API key, never a
traceback, at most a short excerpt of what the API answered), and `.status`, the HTTP status when
there was one. `str(error)` is the message.
"""

from __future__ import annotations

import re

AUTH_MESSAGE = "The API refused this key, or this user lacks permission."
EXCERPT_CHARS = 160

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
_SPACES = re.compile(r"\s+")


def safe_excerpt(text: str, *, secret: str | None = None, limit: int = EXCERPT_CHARS) -> str:
    """A short, single-line, printable excerpt of text, with the secret (an API key) blanked out."""
    if secret:
        text = text.replace(secret, "[redacted]")
    text = _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


class BatchApiError(Exception):
    """Base of every failure the client reports."""

    default_message = "The Batch API call failed."

    def __init__(self, message: str | None = None, *, status: int | None = None) -> None:
        self.message = message or self.default_message
        self.status = status
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, message={self.message!r})"


class ApiUnavailable(BatchApiError):  # noqa: N818 - names from the issue
    """The API could not be reached (connection refused or dropped)."""

    default_message = "The Batch API could not be reached. Try again in a moment."


class ApiTimeout(ApiUnavailable):
    """The API did not answer within the configured timeout."""

    default_message = "The Batch API did not answer in time. Try again in a moment."


def wait_text(seconds: float) -> str:
    """ "1 second", "30 seconds", "2 minutes": a wait said the way a person says it."""
    whole = max(1, round(seconds))
    if whole >= 120:
        minutes = round(whole / 60)
        return f"{minutes} minutes"
    return f"{whole} second{'s' if whole != 1 else ''}"


class ApiServerError(BatchApiError):
    """The API answered 5xx."""

    default_message = "The Batch API had an internal error. Try again in a moment."


class ApiAuthError(BatchApiError):
    """401: a missing or invalid key, or (EnergyCAP answers 401 for this too) missing permission."""

    default_message = AUTH_MESSAGE


class ApiForbidden(BatchApiError):  # noqa: N818 - names from the issue
    """403: the key is valid but the user may not do this."""

    default_message = "This user is not allowed to do this."


class ApiNotFound(BatchApiError):  # noqa: N818 - names from the issue
    """404: no such batch (or resource)."""

    default_message = "The batch was not found."


class ApiValidationError(BatchApiError):
    """400: the API rejected the request; `field_errors` maps API field names to messages."""

    default_message = "The Batch API rejected the request."

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = 400,
        field_errors: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message, status=status)
        self.field_errors: dict[str, list[str]] = field_errors or {}


class ApiRateLimited(BatchApiError):  # noqa: N818 - names from the issue
    """429: too many requests; `retry_after` is the wait in seconds the API asked for, if any."""

    default_message = "The Batch API is busy. Try again in a moment."

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = 429,
        retry_after: float | None = None,
    ) -> None:
        if message is None and retry_after is not None:
            message = f"The Batch API is busy. Try again in {wait_text(retry_after)}."
        super().__init__(message, status=status)
        self.retry_after = retry_after


class ApiBadResponse(BatchApiError):  # noqa: N818 - names from the issue
    """The API answered something the client cannot read (malformed JSON, wrong shape, headers)."""

    default_message = "The Batch API sent a response the dashboard could not read."


class ApiResponseTooLarge(ApiBadResponse):
    """The answer was larger than BATCH_API_MAX_RESPONSE_BYTES: refused unread."""


class ApiOutcomeUnknown(BatchApiError):  # noqa: N818 - names from the issue
    """An open, close, status change or delete ended ambiguously, and checking whether it took
    effect failed too."""

    default_message = (
        "It is not known whether the change took effect. Check the batch list before trying again."
    )
