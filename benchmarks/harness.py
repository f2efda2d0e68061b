"""What every benchmark shares: timing statistics, the machine's description, result files.

A benchmark script measures, prints its table, and (with `--json PATH`, as `run_all.py` runs it)
writes a `Result` that `run_all.py` turns into its section of docs/performance.md.
"""

from __future__ import annotations

import json
import math
import os
import platform
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def use_repo() -> None:
    """Make `batchui` importable when a script is run as `python benchmarks/bench_x.py`."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "batchui.settings")


@dataclass
class Timing:
    label: str
    runs: int
    median_ms: float
    p95_ms: float
    min_ms: float
    note: str = ""


@dataclass
class Result:
    name: str  # the section name in docs/performance.md: <!-- bench:NAME -->
    title: str
    machine: dict[str, str]
    markdown: str  # the section's body
    summary: str  # one line for run_all's table
    ok: bool = True  # False when a budget is missed
    timings: list[Timing] = field(default_factory=list)

    def write(self, path: str) -> None:
        Path(path).write_text(json.dumps(asdict(self), indent=2, ensure_ascii=False))


def measure(
    label: str, call: Callable[[], object], *, runs: int, warmup: int, note: str = ""
) -> Timing:
    """Call `call` warmup + runs times; statistics of the timed runs in milliseconds."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter_ns()
        call()
        samples.append((time.perf_counter_ns() - started) / 1e6)
    samples.sort()
    p95 = samples[min(len(samples) - 1, math.ceil(0.95 * len(samples)) - 1)]
    return Timing(
        label=label,
        runs=runs,
        median_ms=round(statistics.median(samples), 2),
        p95_ms=round(p95, 2),
        min_ms=round(samples[0], 2),
        note=note,
    )


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def machine_info() -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in _read("/proc/cpuinfo").splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or platform.machine(),
    )
    mem_kb = next(
        (
            int(line.split()[1])
            for line in _read("/proc/meminfo").splitlines()
            if line.startswith("MemTotal:")
        ),
        0,
    )
    try:
        import django

        django_version = django.get_version()
    except ImportError:
        django_version = "not installed"
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": f"{mem_kb / 1024 / 1024:.1f} GiB" if mem_kb else "unknown",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "django": django_version,
        "sqlite": sqlite3.sqlite_version,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def machine_line(machine: dict[str, str]) -> str:
    return (
        f"Measured {machine['date']} on {machine['cpu']}, {machine['cores']} cores, "
        f"{machine['ram']} RAM, {machine['os']}; Python {machine['python']}, "
        f"Django {machine['django']}, SQLite {machine['sqlite']}."
    )


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A Markdown table (also readable as plain text)."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])
