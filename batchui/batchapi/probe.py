"""A read-only compatibility probe of a Batch API host (`python manage.py check_api`).

It asks what the dashboard relies on and says, finding by finding, what matches and what differs:
the paging headers, every field the parser reads (values.BATCH_FIELDS) present and typed, the
time zone the host appears to write its date-times in, the quoting of an apostrophe in a filter
value, and what the key may do. A finding `breaks` when the dashboard would fail or show wrong
data with this host.

Nothing is changed on the host. The key's Create and Delete permissions are probed on a batch id
that a GET shows does not exist (PROBE_BATCH_ID): a PUT (edit) and a DELETE of it answer 404 when
the key may, 401 (or 403) when not. This relies on the host checking the key's permission before
looking the batch up, as EnergyCAP documents (a 401 for a missing permission) and as the simulator
does (its order: route, method, key and permission, body, then the batch).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from batchui.batchapi.checks import REDIRECTS, redirect_problem
from batchui.batchapi.client import API_PREFIX, BatchApiClient
from batchui.batchapi.dates import api_time_zone, parse_api_datetime
from batchui.batchapi.errors import ApiBadResponse, BatchApiError
from batchui.batchapi.filters import Filter
from batchui.batchapi.values import BATCH_FIELDS

PAGING_HEADERS = ("PageNumber", "PageSize", "TotalNumberOfRecords", "TotalPages")
PROBE_PAGE_SIZE = 5
PROBE_BATCH_ID = 2_147_483_647  # the largest int32 id: a batch that does not exist
APOSTROPHE_CODE = "O'Brien-probe"
CLOCK_SLACK = timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class Finding:
    topic: str
    matches: bool
    text: str
    breaks: bool = False  # the dashboard would fail, or show wrong data, with this host


def probe_host(client: BatchApiClient, *, api_key: str) -> list[Finding]:
    """Every finding about the client's host, in the order they are printed."""
    return list(_findings(client, api_key))


def _findings(client: BatchApiClient, key: str) -> Iterator[Finding]:
    def call(method: str, path: str, **kwargs: Any) -> requests.Response:
        return client._call(
            method, API_PREFIX + path, key=key, request_id=uuid.uuid4().hex, retry=False, **kwargs
        )

    try:
        listed = call("GET", "/batch", params={"pageNumber": 1, "pageSize": PROBE_PAGE_SIZE})
    except BatchApiError as failed:
        yield Finding("list", False, f"the list call failed: {failed.message}", breaks=True)
        return
    status = listed.status_code
    if status in REDIRECTS:
        problem = redirect_problem(status, listed.headers.get("Location"), listed.url)
        yield Finding("list", False, problem, breaks=True)
        return
    if status in (401, 403):
        text = f"HTTP {status}: the host refused this key, or its user lacks the View permission"
        yield Finding("permission view", False, text, breaks=True)
        return
    if status != 200:
        yield Finding("list", False, f"HTTP {status} (expected 200)", breaks=True)
        return
    yield Finding("permission view", True, "the list answers 200")
    yield _paging(listed)
    try:
        items = json.loads(listed.content)
    except ValueError:
        yield Finding("list", False, "the list's body is not JSON", breaks=True)
        return
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        yield Finding("list", False, "the list's body is not an array of batches", breaks=True)
        return
    if not items:
        yield Finding("fields", False, "no batch on the host: fields and time zone not checked")
    else:
        yield from _fields(items)
        yield _time_zone(items[0], listed)
    yield _quoting(call)
    yield from _permissions(call)


def _paging(response: requests.Response) -> Finding:
    values = {name: response.headers.get(name) for name in PAGING_HEADERS}
    wrong = [name for name, value in values.items() if not (value or "").strip().isdigit()]
    text = ", ".join(f"{name}: {value}" for name, value in values.items())
    if wrong:
        text += f" ({', '.join(wrong)} missing or not a whole number)"
    return Finding("paging headers", not wrong, text, breaks=bool(wrong))


def _fields(items: list[dict[str, Any]]) -> Iterator[Finding]:
    """Each field the parser reads, over the batches of the first page."""
    for field in BATCH_FIELDS:
        missing = sum(field.name not in item for item in items)
        try:
            for item in items:
                field.read(item)
        except ApiBadResponse as wrong:
            yield Finding(f"field {field.name}", False, wrong.message, breaks=True)
            continue
        if missing:
            text = f"missing in {missing} of {len(items)} batches: shown as unknown (—)"
            yield Finding(f"field {field.name}", False, text)
        else:
            yield Finding(f"field {field.name}", True, "present and typed")
    known = {field.name for field in BATCH_FIELDS}
    extra = sorted({name for item in items for name in item} - known)
    if extra:
        yield Finding("other fields", True, f"not used, ignored: {', '.join(extra)}")


