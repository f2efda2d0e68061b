"""The batch list page and its CSV export against the simulator, compared with the bare client.

With the simulator adding SIMULATOR_LATENCY_MS=50 to every call (so the API dominates, as it does
against EnergyCAP), it measures through the whole dashboard (Django test client: middleware,
session, permissions, forms, template):
- the list page (`/batches/?status=open`, 50 rows) against the bare client call for the same page
  (`list_batches(filter="batchStatus equals 'Open'", page_size=50)`); budget: within 1.10x;
- the CSV export of 100,000 batches against the client iterating the same batches
  (`iter_batches()`); budgets: within 1.10x the time, and the process growing by < 60 MB.

The seeded database is cached under /tmp (seeding 100,000 batches takes ~15 s):

    python benchmarks/bench_list_export.py [--count 100000] [--runs 30] [--json PATH] [--fresh]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

from harness import Result, Timing, machine_info, machine_line, measure, table, use_repo

NAME = "list_export"
LATENCY_MS = 50
PAGE_BUDGET = 1.10
EXPORT_BUDGET = 1.10
MEMORY_BUDGET_MB = 60.0
CACHE_DIR = Path(tempfile.gettempdir()) / "batchui-bench-list-export"
LIST_PATH = "/batches/?status=open&size=50"
LIST_FILTER = "batchStatus equals 'Open'"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="batches to seed")
    parser.add_argument("--runs", type=int, default=30, help="timed runs of each page call")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs first")
    parser.add_argument("--export-runs", type=int, default=3, help="runs of each full export")
    parser.add_argument("--json", help="write the result here (run_all.py uses this)")
    parser.add_argument("--fresh", action="store_true", help="re-seed instead of the cache")
    parser.add_argument(
        "--page-only",
        action="store_true",
        help="a quick look: measure the list page only (no export), print, write nothing",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> Result | None:
    args = parse_args(argv)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    database = CACHE_DIR / f"bench-{args.count}.sqlite3"
    if args.fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    # Before django.setup(): settings read the environment once.
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["SIMULATOR_LATENCY_MS"] = str(LATENCY_MS)
    os.environ["SIMULATOR_FAULTS"] = ""
    os.environ["BATCH_API_URL"] = ""
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    use_repo()
    if args.page_only:
        run_page_only(args)
        return None
    result = run(args)
    print(result.markdown)
    if args.json:
        result.write(args.json)
    return result


def prepare(count: int) -> tuple[str, float | None]:
    """Migrate, seed when the cached database lacks the batches; a signed-in person's key."""
    from django.core.management import call_command

    from batchui.simulator.models import Batch
    from batchui.simulator.seeding import seed_batches

    call_command("migrate", verbosity=0)
    seed_seconds = None
    if Batch.objects.count() != count:
        started = time.perf_counter()
        seed_batches(count=count, seed=2026, replace=True)
        seed_seconds = time.perf_counter() - started
    return "", seed_seconds


def signed_in_client():
    from django.test import Client

    from batchui.accounts.provisioning import account_upsert
    from batchui.accounts.roles import Role
    from batchui.accounts.services import api_key_for

    user = account_upsert(
        username="bench-clerk", role=Role.CLERK, simulator_user="JSMITH", reuse_working_key=True
    ).user
    client = Client()
    client.force_login(user)
    return client, api_key_for(user)


class PeakRss:
    """Samples the process's resident memory every 5 ms; `growth_mb` is peak minus start."""

    def __init__(self) -> None:
        self._page = os.sysconf("SC_PAGE_SIZE")
        self._stop = threading.Event()
        self.start = self.peak = self._rss()

    def _rss(self) -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * self._page

    def _watch(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self._rss())

    def __enter__(self) -> PeakRss:
        self.start = self.peak = self._rss()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.start) / 1024 / 1024


