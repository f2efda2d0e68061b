"""The CSV export of 100,000 batches against the project's client iterating the same batches.

The simulator (`runsimulator`, its own database) behind the counting proxy
(benchmarks/api_standin.py, `--latency-ms` added to every call), and the dashboard under gunicorn
(gunicorn.conf.py, 2 workers x 4 threads) calling the proxy. Measured in turn, after one warm-up
round: `/batches/export.csv` fetched signed in, and `iter_batches()` in this process through the
same proxy. Budgets: the export's median within 1.10x of the iteration's; the gunicorn worker that
serves it grows by under 60 MB (the peak of every round, the warm-up's included).

    python benchmarks/bench_export.py [--count 100000] [--runs 5] [--latency-ms 50] [--json PATH]
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

from harness import Result, Servers, django_here, machine_info, machine_line, table, verdict

NAME = "export"
EXPORT_BUDGET = 1.10
MEMORY_BUDGET_MB = 60.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="batches to seed")
    parser.add_argument("--runs", type=int, default=5, help="timed rounds (after one warm-up)")
    parser.add_argument("--latency-ms", type=int, default=50, help="added to every API call")
    parser.add_argument("--json", help="write the result here (run_all.py uses this)")
    return parser.parse_args(argv)


class PeakRss:
    """Samples the resident memory of some processes every 5 ms; `growth_mb` is the largest
    peak-minus-start among them."""

    def __init__(self, pids: list[int]) -> None:
        self._pids = pids
        self._page = os.sysconf("SC_PAGE_SIZE")
        self._stop = threading.Event()

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


def main(argv: list[str] | None = None) -> Result:
    args = parse_args(argv)
    with Servers() as servers:
        started = time.perf_counter()
        simulator_url, key, _ = servers.simulator(count=args.count)
        seed_seconds = time.perf_counter() - started
        api_url = servers.api(latency_ms=args.latency_ms, upstream=simulator_url)
        app = servers.dashboard(api_url=api_url, api_key=key)
        rounds = measure(args, app=app, api_url=api_url, key=key, workdir=servers.workdir)
    result = report(args, rounds=rounds, seed_seconds=seed_seconds)
    print(result.markdown)
    if args.json:
        result.write(args.json)
    return result


def measure(args: argparse.Namespace, *, app, api_url: str, key: str, workdir: Path) -> list[dict]:
    import gc

    django_here(database=workdir / "client.sqlite3", api_url=api_url)  # the client alone
    from batchui.batchapi import get_client

    client, person, workers = get_client(), app.session(), app.worker_pids()
    rounds = []
    for _ in range(args.runs + 1):
        gc.collect()
        started = time.perf_counter()
        count = sum(1 for _ in client.iter_batches(api_key=key))
        iterate_s = time.perf_counter() - started
        with PeakRss(workers) as rss:
            started = time.perf_counter()
            with person.get(app.url + "/batches/export.csv", stream=True, timeout=600) as got:
                if got.status_code != 200:
                    raise SystemExit(f"the export answered {got.status_code}")
                size = sum(len(chunk) for chunk in got.iter_content(64 * 1024))
            export_s = time.perf_counter() - started
        rounds.append(
            {"iterate_s": iterate_s, "export_s": export_s, "growth_mb": rss.growth_mb,
             "batches": count, "bytes": size}
        )  # fmt: skip
        print(f"  export {export_s:.2f} s (worker +{rss.growth_mb:.1f} MB), "
              f"iterate {iterate_s:.2f} s", file=sys.stderr)  # fmt: skip
    return rounds


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def report(args: argparse.Namespace, *, rounds: list[dict], seed_seconds: float) -> Result:
    machine = machine_info()
    timed = rounds[1:]  # the first round is a warm-up
    export_s = _median([r["export_s"] for r in timed])
    iterate_s = _median([r["iterate_s"] for r in timed])
    ratio = export_s / iterate_s
    growth = max(r["growth_mb"] for r in rounds)
    export_ok, memory_ok = ratio <= EXPORT_BUDGET, growth < MEMORY_BUDGET_MB
    rows = [
        [str(i) if i else "warm-up", f"{r['export_s']:.2f}", f"{r['growth_mb']:.1f}",
         f"{r['iterate_s']:.2f}"]
        for i, r in enumerate(rounds)
    ]  # fmt: skip
    lines = [
        f"{rounds[0]['batches']:,} batches (seeded in {seed_seconds:.0f} s with the simulator's "
        "setup). The simulator (`runsimulator`) behind the counting proxy, which adds "
        f"{args.latency_ms} ms to every call; the dashboard under gunicorn (2 workers x 4 "
        "threads) calls the proxy, and so does `iter_batches()` in the benchmark's process.",
        "",
        table(["round", "CSV export s", "worker growth MB", "iter_batches s"], rows),
        "",
        f"CSV export ({rounds[0]['bytes'] / 1024 / 1024:.1f} MB) / `iter_batches()` of the same "
        f"batches: **{ratio:.3f}x** (median of {len(timed)} rounds; budget {EXPORT_BUDGET:.2f}x): "
        f"{verdict(export_ok)}. Peak growth of a gunicorn worker: **{growth:.1f} MB** (budget "
        f"< {MEMORY_BUDGET_MB:.0f} MB): {verdict(memory_ok)}.",
        "",
        machine_line(machine),
    ]
    return Result(
        name=NAME,
        title="CSV export of 100,000 batches",
        machine=machine,
        markdown="\n".join(lines),
        summary=f"export {ratio:.3f}x iter_batches ({verdict(export_ok)}); worker +{growth:.0f} MB"
        f" ({verdict(memory_ok)})",
        ok=export_ok and memory_ok,
    )


if __name__ == "__main__":
    main()