def _time_zone(newest: dict[str, Any], response: requests.Response) -> Finding:
    """The newest batch's startDate beside the host's clock (its Date header) and ours."""
    zone = api_time_zone()
    sent = newest.get("startDate")
    try:
        opened = parse_api_datetime(sent) if isinstance(sent, str) else None
        host_now = parsedate_to_datetime(response.headers.get("Date", ""))
    except (TypeError, ValueError):
        opened = host_now = None
    if not isinstance(sent, str) or opened is None or host_now is None or not host_now.tzinfo:
        return Finding("time zone", False, "cannot tell: no startDate or no Date header")
    now = datetime.now(UTC)
    text = (
        f"newest batch's startDate {sent!r}, read as {opened.astimezone(zone):%Y-%m-%d %H:%M} "
        f"{zone} = {opened:%H:%M} UTC; host's clock (Date) {host_now:%H:%M:%S} UTC; "
        f"this machine {now:%H:%M:%S} UTC"
    )
    if abs(host_now - now) > CLOCK_SLACK:
        text += " (the two clocks differ: the host's is the one used)"
    if any(mark in sent[10:] for mark in "+-Zz"):  # after YYYY-MM-DD: an offset
        return Finding("time zone", True, text + "; the host sends offsets, honoured as sent")
    # The host writes its own wall clock: a batch opened just now reads as the host's clock
    # (Date) only in the host's zone. A batch read as opened later than that is certainly
    # read in the wrong zone; one read as opened earlier may just be older.
    quarter = timedelta(minutes=15)
    shift = round((host_now - opened) / quarter) * quarter
    if abs(shift) < quarter:
        return Finding("time zone", True, text + f"; consistent with {zone}")
    appears = _utc_offset(opened.astimezone(zone).utcoffset() - shift)
    if opened - host_now > CLOCK_SLACK:
        text += (
            f"; read in {zone} it was opened {-shift / timedelta(hours=1):g} h in the future: "
            f"the host writes its date-times at {appears} or later, not in {zone} (set "
            "BATCH_API_TIME_ZONE to the host's zone)"
        )
        return Finding("time zone", False, text, breaks=True)
    text += (
        f"; opened {shift / timedelta(hours=1):g} h before the host's clock: if it was opened "
        f"just now, the host writes its date-times at {appears}, not in {zone}"
    )
    return Finding("time zone", True, text)


def _utc_offset(offset: timedelta) -> str:
    sign, minutes = ("-" if offset < timedelta(0) else "+"), abs(offset) // timedelta(minutes=1)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _quoting(call: Any) -> Finding:
    text = str(Filter.where("batchCode", "equals", APOSTROPHE_CODE))
    try:
        status = call("GET", "/batch", params={"pageSize": 1, "filter": text}).status_code
    except BatchApiError as failed:
        return Finding("quoting", False, f"{text}: {failed.message}", breaks=True)
    if status == 200:
        return Finding("quoting", True, f"{text} answers 200")
    return Finding(
        "quoting",
        False,
        f"{text} answers HTTP {status}: a search for a value with an apostrophe would fail",
        breaks=True,
    )


def _permissions(call: Any) -> Iterator[Finding]:
    path = f"/batch/{PROBE_BATCH_ID}"
    try:
        absent = call("GET", path).status_code
    except BatchApiError as failed:
        yield Finding("permissions", False, f"GET {path} failed: {failed.message}")
        return
    if absent != 404:
        text = f"GET {path} answers HTTP {absent}, not 404: Create and Delete not probed"
        yield Finding("permissions", False, text)
        return
    edit = {"batchCode": f"check-api-probe-{uuid.uuid4().hex[:8]}", "note": None}
    try:
        status = call("PUT", path, body=edit).status_code
    except BatchApiError as failed:
        status, detail = None, failed.message
    if status == 404:
        yield Finding("permission create", True, f"permitted (PUT {path} answers 404)")
    elif status in (401, 403):
        text = (
            f"not permitted (PUT answers HTTP {status}): enough for the widget and /readyz, "
            "but people using this key cannot open, edit or close batches"
        )
        yield Finding("permission create", False, text)
    else:
        detail = f"HTTP {status}" if status else detail
        yield Finding("permission create", False, f"cannot tell: PUT {path} answers {detail}")
    try:
        status = call("DELETE", path).status_code
    except BatchApiError as failed:
        status, detail = None, failed.message
    if status == 404:
        text = "permitted (DELETE of an absent batch answers 404): the dashboard never deletes, "
        yield Finding("permission delete", False, text + "a key without Delete is safer")
    elif status in (401, 403, 405):
        yield Finding("permission delete", True, f"not permitted (DELETE answers HTTP {status})")
    else:
        detail = f"HTTP {status}" if status else detail
        yield Finding("permission delete", False, f"cannot tell: DELETE answers {detail}")