def measure_page(args: argparse.Namespace):
    """Set up, then the list page and the bare call, alternated; (timings..., ratio, ...)."""
    import django

    django.setup()

    from batchui.batchapi import get_client

    _, seed_seconds = prepare(args.count)
    client, key = signed_in_client()
    api = get_client()

    def page() -> None:
        response = client.get(LIST_PATH)
        if response.status_code != 200 or b"1\xe2\x80\x9350 of" not in response.content:
            raise SystemExit(f"the list page answered {response.status_code} without 50 rows")

    def bare_page() -> None:
        api.list_batches(filter=LIST_FILTER, page_number=1, page_size=50, api_key=key)

    # Alternate the two so that drift on the shared machine hits both alike.
    page_samples: list[Timing] = []
    bare_samples: list[Timing] = []
    for _ in range(3):
        bare_samples.append(measure("bare", bare_page, runs=args.runs // 3, warmup=args.warmup))
        page_samples.append(measure("page", page, runs=args.runs // 3, warmup=args.warmup))
    page_timing = _merge("list page (dashboard, full page)", page_samples)
    bare_timing = _merge("bare client list_batches()", bare_samples)
    page_ratio = page_timing.median_ms / bare_timing.median_ms
    print(f"  list page {page_timing.median_ms} ms vs bare {bare_timing.median_ms} ms",
          file=sys.stderr)  # fmt: skip
    return seed_seconds, client, key, api, page_timing, bare_timing, page_ratio


def run_page_only(args: argparse.Namespace) -> None:
    *_, page_timing, bare_timing, page_ratio = measure_page(args)
    print(
        table(
            ["request", "median ms", "p95 ms", "min ms", "runs"],
            [
                [t.label, f"{t.median_ms}", f"{t.p95_ms}", f"{t.min_ms}", str(t.runs)]
                for t in (page_timing, bare_timing)
            ],
        )
    )
    print(f"List page / bare client call: {page_ratio:.3f}x (budget {PAGE_BUDGET:.2f}x)")


def run(args: argparse.Namespace) -> Result:
    import gc

    seed_seconds, client, key, api, page_timing, bare_timing, page_ratio = measure_page(args)

    exports: list[tuple[float, float, int]] = []
    iterations: list[tuple[float, float, int]] = []
    for _ in range(args.export_runs):
        gc.collect()
        with PeakRss() as rss:
            started = time.perf_counter()
            count = sum(1 for _ in api.iter_batches(api_key=key))
            elapsed = time.perf_counter() - started
        iterations.append((elapsed, rss.growth_mb, count))
        gc.collect()
        with PeakRss() as rss:
            started = time.perf_counter()
            response = client.get("/batches/export.csv")
            size = sum(len(chunk) for chunk in response.streaming_content)
            response.close()
            elapsed = time.perf_counter() - started
        exports.append((elapsed, rss.growth_mb, size))
        done, it = exports[-1], iterations[-1]
        print(f"  export {done[0]:.2f} s (+{done[1]:.1f} MB) vs iterate {it[0]:.2f} s "
              f"(+{it[1]:.1f} MB)", file=sys.stderr)  # fmt: skip
    return report(
        args=args,
        seed_seconds=seed_seconds,
        page_timing=page_timing,
        bare_timing=bare_timing,
        page_ratio=page_ratio,
        exports=exports,
        iterations=iterations,
    )


def _merge(label: str, samples: list[Timing]) -> Timing:
    """One Timing from the alternated rounds (median of the rounds' medians)."""
    medians = sorted(sample.median_ms for sample in samples)
    return Timing(
        label=label,
        runs=sum(sample.runs for sample in samples),
        median_ms=medians[len(medians) // 2],
        p95_ms=max(sample.p95_ms for sample in samples),
        min_ms=min(sample.min_ms for sample in samples),
    )


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def report(
    *,
    args: argparse.Namespace,
    seed_seconds: float | None,
    page_timing: Timing,
    bare_timing: Timing,
    page_ratio: float,
    exports: list[tuple[float, float, int]],
    iterations: list[tuple[float, float, int]],
) -> Result:
    machine = machine_info()
    export_s = _median([e[0] for e in exports])
    iterate_s = _median([i[0] for i in iterations])
    export_ratio = export_s / iterate_s
    growth = max(e[1] for e in exports)
    iterate_growth = max(i[1] for i in iterations)
    batches = iterations[0][2]
    csv_mb = exports[0][2] / 1024 / 1024
    page_ok = page_ratio <= PAGE_BUDGET
    export_ok = export_ratio <= EXPORT_BUDGET
    memory_ok = growth < MEMORY_BUDGET_MB
    seeded = f"seeded in {seed_seconds:.1f} s" if seed_seconds is not None else "cached database"
    verdict = lambda ok: "**meets**" if ok else "**MISSES**"  # noqa: E731
    lines = [
        f"{batches:,} batches ({seeded}, `{CACHE_DIR}`); the simulator adds {LATENCY_MS} ms to "
        "every call (`SIMULATOR_LATENCY_MS`), in-process through the client's transport. The "
        "dashboard is called with Django's test client (all middleware, a signed-in clerk).",
        "",
        table(
            ["request", "median ms", "p95 ms", "min ms", "runs"],
            [
                [t.label, f"{t.median_ms}", f"{t.p95_ms}", f"{t.min_ms}", str(t.runs)]
                for t in (page_timing, bare_timing)
            ],
        ),
        "",
        f"List page (`{LIST_PATH}`, 50 rows) / bare client call: **{page_ratio:.3f}x** "
        f"(budget {PAGE_BUDGET:.2f}x): {verdict(page_ok)}.",
        "",
        table(
            [
                "run",
                "CSV export s",
                "export growth MB",
                "client iteration s",
                "iteration growth MB",
            ],
            [
                [str(i + 1), f"{e[0]:.2f}", f"{e[1]:.1f}", f"{it[0]:.2f}", f"{it[1]:.1f}"]
                for i, (e, it) in enumerate(zip(exports, iterations, strict=True))
            ],
        ),
        "",
        f"CSV export of all {batches:,} batches ({csv_mb:.1f} MB of CSV) / the client iterating "
        f"them: **{export_ratio:.3f}x** (median of {len(exports)} runs; budget "
        f"{EXPORT_BUDGET:.2f}x): {verdict(export_ok)}. Peak growth of the process during the "
        f"export: **{growth:.1f} MB** (budget < {MEMORY_BUDGET_MB:.0f} MB; the bare iteration "
        f"grows {iterate_growth:.1f} MB): {verdict(memory_ok)}.",
        "",
        machine_line(machine),
    ]
    return Result(
        name=NAME,
        title="Batch list page and CSV export (issue 5)",
        machine=machine,
        markdown="\n".join(lines),
        summary=(
            f"page {page_ratio:.2f}x bare call; export {export_ratio:.2f}x iteration, "
            f"+{growth:.0f} MB"
        ),
        ok=page_ok and export_ok and memory_ok,
        timings=[page_timing, bare_timing],
    )


if __name__ == "__main__":
    main()
