"""BatchApiClient: the dashboard's only way to the Batch API (EnergyCAP or the embedded simulator).

Every call sends `ECI-ApiKey`, `Content-Type: application/json` and `X-Request-ID`, has a connect
and a read timeout, and is logged on one line (never with the key). Calls that are safe to repeat
(GET, and the edit PUT, which sets the same values again) are retried on connection failures,
timeouts, 429 and 502/503/504 within a total time budget. Open (POST), close, a status change and
delete are never repeated blindly: when their answer is lost, the client looks up whether they took
effect before it answers (see `open_batch`, `close_batch`, `set_batch_status`, `delete_batch`).
"""

from __future__ import annotations

import copy
import json
import logging
import re
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.utils import parsedate_to_datetime
from functools import lru_cache
from itertools import islice
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter

from batchui.batchapi.dates import api_time_zone
from batchui.batchapi.errors import (
    ApiAuthError,
    ApiBadResponse,
    ApiForbidden,
    ApiNotFound,
    ApiOutcomeUnknown,
    ApiRateLimited,
    ApiResponseTooLarge,
    ApiServerError,
    ApiTimeout,
    ApiUnavailable,
    ApiValidationError,
    BatchApiError,
    safe_excerpt,
    wait_text,
)
from batchui.batchapi.filters import Filter
from batchui.batchapi.retry import RETRYABLE_STATUSES, RetryPolicy, RetryState, parse_retry_after
from batchui.batchapi.transport import SIMULATOR_HOST, SimulatorAdapter
from batchui.batchapi.values import (
    Batch,
    BatchCreate,
    BatchEdit,
    BatchPage,
    BatchStatus,
    parse_batch,
)

logger = logging.getLogger("batchui.batchapi")

current_request_id: ContextVar[str | None] = ContextVar("batchapi_request_id", default=None)
"""Set by the dashboard per incoming request; sent as X-Request-ID (else a fresh id per call)."""

_deadline: ContextVar[float | None] = ContextVar("batchapi_deadline", default=None)


@contextmanager
def deadline_in(seconds: float) -> Iterator[None]:
    """Every call made inside ends within `seconds` from now, retries and reading included (or by
    an earlier deadline already set): a person's request, a health check, a bulk action."""
    limit = time.monotonic() + seconds
    earlier = _deadline.get()
    token = _deadline.set(limit if earlier is None else min(earlier, limit))
    try:
        yield
    finally:
        _deadline.reset(token)


def time_left() -> float | None:
    """Seconds left before the deadline set by `deadline_in`; None when none is set."""
    limit = _deadline.get()
    return None if limit is None else limit - time.monotonic()


API_PREFIX = "/api/v3"
API_PREFIX_V202206 = "/api/v202206"  # the status change exists only in this version
DEFAULT_PAGE_SIZE = 250
MAX_PAGE_SIZE = 1000
ITER_PAGE_SIZE = 1000
# An ambiguous open is only "recovered" if the batch found was opened after the call began, on the
# API's clock (read from its Date header). Both that header and the API's date-times are written to
# the second: this much slack keeps a batch opened in the call's first second from looking older.
CLOCK_SLACK = timedelta(seconds=2)
# Gateway errors: a proxy says the API's own answer did not reach it, so the call may have acted.
# Any other 5xx is the API's answer: the call failed.
LOST_ANSWER_STATUSES = frozenset({502, 504})

_HEADER_SAFE = re.compile(r"[!-~]+")  # printable ASCII without spaces: what a key or an id can be
_API_PATH = re.compile(r"(^|/)api(/|$)", re.IGNORECASE)  # .../api or .../api/v3/batch...

FilterArg = Filter | str | None
T = TypeVar("T")


class _NoAnswerError(Exception):
    """A call that got no usable answer; `maybe_processed` when the API may have acted on it."""

    def __init__(self, error: BatchApiError, *, maybe_processed: bool) -> None:
        super().__init__(error.message)
        self.error = error
        self.maybe_processed = maybe_processed


