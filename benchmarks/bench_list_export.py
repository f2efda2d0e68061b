"""The batch list page and its CSV export, served, against the simulator in its own processes.

The served stack (benchmarks/harness.py: gunicorn with production settings, 2 workers x 4
threads, calling `runsimulator --workers 2` over HTTP), with the simulator adding
SIMULATOR_LATENCY_MS=50 to every call so that the API dominates, as it does against EnergyCAP
(whose CPU is not ours either). Measured, signed in:
- the list page (`/batches/?status=open&size=50`, 50 rows) against the bare client call for the
  same page (`list_batches(filter="batchStatus equals 'Open'", page_size=50)`, the project's
  client in this process straight to the simulator); budget: within 1.10x;
- the CSV export of 100,000 batches against the client iterating the same batches
  (`iter_batches()`, in this process); budgets: within 1.10x the time, and the gunicorn worker
  that serves it growing by < 60 MB.

    python benchmarks/bench_list_export.py [--count 100000] [--runs 30] [--json PATH]
    python benchmarks/bench_list_export.py --page-only [--count 10000] [--latency-ms 200]
                                                            # a quick look at the pages
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time

from harness import (
    Result,
    Stack,
    Timing,
    app_stack,
    machine_info,
    machine_line,
    measure,
    table,
    use_repo,
)

NAME = "list_export"
LATENCY_MS = 50
SIMULATOR_WORKERS = 2
PAGE_BUDGET = 1.10
EXPORT_BUDGET = 1.10
MEMORY_BUDGET_MB = 60.0
LIST_PATH = "/batches/?status=open&size=50"
LIST_FILTER = "batchStatus equals 'Open'"
FLOOR_PATH = "/bench/list-floor/"  # batchui/core/bench.py


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="batches to seed")
    parser.add_argument("--runs", type=int, default=30, help="timed runs of each page call")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs first")
    parser.add_argument("--export-runs", type=int, default=5, help="runs of each full export")
    parser.add_argument(
        "--latency-ms",
        type=int,
        default=LATENCY_MS,
        help=f"ms added to every simulator call (default {LATENCY_MS}: the budget's)",
    )
    parser.add_argument("--json", help="write the result here (run_all.py uses this)")
    parser.add_argument(
        "--page-only",
        action="store_true",
        help="a quick look: measure the list page only (no export), print, write nothing",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> Result | None:
    args = parse_args(argv)
    latency = args.latency_ms
    with app_stack(simulator_latency_ms=latency, simulator_workers=SIMULATOR_WORKERS) as stack:
        started = time.perf_counter()
        stack.grow_to(args.count)
        seed_seconds = time.perf_counter() - started
        api, key = bare_client(stack)
        if args.page_only:
            run_page_only(args, stack=stack, api=api, key=key)
            return None
        result = run(args, stack=stack, api=api, key=key, seed_seconds=seed_seconds)
    print(result.markdown)
    if args.json:
        result.write(args.json)
    return result


def bare_client(stack: Stack):
    """The project's client in this process, pointed at the stack's simulator; and its key."""
    os.environ.update(
        {
            "BATCH_API_URL": stack.simulator_url,
            "LOG_LEVEL": "WARNING",
            "DATABASE_URL": f"sqlite:///{tempfile.gettempdir()}/batchui-bench-unused.sqlite3",
        }
    )
    use_repo()
    import django

    django.setup()
    from batchui.batchapi import get_client

    return get_client(), stack.api_key


class PeakRss:
    """Samples the resident memory of some processes every 5 ms; `growth_mb` is the largest
    peak-minus-start among them."""

    def __init__(self, pids: list[int]) -> None:
        self._pids = pids
        self._page = os.sysconf("SC_PAGE_SIZE")
        self._stop = threading.Event()
        self.start: dict[int, int] = {}
        self.peak: dict[int, int] = {}

    def _rss(self, pid: int) -> int:
        try:
            with open(f"/proc/{pid}/statm") as statm:
                return int(statm.read().split()[1]) * self._page
        except OSError:
            return 0

    def _sample(self) -> None:
        for pid in self._pids:
            self.peak[pid] = max(self.peak.get(pid, 0), self._rss(pid))

    def _watch(self) -> None:
        while not self._stop.wait(0.005):
            self._sample()

    def __enter__(self) -> PeakRss:
        self.start = {pid: self._rss(pid) for pid in self._pids}
        self.peak = dict(self.start)
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    @property
    def growth_mb(self) -> float:
        return max(self.peak[pid] - self.start[pid] for pid in self._pids) / 1024 / 1024


def measure_page(args: argparse.Namespace, *, stack: Stack, api, key: str):
    """The list page, the signed-in floor page and the bare call, alternated;
    (page timing, floor timing, bare timing, page ratio)."""
    person = stack.session()

    def fetch(path: str, what: str):
        def get() -> None:
            response = person.get(stack.app_url + path, timeout=60, allow_redirects=False)
            if response.status_code != 200 or b"1\xe2\x80\x9350 of" not in response.content:
                raise SystemExit(f"{what} answered {response.status_code} without 50 rows")

        return get

    page = fetch(LIST_PATH, "the list page")
    floor = fetch(FLOOR_PATH, "the floor page")

    def bare_page() -> None:
        api.list_batches(filter=LIST_FILTER, page_number=1, page_size=50, api_key=key)

    # Alternate them so that drift on the shared machine hits all alike.
    samples: dict[str, list[Timing]] = {"page": [], "floor": [], "bare": []}
    for _ in range(3):
        samples["bare"].append(measure("bare", bare_page, runs=args.runs // 3, warmup=args.warmup))
        samples["page"].append(measure("page", page, runs=args.runs // 3, warmup=args.warmup))
        samples["floor"].append(measure("floor", floor, runs=args.runs // 3, warmup=args.warmup))
    page_timing = _merge("list page (dashboard, full page)", samples["page"])
    floor_timing = _merge("floor: the call and its 50 rows, signed in", samples["floor"])
    bare_timing = _merge("bare client list_batches()", samples["bare"])
    page_ratio = page_timing.median_ms / bare_timing.median_ms
    print(f"  list page {page_timing.median_ms} ms, floor {floor_timing.median_ms} ms, "
          f"bare {bare_timing.median_ms} ms", file=sys.stderr)  # fmt: skip
    return page_timing, floor_timing, bare_timing, page_ratio


def run_page_only(args: argparse.Namespace, *, stack: Stack, api, key: str) -> None:
    page_timing, floor_timing, bare_timing, page_ratio = measure_page(
        args, stack=stack, api=api, key=key
    )
    print(
        table(
            ["request", "median ms", "p95 ms", "min ms", "runs"],
            [
                [t.label, f"{t.median_ms}", f"{t.p95_ms}", f"{t.min_ms}", str(t.runs)]
                for t in (page_timing, floor_timing, bare_timing)
            ],
        )
    )
    print(f"List page / bare client call: {page_ratio:.3f}x (budget {PAGE_BUDGET:.2f}x); "
          f"floor {floor_timing.median_ms / bare_timing.median_ms:.3f}x")  # fmt: skip


def run(args: argparse.Namespace, *, stack: Stack, api, key: str, seed_seconds: float) -> Result:
    import gc

    page_timing, floor_timing, bare_timing, page_ratio = measure_page(
        args, stack=stack, api=api, key=key
    )
    person = stack.session()
    workers = stack.worker_pids()
    exports: list[tuple[float, float, int]] = []
    iterations: list[tuple[float, float, int]] = []
    # The first round is a warm-up (a fresh worker's first export): its time is not counted, its
    # memory growth is (the worker's growth is what the budget is about).
    for _ in range(args.export_runs + 1):
        gc.collect()
        started = time.perf_counter()
        count = sum(1 for _ in api.iter_batches(api_key=key))
        elapsed = time.perf_counter() - started
        iterations.append((elapsed, 0.0, count))
        with PeakRss(workers) as rss:
            started = time.perf_counter()
            with person.get(stack.app_url + "/batches/export.csv", stream=True, timeout=600) as got:
                if got.status_code != 200:
                    raise SystemExit(f"the export answered {got.status_code}")
                size = sum(len(chunk) for chunk in got.iter_content(64 * 1024))
            elapsed = time.perf_counter() - started
        exports.append((elapsed, rss.growth_mb, size))
        done, it = exports[-1], iterations[-1]
        print(f"  export {done[0]:.2f} s (worker +{done[1]:.1f} MB) vs iterate {it[0]:.2f} s",
              file=sys.stderr)  # fmt: skip
    return report(
        args=args,
        growth=max(export[1] for export in exports),  # the warm-up's included
        exports=exports[1:],
        iterations=iterations[1:],
        seed_seconds=seed_seconds,
        page_timing=page_timing,
        floor_timing=floor_timing,
        bare_timing=bare_timing,
        page_ratio=page_ratio,
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
    floor_timing: Timing,
    bare_timing: Timing,
    page_ratio: float,
    exports: list[tuple[float, float, int]],
    iterations: list[tuple[float, float, int]],
    growth: float,
) -> Result:
    machine = machine_info()
    export_s = _median([e[0] for e in exports])
    iterate_s = _median([i[0] for i in iterations])
    export_ratio = export_s / iterate_s
    batches = iterations[0][2]
    csv_mb = exports[0][2] / 1024 / 1024
    page_ok = page_ratio <= PAGE_BUDGET
    export_ok = export_ratio <= EXPORT_BUDGET
    memory_ok = growth < MEMORY_BUDGET_MB
    verdict = lambda ok: "**meets**" if ok else "**MISSES**"  # noqa: E731
    lines = [
        f"{batches:,} batches (seeded in {seed_seconds:.0f} s). Served stack: gunicorn "
        "(production settings, 2 workers x 4 threads) calling the simulator over HTTP "
        f"(`runsimulator --workers {SIMULATOR_WORKERS}`, its own SQLite database), which adds "
        f"{args.latency_ms} ms to every call (`SIMULATOR_LATENCY_MS`); the page and the export are "
        "fetched over HTTP with a signed-in session, the bare calls made by the project's client "
        "in the benchmark's process straight to the simulator. All on this machine's 2 cores.",
        "",
        table(
            ["request", "median ms", "p95 ms", "min ms", "runs"],
            [
                [t.label, f"{t.median_ms}", f"{t.p95_ms}", f"{t.min_ms}", str(t.runs)]
                for t in (page_timing, floor_timing, bare_timing)
            ],
        ),
        "",
        f"List page (`{LIST_PATH}`, 50 rows) / bare client call: **{page_ratio:.3f}x** "
        f"(budget {PAGE_BUDGET:.2f}x): {verdict(page_ok)}. For scale, the floor "
        f"(`{FLOOR_PATH}`, benchmark-only: signed in, the same call and its 50 rows, no filters "
        f"and no page around them): {floor_timing.median_ms / bare_timing.median_ms:.3f}x.",
        "",
        table(
            ["run", "CSV export s", "worker growth MB", "client iteration s"],
            [
                [str(i + 1), f"{e[0]:.2f}", f"{e[1]:.1f}", f"{it[0]:.2f}"]
                for i, (e, it) in enumerate(zip(exports, iterations, strict=True))
            ],
        ),
        "",
        f"CSV export of all {batches:,} batches ({csv_mb:.1f} MB of CSV) / the client iterating "
        f"them: **{export_ratio:.3f}x** (median of {len(exports)} runs; budget "
        f"{EXPORT_BUDGET:.2f}x; after one warm-up round): {verdict(export_ok)}. Peak growth of "
        f"the gunicorn worker during an export (the warm-up's included): **{growth:.1f} MB** "
        f"(budget < {MEMORY_BUDGET_MB:.0f} MB): "
        f"{verdict(memory_ok)}.",
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
        timings=[page_timing, floor_timing, bare_timing],
    )


if __name__ == "__main__":
    main()
