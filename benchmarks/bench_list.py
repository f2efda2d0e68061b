"""The batch list page, one request at a time and under load, against the signed-in floor page.

One served stack: the API stand-in (benchmarks/api_standin.py: a canned page of 50 batches after
`--latency-ms`, almost no CPU) and the dashboard under gunicorn (gunicorn.conf.py, 2 workers x 4
threads, production settings plus the floor page of benchmarks/floor.py) calling it over HTTP.

1. One request at a time, alternated: the list page (`/batches/?status=open&size=50`), the floor
   page (`/bench/floor/`: signed in, the same call, its 50 rows, nothing else) and the bare call
   (the project's client in this process, straight to the stand-in). Budget: list page median
   within 1.05x of the floor's. The ratio to the bare call is reported with its latency, no budget.
2. Load (wrk, `--connections` connections, signed in): the list page and the floor page, in four
   runs of `--duration` s (list, floor, floor, list). Budget: list throughput at least 0.5x the
   floor's. CPU per request of gunicorn and of the stand-in, read from /proc, is reported too.

    python benchmarks/bench_list.py [--runs 30] [--latency-ms 50] [--duration 5] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import (
    Result,
    Servers,
    Timing,
    children_of,
    cpu_seconds,
    django_here,
    machine_info,
    machine_line,
    measure,
    table,
    verdict,
)

NAME = "list"
PAGE_BUDGET = 1.05  # list page / floor page, one at a time
LOAD_BUDGET = 0.5  # list throughput / floor throughput at 32 connections
LIST_PATH = "/batches/?status=open&size=50"
FLOOR_PATH = "/bench/floor/"  # benchmarks/floor.py
MARK = b"BENCH-0001"  # the canned page's last row: the page printed all 50
WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
    + summary.errors.status))
end
"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="timed requests of each page")
    parser.add_argument("--latency-ms", type=int, default=50, help="the stand-in's latency")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run (4 runs)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--json", help="write the result here (run_all.py uses this)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> Result:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk (make bench-deps)")
    with Servers() as servers:
        api_url = servers.api(latency_ms=args.latency_ms)
        app = servers.dashboard(api_url=api_url, api_key="benchkey0123456789")
        one, bare = one_at_a_time(args, app=app, api_url=api_url, workdir=servers.workdir)
        load = []  # (page, wrk figures), in the order list, floor, floor, list
        for name in ("list page", "floor page", "floor page", "list page"):
            path = LIST_PATH if name == "list page" else FLOOR_PATH
            load.append((name, wrk_run(args, app=app, path=path, api_pid=servers.pids["api"])))
    result = report(args, one=one, bare=bare, load=load)
    print(result.markdown)
    if args.json:
        result.write(args.json)
    return result


def one_at_a_time(args: argparse.Namespace, *, app, api_url: str, workdir: Path):
    person = app.session()

    def getter(path: str):
        def get() -> None:
            response = person.get(app.url + path, timeout=60, allow_redirects=False)
            if response.status_code != 200 or MARK not in response.content:
                raise SystemExit(f"{path} answered {response.status_code} without its 50 rows")

        return get

    django_here(database=workdir / "client.sqlite3", api_url=api_url)  # the client alone
    from batchui.batchapi import get_client

    client = get_client()

    def bare() -> None:
        client.list_batches(filter="batchStatus equals 'Open'", page_size=50, api_key="benchkey01")

    calls = {"list page": getter(LIST_PATH), "floor page": getter(FLOOR_PATH), "bare call": bare}
    rounds: dict[str, list[Timing]] = {name: [] for name in calls}
    for _ in range(3):  # alternated, so that drift on the shared machine hits all alike
        for name, call in calls.items():
            rounds[name].append(measure(name, call, runs=args.runs // 3, warmup=2))
    timings = {name: _merge(name, found) for name, found in rounds.items()}
    return timings, timings.pop("bare call")


def _merge(label: str, samples: list[Timing]) -> Timing:
    """One Timing from the alternated rounds (the median of their medians)."""
    medians = sorted(sample.median_ms for sample in samples)
    return Timing(
        label=label,
        runs=sum(sample.runs for sample in samples),
        median_ms=medians[len(medians) // 2],
        p95_ms=max(sample.p95_ms for sample in samples),
        min_ms=min(sample.min_ms for sample in samples),
    )


def wrk_run(args: argparse.Namespace, *, app, path: str, api_pid: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    gunicorn = [app.pid, *app.worker_pids()]
    before = cpu_seconds(gunicorn), cpu_seconds([api_pid])
    try:
        done = subprocess.run(
            ["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "10s",
             "-H", f"Cookie: sessionid={app.session_cookie}", "-s", script.name, app.url + path],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    finally:
        os.unlink(script.name)
    after = cpu_seconds(gunicorn + children_of(app.pid)), cpu_seconds([api_pid])
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRKJSON "))
    raw = json.loads(line.removeprefix("WRKJSON "))
    requests = max(raw["requests"], 1)
    return {
        "requests": raw["requests"],
        "seconds": raw["duration_us"] / 1e6,
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50_ms": raw["p50_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "failed": raw["errors"],
        "app_cpu_ms": (after[0] - before[0]) * 1000 / requests,
        "api_cpu_ms": (after[1] - before[1]) * 1000 / requests,
    }


def throughput(load: list[tuple[str, dict]], name: str) -> float:
    runs = [figures for page, figures in load if page == name]
    return sum(r["requests"] for r in runs) / sum(r["seconds"] for r in runs)


def report(args, *, one: dict[str, Timing], bare: Timing, load: list[tuple[str, dict]]) -> Result:
    machine = machine_info()
    page, floor = one["list page"], one["floor page"]
    page_ratio = page.median_ms / floor.median_ms
    load_ratio = throughput(load, "list page") / throughput(load, "floor page")
    page_ok, load_ok = page_ratio <= PAGE_BUDGET, load_ratio >= LOAD_BUDGET
    rows = [
        [t.label, f"{t.median_ms:.1f}", f"{t.p95_ms:.1f}", f"{t.min_ms:.1f}", str(t.runs)]
        for t in (page, floor, bare)
    ]
    load_rows = [
        [name, f"{r['rps']:.0f}", f"{r['p50_ms']:.0f}", f"{r['p95_ms']:.0f}",
         f"{r['app_cpu_ms']:.1f}", f"{r['api_cpu_ms']:.2f}", str(r["failed"])]
        for name, r in load
    ]  # fmt: skip
    threads = 2 * 4
    lines = [
        "The API stand-in (`benchmarks/api_standin.py`: a canned page of 50 batches after "
        f"{args.latency_ms} ms) and the dashboard under gunicorn (`gunicorn.conf.py`, 2 workers "
        "x 4 threads, production settings plus the floor page) calling it over HTTP; signed in.",
        "",
        f"### One request at a time (ms; {args.runs} each, alternated)",
        "",
        table(["request", "median", "p95", "min", "runs"], rows),
        "",
        f"List page (`{LIST_PATH}`) / floor page (`{FLOOR_PATH}`: the same call and its 50 rows, "
        f"nothing else): **{page_ratio:.3f}x** (budget {PAGE_BUDGET:.2f}x): {verdict(page_ok)}. "
        f"List page / the bare call at {args.latency_ms} ms of latency: "
        f"{page.median_ms / bare.median_ms:.3f}x (no budget; the floor: "
        f"{floor.median_ms / bare.median_ms:.3f}x).",
        "",
        f"### Load: wrk, {args.connections} connections, {args.duration} s a run, in this order",
        "",
        table(
            [
                "page",
                "requests/s",
                "p50 ms",
                "p95 ms",
                "gunicorn CPU ms/req",
                "stand-in CPU ms/req",
                "failed",
            ],
            load_rows,
        ),
        "",
        f"List throughput / floor throughput (requests over seconds of both runs of each): "
        f"**{load_ratio:.2f}x** (budget >= {LOAD_BUDGET}x): "
        f"{verdict(load_ok)}. With {threads} gunicorn threads each waiting {args.latency_ms} ms "
        f"per call, neither page can pass ~{threads * 1000 / args.latency_ms:.0f} requests/s; "
        "the CPU per request is the dashboard's own cost.",
        "",
        machine_line(machine),
    ]
    return Result(
        name=NAME,
        title="Batch list page: to the floor page, and under load",
        machine=machine,
        markdown="\n".join(lines),
        summary=(
            f"page {page_ratio:.3f}x floor ({verdict(page_ok)}); load {load_ratio:.2f}x floor "
            f"({verdict(load_ok)})"
        ),
        ok=page_ok and load_ok,
        timings=[page, floor, bare],
    )


if __name__ == "__main__":
    main()