def _never_sent(exc: BaseException) -> bool:
    """True when the request provably never reached the server (no connection was made)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    seen: set[int] = set()
    stack: list[Any] = [exc]
    while stack:
        item = stack.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(
            item, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ConnectTimeoutError
        ):
            return True
        stack.extend(item.args)
        stack.extend((getattr(item, "reason", None), item.__cause__, item.__context__))
    return False


def _failure(exc: requests.RequestException) -> _NoAnswerError:
    if isinstance(exc, requests.ConnectTimeout):
        return _NoAnswerError(
            ApiTimeout("The Batch API could not be reached in time. Try again in a moment."),
            maybe_processed=False,
        )
    if isinstance(exc, requests.Timeout):
        return _NoAnswerError(ApiTimeout(), maybe_processed=True)
    if isinstance(exc, requests.ConnectionError | requests.exceptions.ChunkedEncodingError):
        return _NoAnswerError(ApiUnavailable(), maybe_processed=not _never_sent(exc))
    # Invalid URL or header and the like: a configuration problem, nothing was sent.
    return _NoAnswerError(
        ApiUnavailable("The Batch API could not be called (check BATCH_API_URL)."),
        maybe_processed=False,
    )


def _normalise_base_url(url: str) -> str:
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(
            "The Batch API URL must be the http(s) address of the API host, "
            "e.g. https://app.energycap.com"
        )
    if _API_PATH.search(parts.path):
        raise ValueError(
            "The Batch API URL must be the host only (e.g. https://app.energycap.com): "
            "the client adds /api/v3/... itself."
        )
    return url


def _filter_text(value: FilterArg) -> str:
    return "" if value is None else str(value).strip()


def _positive_int(name: str, value: Any, *, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a whole number of at least 1")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum}")
    return value


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not valid JSON")


class BatchApiClient:
    """A client for one API host (or the embedded simulator), safe to share between threads."""

    def __init__(
        self,
        base_url: str | None = None,
        *,
        api_key: str | None = None,
        timeout: float = 10.0,
        connect_timeout: float = 3.05,
        retry: RetryPolicy | None = None,
        deadline: float = 10.0,
        max_response_bytes: int = 8 * 1024 * 1024,
        pool_size: int = 32,
    ) -> None:
        self.simulated = not base_url  # the calls go to the embedded simulator in this process
        self.base_url = SIMULATOR_HOST if self.simulated else _normalise_base_url(base_url or "")
        self._api_key = api_key or None
        self.timeout = float(timeout)
        self.connect_timeout = float(connect_timeout)
        self.retry = retry or RetryPolicy()
        self.deadline = float(deadline)
        self.max_response_bytes = int(max_response_bytes)
        self.session = requests.Session()
        http = HTTPAdapter(pool_connections=4, pool_maxsize=pool_size, max_retries=0)
        self.session.mount("https://", http)
        self.session.mount("http://", http)
        if self.simulated:
            self.session.mount(SIMULATOR_HOST + "/", SimulatorAdapter())

    def __repr__(self) -> str:
        key = "set" if self._api_key else "unset"
        return f"<BatchApiClient {self.base_url} timeout={self.timeout} key={key}>"

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> BatchApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- operations ---------------------------------------------------------------------------

    def list_batches(
        self,
        *,
        filter: FilterArg = None,
        page_number: int = 1,
        page_size: int = DEFAULT_PAGE_SIZE,
        api_key: str | None = None,
    ) -> BatchPage:
        """One page of batches, newest first. `filter` is a Filter (or, for experts, its text)."""
        _positive_int("page_number", page_number)
        _positive_int("page_size", page_size, maximum=MAX_PAGE_SIZE)
        key = self._key(api_key)
        response = self._fetch_page(
            _filter_text(filter), page_number, page_size, key, self._request_id()
        )
        return self._read_page(response, key=key)

    def iter_batches(
        self,
        *,
        filter: FilterArg = None,
        api_key: str | None = None,
        max_workers: int = 4,
    ) -> Iterator[Batch]:
        """Every matching batch, in the API's order, fetched 1000 a page.

        Page 1 first (it tells how many pages there are), then exactly the pages that remain,
        concurrently on at most `max_workers` threads, never more than `max_workers` pages ahead
        of the consumer. A batch seen on an earlier page is not yielded again (pages shift when
        batches are opened while paging). Closing the iterator early cancels the pages not yet
        fetched.
        """
        _positive_int("max_workers", max_workers)
        return self._iter(_filter_text(filter), self._key(api_key), self._request_id(), max_workers)

    def get_batch(self, batch_id: int, *, api_key: str | None = None) -> Batch:
        batch_id = _positive_int("batch_id", batch_id)
        return self._get(batch_id, self._key(api_key), self._request_id())

    def _get(self, batch_id: int, key: str, request_id: str) -> Batch:
        path = f"{API_PREFIX}/batch/{batch_id}"
        response = self._call("GET", path, key=key, request_id=request_id, retry=True)
        return self._batch(response, key=key, not_found=_not_found(batch_id))

    def open_batch(
        self, create: BatchCreate, *, api_key: str | None = None, created_by: str = ""
    ) -> Batch:
        """Open a batch. Never sent twice.

        When the answer is lost (timeout, dropped connection, a gateway's 502/504, an unreadable
        200), the client looks the code up (codes are unique) and returns the batch found
        (`recovered=True`) only if this call could have made it: created by `created_by` (the
        EnergyCAP user code the key acts as) after the call began, on the API's clock. A batch
        that proves otherwise means the batch was NOT opened; when it cannot be told (no
        `created_by`, no clock, the lookup failing), ApiOutcomeUnknown. Any other 5xx is the
        API's answer: the call failed.
        """
        key, request_id = self._key(api_key), self._request_id()
        started = datetime.now(UTC)
        return self._once(
            "POST",
            f"{API_PREFIX}/batch",
            key,
            request_id,
            body=create.to_json(),
            read=lambda response: self._batch(
                response, key=key, not_found="The batch API URL was not found."
            ),
            not_done="The batch was NOT opened",
            recover=lambda cause: self._recover_open(
                create, cause, key, request_id, started, created_by
            ),
        )

    def edit_batch(
        self, batch_id: int, *, batch_code: str, note: str | None, api_key: str | None = None
    ) -> Batch:
        """Change a batch's code and note (`note=None` clears it). Safe to repeat, so retried."""
        batch_id = _positive_int("batch_id", batch_id)
        key = self._key(api_key)
        response = self._call(
            "PUT",
            f"{API_PREFIX}/batch/{batch_id}",
            key=key,
            request_id=self._request_id(),
            body=BatchEdit(batch_code=batch_code, note=note).to_json(),
            retry=True,
        )
        return self._batch(response, key=key, not_found=_not_found(batch_id))

    def close_batch(self, batch_id: int, *, api_key: str | None = None) -> Batch:
        """Close a batch. Never sent twice: when the answer is lost the client reads the batch
        back; closed means it worked (`recovered=True`)."""
        batch_id = _positive_int("batch_id", batch_id)
        key, request_id = self._key(api_key), self._request_id()
        return self._once(
            "PUT",
            f"{API_PREFIX}/batch/close/{batch_id}",
            key,
            request_id,
            read=lambda response: self._batch(response, key=key, not_found=_not_found(batch_id)),
            not_done="The batch was NOT closed",
            recover=lambda cause: self._recover_status(
                batch_id, BatchStatus.CLOSED, cause, key, request_id
            ),
        )

    def set_batch_status(
        self,
        batch_id: int,
        status: BatchStatus,
        *,
        note: str | None = None,
        api_key: str | None = None,
    ) -> Batch:
        """Set a batch Open (from Pending), Pending (from Open) or Closed, and return it as read
        back after the API's 204. `note` is sent only when given ("" removes the note). Never
        sent twice: when the answer is lost the client reads the batch back; the target status
        means it worked (`recovered=True`), another status that it was NOT changed.

        When the change succeeded but reading the batch back fails, the read's error says that
        the status was set (the outcome is known; only the batch's new state is not).
        """
        batch_id = _positive_int("batch_id", batch_id)
        status = BatchStatus.parse(str(status))
        if note is not None and not isinstance(note, str):
            raise TypeError("note must be a str or None")
        key, request_id = self._key(api_key), self._request_id()
        body: dict[str, Any] = {"batchStatus": status.value}
        if note is not None:
            body["note"] = note
        recovered = self._once(
            "PUT",
            f"{API_PREFIX_V202206}/batch/{batch_id}/status",
            key,
            request_id,
            body=body,
            read=lambda response: self._no_content(response, key=key, batch_id=batch_id),
            not_done=f"Batch {batch_id} was NOT set to {status}",
            recover=lambda cause: self._recover_status(batch_id, status, cause, key, request_id),
        )
        if recovered is not None:
            return recovered
        try:
            return self._get(batch_id, key, request_id)
        except BatchApiError as error:
            raise _restate(
                error, f"Batch {batch_id} was set to {status}, but reading it back failed"
            ) from None

    def delete_batch(self, batch_id: int, *, api_key: str | None = None) -> None:
        """Delete a batch and all its bills (it cannot be undone). Never sent twice: when the
        answer is lost the client reads the batch back; gone means it worked, still there that
        it was NOT deleted."""
        batch_id = _positive_int("batch_id", batch_id)
        key, request_id = self._key(api_key), self._request_id()
        self._once(
            "DELETE",
            f"{API_PREFIX}/batch/{batch_id}",
            key,
            request_id,
            read=lambda response: self._no_content(response, key=key, batch_id=batch_id),
            not_done=f"Batch {batch_id} was NOT deleted",
            recover=lambda cause: self._recover_delete(batch_id, cause, key, request_id),
        )

    # --- recovery of ambiguous open / close / status change / delete --------------------------

    def _once(
        self,
        method: str,
        path: str,
        key: str,
        request_id: str,
        *,
        body: dict[str, Any] | None = None,
        read: Callable[[requests.Response], T],
        not_done: str,
        recover: Callable[[BatchApiError], T],
    ) -> T:
        """A call never repeated: `read(response)` turns its answer into the result. When the
        answer is lost (no answer that proves it was not processed, a gateway's 502/504, a
        success the client cannot read), `recover(cause)` tells what happened."""
        try:
            response = self._attempts(
                method, path, key=key, request_id=request_id, body=body, retry=False
            )
        except _NoAnswerError as failed:
            if not failed.maybe_processed:
                raise _restate(failed.error, not_done) from None
            return recover(failed.error)
        if response.status_code in LOST_ANSWER_STATUSES:
            return recover(self._error(response, key=key))
        try:
            return read(response)
        except ApiBadResponse as error:
            if not 200 <= response.status_code < 300:
                raise
            return recover(error)

    def _recover_open(
        self,
        create: BatchCreate,
        cause: BatchApiError,
        key: str,
        request_id: str,
        started: datetime,
        created_by: str,
    ) -> Batch:
        code = create.batch_code
        logger.warning(
            "open of a batch ended ambiguously (%s); looking it up (request %s)",
            type(cause).__name__,
            request_id,
        )
        unknown = (
            f"It is not known whether batch {code!r} was opened: the API's answer was lost and "
            "{why}. Check the batch list before trying again."
        )
        try:
            response = self._fetch_page(
                str(Filter.where("batchCode", "equals", code)), 1, 10, key, request_id
            )
            page = self._read_page(response, key=key)
        except BatchApiError:
            raise ApiOutcomeUnknown(unknown.format(why="looking it up failed too")) from None
        found = next((b for b in page.items if b.batch_code.casefold() == code.casefold()), None)
        if found is None:
            raise _restate(cause, f"The batch {code!r} was NOT opened") from None
        creator = found.created_by
        creator_code = (creator.user_code or "") if creator else ""
        if created_by and creator_code and creator_code.casefold() != created_by.casefold():
            who = (creator.full_name or creator_code) if creator else creator_code
            raise _restate(
                cause,
                f"The batch {code!r} was NOT opened: {who} already has a batch with this code",
            ) from None
        # Both sides are instants: the Date header is GMT, and startDate was read in
        # BATCH_API_TIME_ZONE when the host sent it without an offset.
        began = _began_on_api_clock(started, response)
        opened = found.start_date
        if began is not None and opened is not None and opened < began - CLOCK_SLACK:
            local = opened.astimezone(api_time_zone())
            raise _restate(
                cause,
                f"The batch {code!r} was NOT opened: a batch with this code already exists "
                f"(opened {local:%Y-%m-%d %H:%M} {local.tzname()})",
            ) from None
        if not (created_by and creator_code) or began is None or opened is None:
            raise ApiOutcomeUnknown(
                unknown.format(
                    why="a batch with this code exists, but whether this attempt opened it "
                    "cannot be told"
                )
            )
        logger.warning(
            "open recovered: batch %s exists after an ambiguous answer (request %s)",
            found.batch_id,
            request_id,
        )
        return replace(found, recovered=True)

    def _recover_status(
        self, batch_id: int, status: BatchStatus, cause: BatchApiError, key: str, request_id: str
    ) -> Batch:
        """After a lost answer to a close or a status change: the batch read back, `recovered`
        when it has `status`; else the failure restated (NOT done), or ApiOutcomeUnknown."""
        done = "closed" if status is BatchStatus.CLOSED else f"set to {status}"
        logger.warning(
            "change of batch %s to %s ended ambiguously (%s); reading it back (request %s)",
            batch_id,
            status,
            type(cause).__name__,
            request_id,
        )
        try:
            batch = self._get(batch_id, key, request_id)
        except ApiNotFound:
            raise
        except BatchApiError:
            raise ApiOutcomeUnknown(
                f"It is not known whether batch {batch_id} was {done}: the API's answer was lost "
                "and reading the batch back failed too. Check the batch before trying again."
            ) from None
        if batch.batch_status is status:
            logger.warning(
                "status change recovered: batch %s is %s (request %s)", batch_id, status, request_id
            )
            return replace(batch, recovered=True)
        raise _restate(
            cause, f"Batch {batch_id} was NOT {done} (it is {batch.batch_status})"
        ) from None

    def _recover_delete(
        self, batch_id: int, cause: BatchApiError, key: str, request_id: str
    ) -> None:
        logger.warning(
            "delete of batch %s ended ambiguously (%s); reading it back (request %s)",
            batch_id,
            type(cause).__name__,
            request_id,
        )
        try:
            self._get(batch_id, key, request_id)
        except ApiNotFound:
            logger.warning("delete recovered: batch %s is gone (request %s)", batch_id, request_id)
            return
        except BatchApiError:
            raise ApiOutcomeUnknown(
                f"It is not known whether batch {batch_id} was deleted: the API's answer was lost "
                "and reading the batch back failed too. Check the batch before trying again."
            ) from None
        raise _restate(cause, f"Batch {batch_id} was NOT deleted (it is still there)") from None

    # --- paging ------------------------------------------------------------------------------

    def _fetch_page(
        self, filter_text: str, page_number: int, page_size: int, key: str, request_id: str
    ) -> requests.Response:
        """The answer to one list call (read in full), not yet decoded."""
        params: dict[str, Any] = {"pageNumber": page_number, "pageSize": page_size}
        if filter_text:
            params["filter"] = filter_text
        return self._call(
            "GET", f"{API_PREFIX}/batch", key=key, request_id=request_id, params=params, retry=True
        )

    def _read_page(self, response: requests.Response, *, key: str) -> BatchPage:
        if response.status_code != 200:
            raise self._error(response, key=key, not_found="The batch list was not found.")
        data = self._json(response, key=key)
        if not isinstance(data, list):
            raise ApiBadResponse("The Batch API sent something other than a list of batches.")
        return BatchPage(
            items=tuple(parse_batch(item) for item in data),
            page_number=_paging_header(response, "PageNumber"),
            page_size=_paging_header(response, "PageSize"),
            total_records=_paging_header(response, "TotalNumberOfRecords"),
            total_pages=_paging_header(response, "TotalPages"),
        )

    def _iter(
        self, filter_text: str, key: str, request_id: str, max_workers: int
    ) -> Iterator[Batch]:
        def fetch(number: int) -> BatchPage:
            response = self._fetch_page(filter_text, number, ITER_PAGE_SIZE, key, request_id)
            return self._read_page(response, key=key)

        seen: set[int] = set()

        def fresh(page: BatchPage) -> Iterator[Batch]:
            for batch in page.items:
                if batch.batch_id not in seen:
                    seen.add(batch.batch_id)
                    yield batch

        first = fetch(1)
        if first.total_pages <= 1:
            yield from fresh(first)
            return
        # Pages asked for and not yet yielded never exceed `max_workers`: that bounds the memory.
        rest = iter(range(2, first.total_pages + 1))
        pool = ThreadPoolExecutor(
            max_workers=min(max_workers, first.total_pages - 1), thread_name_prefix="batchapi-page"
        )
        ahead = deque(pool.submit(fetch, number) for number in islice(rest, max_workers))
        try:
            yield from fresh(first)
            while ahead:
                page = ahead.popleft().result()
                ahead.extend(pool.submit(fetch, number) for number in islice(rest, 1))
                yield from fresh(page)
        finally:
            for future in ahead:
                future.cancel()
            pool.shutdown(wait=True, cancel_futures=True)

    # --- one call ----------------------------------------------------------------------------

    def _key(self, api_key: str | None) -> str:
        key = api_key if api_key is not None else self._api_key
        if not key:
            raise ApiAuthError("No API key is set for this user, so the Batch API cannot be used.")
        if not _HEADER_SAFE.fullmatch(key):
            raise ApiAuthError("This API key contains characters an API key cannot have.")
        return key

    @staticmethod
    def _request_id() -> str:
        given = current_request_id.get()
        if given and len(given) <= 200 and _HEADER_SAFE.fullmatch(given):
            return given
        return uuid.uuid4().hex

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """`_attempts`, with a call that got no answer raised as its public error."""
        try:
            return self._attempts(method, path, **kwargs)
        except _NoAnswerError as failed:
            raise failed.error from failed.__cause__

    def _attempts(
        self,
        method: str,
        path: str,
        *,
        key: str,
        request_id: str,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        retry: bool,
    ) -> requests.Response:
        """Send one request (retried when `retry` and the failure is transient).

        Returns the response of the last attempt, whatever its status; raises _NoAnswerError when
        there was no response.
        """
        headers = {
            "ECI-ApiKey": key,
            "Content-Type": "application/json",
            "Accept": "application/json",
            "X-Request-ID": request_id,
        }
        data = None if body is None else json.dumps(body).encode()
        left = time_left()
        until = time.monotonic() + (self.deadline if left is None else min(self.deadline, left))
        state = self.retry.start()
        while True:
            remaining = until - time.monotonic()
            if remaining <= 0:
                if state.attempt == 1:
                    raise _NoAnswerError(_NOT_SENT, maybe_processed=False)
                raise _NoAnswerError(self._past_deadline(), maybe_processed=True)
            read_timeout = min(self.timeout, remaining)
            if state.attempt > 1:
                read_timeout = min(
                    read_timeout, max(state.remaining(), self.retry.min_attempt_time)
                )
            started = time.monotonic()
            try:
                response = self.session.request(
                    method,
                    self.base_url + path,
                    params=params,
                    data=data,
                    headers=headers,
                    timeout=(min(self.connect_timeout, read_timeout), read_timeout),
                    allow_redirects=False,  # a redirect could carry the key to another host
                    stream=True,  # the body is read by _read_body, within the deadline and cap
                )
                self._read_body(response, until=until)
            except (requests.RequestException, _NoAnswerError) as exc:
                failed = exc if isinstance(exc, _NoAnswerError) else _failure(exc)
                self._log(method, path, type(exc).__name__, started, state.attempt, request_id)
                again = retry and not isinstance(failed.error, ApiResponseTooLarge)
                delay = self._retry_delay(state, until) if again else None
                if delay is None:
                    raise failed from exc
                state.wait(delay)
                continue
            self._log(method, path, response.status_code, started, state.attempt, request_id)
            deprecated = response.headers.get("ECI-Deprecated")
            if deprecated:
                logger.warning(
                    "Batch API marks %s %s deprecated: %s",
                    method,
                    path,
                    safe_excerpt(deprecated, secret=key),
                )
            if retry and response.status_code in RETRYABLE_STATUSES:
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                delay = self._retry_delay(state, until, retry_after=retry_after)
                if delay is not None:
                    state.wait(delay)
                    continue
            return response

    def _retry_delay(
        self, state: RetryState, until: float, *, retry_after: float | None = None
    ) -> float | None:
        """The wait before a retry, None when none fits the retry budget or the deadline."""
        delay = state.next_delay(retry_after=retry_after)
        if delay is None or delay + self.retry.min_attempt_time > until - time.monotonic():
            return None
        return delay

    def _past_deadline(self) -> ApiTimeout:
        return ApiTimeout(
            "The Batch API did not answer within the dashboard's time limit. Try again in a moment."
        )

    def _read_body(self, response: requests.Response, *, until: float) -> None:
        """Read the answer's body before `until` and within the size cap; then
        `response.content` holds it. A trickling answer is cut off at the deadline.

        Raises _NoAnswerError (the call may have been processed: its answer is lost).
        """
        limit = self.max_response_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            response.close()
            raise _NoAnswerError(_too_large(limit), maybe_processed=True)
        raw = response.raw
        # One receive at a time (read1), each within the time left: read(n) would wait for n bytes.
        sock = getattr(getattr(raw, "connection", None), "sock", None)
        decoded = {"decode_content": True} if isinstance(raw, urllib3.BaseHTTPResponse) else {}
        chunks: list[bytes] = []
        size = 0
        while True:
            remaining = until - time.monotonic()
            if remaining <= 0:
                response.close()
                raise _NoAnswerError(self._past_deadline(), maybe_processed=True)
            if sock is not None:
                sock.settimeout(min(self.timeout, remaining))
            try:
                chunk = raw.read1(_READ_CHUNK, **decoded)
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                response.close()
                timed_out = isinstance(exc, urllib3.exceptions.ReadTimeoutError | TimeoutError)
                error = ApiTimeout() if timed_out else ApiUnavailable()
                raise _NoAnswerError(error, maybe_processed=True) from exc
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                response.close()
                raise _NoAnswerError(_too_large(limit), maybe_processed=True)
            chunks.append(chunk)
        # What requests' own `content` does when it reads the body (stream=False).
        response._content = b"".join(chunks)
        response._content_consumed = True
        response.close()

    @staticmethod
    def _log(
        method: str, path: str, outcome: int | str, started: float, attempt: int, request_id: str
    ) -> None:
        elapsed_ms = (time.monotonic() - started) * 1000
        failed = not isinstance(outcome, int) or outcome >= 500 or outcome == 429
        # The same fields as structured extras: batchui.core.logging's JSON lines carry them
        # whatever the message's wording.
        logger.log(
            logging.WARNING if failed else logging.INFO,
            "batchapi %s %s -> %s in %.0f ms (attempt %d, request %s)",
            method,
            path,
            outcome,
            elapsed_ms,
            attempt,
            request_id,
            extra={
                "api_method": method,
                "api_path": path,
                "api_outcome": outcome,
                "elapsed_ms": round(elapsed_ms, 1),
                "attempt": attempt,
                "request_id": request_id,
            },
        )

    # --- reading answers ---------------------------------------------------------------------

    def _batch(self, response: requests.Response, *, key: str, not_found: str) -> Batch:
        if response.status_code != 200:
            raise self._error(response, key=key, not_found=not_found)
        return parse_batch(self._json(response, key=key))

    def _no_content(self, response: requests.Response, *, key: str, batch_id: int) -> None:
        """A success that answers 204 with no body (status change, delete)."""
        if response.status_code != 204:
            raise self._error(response, key=key, not_found=_not_found(batch_id))

    @staticmethod
    def _json(response: requests.Response, *, key: str) -> Any:
        try:
            return json.loads(
                response.content, parse_float=Decimal, parse_constant=_reject_constant
            )
        except ValueError:
            excerpt = safe_excerpt(
                response.content.decode("utf-8", "replace"), secret=key, limit=60
            )
            raise ApiBadResponse(
                "The Batch API sent a response that is not valid JSON"
                + (f" ({excerpt!r})." if excerpt else "."),
                status=response.status_code,
            ) from None

    @staticmethod
    def _error(
        response: requests.Response, *, key: str, not_found: str = "The batch was not found."
    ) -> BatchApiError:
        """The typed error for a response that is not a success."""
        status = response.status_code
        try:
            payload = json.loads(response.content)
        except ValueError:
            payload = None
        api_message = None
        if isinstance(payload, dict) and isinstance(payload.get("message"), str):
            api_message = safe_excerpt(payload["message"], secret=key, limit=300) or None
        detail = api_message or safe_excerpt(response.text, secret=key)
        suffix = f": {detail}" if detail else "."
        if status == 400:
            return ApiValidationError(
                api_message or f"The Batch API rejected the request{suffix}",
                field_errors=_field_errors(payload, key=key),
            )
        if status == 401:
            return ApiAuthError(status=401)
        if status == 403:
            return ApiForbidden(
                f"This user is not allowed to do this{suffix}" if api_message else None, status=403
            )
        if status == 404:
            return ApiNotFound(not_found, status=404)
        if status == 429:
            return ApiRateLimited(
                retry_after=parse_retry_after(response.headers.get("Retry-After"))
            )
        if status >= 500:
            wait = parse_retry_after(response.headers.get("Retry-After"))
            later = f"in {wait_text(wait)}" if wait is not None else "in a moment"
            return ApiServerError(
                f"The Batch API had an error (HTTP {status}){suffix} Try again {later}.",
                status=status,
            )
        if 300 <= status < 400:  # never followed: it could carry the key to another host
            from batchui.batchapi.checks import redirect_problem

            location = response.headers.get("Location")
            return ApiBadResponse(redirect_problem(status, location, response.url), status=status)
        return ApiBadResponse(
            f"The Batch API answered with an unexpected status (HTTP {status}).", status=status
        )


