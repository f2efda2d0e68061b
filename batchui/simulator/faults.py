"""On-demand fault injection for the simulator.

Tests and demos call `inject()` to make specific calls fail; a running simulator can also be given
added latency and random faults through SIMULATOR_LATENCY_MS and SIMULATOR_FAULTS
(e.g. "429:0.05,503:0.02,500:0.01,drop:0.01,malformed:0.01"). `plan_for()` decides, once per call,
what happens to it; `batchui.simulator.wsgi.handle` carries the plan out.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import F, Q

from batchui.simulator.models import FaultKind, FaultRule

FAULT_STATUSES = (429, 500, 502, 503, 504)
# Statuses that tell the client when to come back.
RETRY_AFTER_STATUSES = (429, 503)


class DropConnection(Exception):  # noqa: N818 - it names what happens, not an error condition
    """Raised by the simulator to drop the connection without answering.

    The HTTP server (runsimulator) closes the socket; the in-process transport turns it into
    `requests.ConnectionError`, which is what a client sees on a real dropped connection.
    """


def inject(
    kind: str,
    *,
    method: str = "",
    path: str = "",
    status: int | None = None,
    retry_after: int | None = None,
    latency_ms: int = 0,
    times: int | None = 1,
) -> FaultRule:
    """Make the next `times` matching calls (None: every call) fail in the given way.

    kind: "latency" (latency_ms), "status" (status, retry_after for 429/503), "drop_before",
    "drop_after" (the call is handled and stored, then the connection drops), "malformed".
    method: "GET", "POST", "PUT", "DELETE" or "" for any; path: a regular expression searched in
    the path.
    """
    if kind not in FaultKind.values:
        raise ValueError(f"unknown fault kind {kind!r}; expected one of {FaultKind.values}")
    if kind == FaultKind.STATUS and status not in FAULT_STATUSES:
        raise ValueError("a status fault needs status 429, 500, 502, 503 or 504")
    re.compile(path)  # a bad pattern fails here, not silently on every call
    return FaultRule.objects.create(
        kind=kind,
        method=method.upper(),
        path_pattern=path,
        status=status,
        retry_after=retry_after,
        latency_ms=latency_ms,
        remaining=times,
    )


def clear() -> None:
    """Remove every injected fault."""
    FaultRule.objects.all().delete()


@dataclass(frozen=True)
class FaultPlan:
    """What happens to one call: added latency, then at most one fault (kind None: none)."""

    latency_ms: int = 0
    kind: str | None = None
    status: int | None = None
    retry_after: int | None = None


NO_FAULT = FaultPlan()


def plan_for(*, method: str, path: str) -> FaultPlan:
    """Consume the stored rules matching this call and draw the environment's random fault.

    Every matching latency rule adds its latency; the oldest matching other rule is the fault.
    Stored rules win over SIMULATOR_FAULTS. Costs one query when no rule is stored.
    """
    latency_ms = settings.SIMULATOR_LATENCY_MS
    chosen: FaultRule | None = None
    candidates = FaultRule.objects.filter(
        Q(method="") | Q(method=method.upper()),
        Q(remaining__isnull=True) | Q(remaining__gt=0),
    ).order_by("id")
    for rule in candidates:
        if rule.kind != FaultKind.LATENCY and chosen is not None:
            continue
        if not _path_matches(rule.path_pattern, path):
            continue
        if not _consume(rule):
            continue
        if rule.kind == FaultKind.LATENCY:
            latency_ms += rule.latency_ms
        else:
            chosen = rule
    if chosen is not None:
        return FaultPlan(
            latency_ms=latency_ms,
            kind=chosen.kind,
            status=chosen.status,
            retry_after=chosen.retry_after,
        )
    kind, status = _random_fault(settings.SIMULATOR_FAULTS)
    return FaultPlan(latency_ms=latency_ms, kind=kind, status=status)


def _path_matches(pattern: str, path: str) -> bool:
    if not pattern:
        return True
    try:
        return re.search(pattern, path) is not None
    except re.error:
        return False  # only a rule stored without inject() can hold a bad pattern


def _consume(rule: FaultRule) -> bool:
    """Take one use of the rule; a conditional UPDATE, so two calls cannot take the last one."""
    if rule.remaining is None:
        return True
    taken = FaultRule.objects.filter(pk=rule.pk, remaining__gt=0).update(
        remaining=F("remaining") - 1
    )
    return taken == 1


def _random_fault(spec: str) -> tuple[str | None, int | None]:
    outcomes = parse_fault_spec(spec)
    if not outcomes:
        return None, None
    draw = random.random()
    for kind, status, probability in outcomes:
        if draw < probability:
            return kind, status
        draw -= probability
    return None, None


@lru_cache(maxsize=8)
def parse_fault_spec(spec: str) -> tuple[tuple[str, int | None, float], ...]:
    """ "429:0.05,drop:0.01" -> ((kind, status, probability), ...); ImproperlyConfigured if bad.

    Keys: a status (429, 500, 502, 503, 504), "drop" (= "drop_before"), "drop_after", "malformed".
    """
    outcomes: list[tuple[str, int | None, float]] = []
    for raw_entry in spec.split(","):
        entry = raw_entry.strip()
        if not entry:
            continue
        key, _, raw_probability = entry.partition(":")
        key = key.strip().lower()
        try:
            probability = float(raw_probability)
        except ValueError:
            raise ImproperlyConfigured(
                f"SIMULATOR_FAULTS entry {entry!r}: expected KEY:PROBABILITY"
            ) from None
        if not 0.0 <= probability <= 1.0:
            raise ImproperlyConfigured(f"SIMULATOR_FAULTS entry {entry!r}: probability not in 0..1")
        if key.isdigit() and int(key) in FAULT_STATUSES:
            outcomes.append((FaultKind.STATUS, int(key), probability))
        elif key in ("drop", "drop_before"):
            outcomes.append((FaultKind.DROP_BEFORE, None, probability))
        elif key in ("drop_after", "malformed"):
            outcomes.append((key, None, probability))
        else:
            raise ImproperlyConfigured(
                f"SIMULATOR_FAULTS entry {entry!r}: unknown key {key!r} (use 429, 500, 502, 503, "
                "504, drop, drop_after or malformed)"
            )
    if sum(probability for *_, probability in outcomes) > 1.0 + 1e-9:
        raise ImproperlyConfigured("SIMULATOR_FAULTS: the probabilities add up to more than 1")
    return tuple(outcomes)
