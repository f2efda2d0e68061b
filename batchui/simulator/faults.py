"""On-demand fault injection for the simulator.

Tests and demos call `inject()` to make specific calls fail; a running simulator can also be given
added latency and random faults through SIMULATOR_LATENCY_MS and SIMULATOR_FAULTS.
"""

from __future__ import annotations

from batchui.simulator.models import FaultKind, FaultRule


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
    method: "GET", "POST", "PUT" or "" for any; path: a regular expression searched in the path.
    """
    if kind not in FaultKind.values:
        raise ValueError(f"unknown fault kind {kind!r}; expected one of {FaultKind.values}")
    if kind == FaultKind.STATUS and status not in (429, 500, 502, 503, 504):
        raise ValueError("a status fault needs status 429, 500, 502, 503 or 504")
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