def _began_on_api_clock(started: datetime, response: requests.Response) -> datetime | None:
    """`started` (our clock) on the API's clock, from the `Date` header of `response`, a call
    that ended just now; None when the answer has no usable Date."""
    try:
        api_now = parsedate_to_datetime(response.headers.get("Date", ""))
    except (TypeError, ValueError):
        return None
    if api_now.tzinfo is None:
        return None
    return started + (api_now - datetime.now(UTC))


_READ_CHUNK = 64 * 1024
_NOT_SENT = ApiTimeout(
    "The time limit for this request was reached before this call was made, so nothing was "
    "sent. Try again."
)


def _too_large(limit: int) -> ApiResponseTooLarge:
    return ApiResponseTooLarge(
        f"The Batch API's answer was larger than {limit / 1024 / 1024:g} MB, so the dashboard "
        "did not read it (BATCH_API_MAX_RESPONSE_BYTES)."
    )


def _not_found(batch_id: int) -> str:
    return f"Batch {batch_id} was not found."


def _restate(error: BatchApiError, lead: str) -> BatchApiError:
    """The same error (its type and fields), with a message that says what did not happen."""
    restated = copy.copy(error)
    restated.message = f"{lead}: {error.message.rstrip('.')}."
    restated.args = (restated.message,)
    return restated


def _field_errors(payload: Any, *, key: str) -> dict[str, list[str]]:
    errors = payload.get("errors") if isinstance(payload, dict) else None
    if not isinstance(errors, dict):
        return {}
    result: dict[str, list[str]] = {}
    for name, messages in errors.items():
        if isinstance(messages, str):
            messages = [messages]
        if not isinstance(messages, list):
            continue
        texts = [safe_excerpt(m, secret=key, limit=200) for m in messages if isinstance(m, str)]
        if texts:
            result[safe_excerpt(str(name), secret=key, limit=80)] = texts
    return result


def _paging_header(response: requests.Response, name: str) -> int:
    value = response.headers.get(name)
    try:
        number = int(str(value).strip())
    except ValueError:
        number = -1
    if value is None or number < 0:
        raise ApiBadResponse(
            f"The Batch API's answer lacks a valid {name} header.", status=response.status_code
        )
    return number


# --- the shared client ------------------------------------------------------------------------


def get_client() -> BatchApiClient:
    """The process's client built from settings (rebuilt when those settings change)."""
    from django.conf import settings

    return _client_for(
        settings.BATCH_API_URL,
        settings.ECI_API_KEY,
        settings.BATCH_API_TIMEOUT,
        settings.BATCH_API_CONNECT_TIMEOUT,
        settings.BATCH_API_RETRY_BUDGET,
        settings.BATCH_API_DEADLINE,
        settings.BATCH_API_MAX_RESPONSE_BYTES,
    )


@lru_cache(maxsize=1)
def _client_for(
    url: str, key: str, timeout: float, connect: float, budget: float, deadline: float, cap: int
) -> BatchApiClient:
    return BatchApiClient(
        url,
        api_key=key,
        timeout=timeout,
        connect_timeout=connect,
        retry=RetryPolicy(budget=budget),
        deadline=deadline,
        max_response_bytes=cap,
    )
