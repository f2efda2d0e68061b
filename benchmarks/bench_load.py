"""Load and growth of the served dashboard: gunicorn + the simulator in its own process (HTTP).

    python benchmarks/bench_load.py [--sizes 1000,10000,100000] [--load-at 10000]
                                    [--duration 10] [--connections 32] [--json PATH]

1. Load (wrk, `--connections` connections, `--duration` s each, a signed-in session cookie): the
   batch list `/batches/` and a bare page `/bench/bare/` (base.html and 50 table rows, no Batch API
   call; mounted only with BENCH_BARE_VIEW=1), measured in the same run. Throughput and p95.
   Budget: list throughput >= 0.5 x bare.
2. Growth (sequential requests, one at a time) at each size: the list page, the CSV export and the
   review page, each next to the bare API call(s) it depends on, made with the project's client
   straight to the simulator (`list_batches(page_size=50)`; `iter_batches()` of everything;
   `review_fetch()`). Budgets are ratios to those bare calls, and flat/linear growth.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime

from harness import Result, Stack, app_stack, machine_info, machine_line, table, use_repo

WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, '
    .. '"errors": %d, "bad_status": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
"""

# Budgets (also in the Budget table of docs/performance.md).
LOAD_RATIO_MIN = 0.5  # list throughput / bare page throughput
LIST_RATIO_MAX = 3.0  # list page median / bare list_batches(page_size=50) median
LIST_FLAT_MAX = 1.5  # list page median at the largest size / at the smallest
EXPORT_RATIO_MAX = 1.5  # export median / bare iter_batches() median
REVIEW_RATIO_MAX = 1.5  # review median / bare review_fetch() median
LINEAR_SLACK = 1.5  # cost per 1,000 batches at the largest size / at the middle size


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="batch counts, ascending")
    parser.add_argument("--load-at", type=int, default=10_000, help="batches during the wrk run")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--json", help="write the result here (run_all.py uses this)")
    return parser.parse_args(argv)


# --- load -----------------------------------------------------------------------------------------


def wrk(url: str, *, header: str, connections: int, duration: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        done = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{duration}s",
                "--latency",
                "--timeout",
                "10s",
                "-H",
                header,
                "-s",
                script.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(script.name)
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRKJSON "))
    raw = json.loads(line.removeprefix("WRKJSON "))
    return {
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50_ms": raw["p50_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "failed": raw["errors"] + raw["bad_status"],
        "requests": raw["requests"],
    }


# --- growth ---------------------------------------------------------------------------------------


def median_ms(call: Callable[[], object], *, runs: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def page_getter(session, url: str) -> Callable[[], int]:
    def get() -> int:
        answer = session.get(url, timeout=300, allow_redirects=False)
        if answer.status_code != 200:
            raise RuntimeError(f"GET {url}: {answer.status_code}")
        return len(answer.content)

    return get


def bare_calls(stack: Stack) -> dict[str, Callable[[], object]]:
    """The project's client, straight to the simulator: what each screen's figure depends on."""
    os.environ.update({"BATCH_API_URL": stack.simulator_url, "LOG_LEVEL": "WARNING"})
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.gettempdir()}/batchui-bench-unused.sqlite3"
    use_repo()
    import django

    django.setup()
    from batchui.batchapi import get_client

    client, key = get_client(), stack.api_key
    calls: dict[str, Callable[[], object]] = {
        "list": lambda: client.list_batches(page_size=50, api_key=key),
        "export": lambda: sum(1 for _ in client.iter_batches(api_key=key)),
    }
    try:
        from batchui.review.services import review_fetch
    except ImportError:
        return calls
    calls["review"] = lambda: review_fetch(api_key=key, now=datetime.now(UTC))
    return calls


def available(session, url: str) -> bool:
    return session.get(url, timeout=300, allow_redirects=False).status_code == 200


def growth(stack: Stack, sizes: list[int]) -> tuple[list[dict], float]:
    session = stack.session()
    bare = bare_calls(stack)
    screens = {
        "list": "/batches/",
        "export": "/batches/export.csv",
        "review": "/review/",
    }
    rows, seeding = [], 0.0
    for size in sizes:
        seeding += stack.grow_to(size)
        runs_heavy = 5 if size <= 10_000 else 3
        row: dict = {"size": size}
        for name, path in screens.items():
            url = stack.app_url + path
            if name not in bare or not available(session, url):
                row[name] = row[f"{name}_bare"] = None
                continue
            runs = 15 if name == "list" else runs_heavy
            row[name] = median_ms(page_getter(session, url), runs=runs)
            row[f"{name}_bare"] = median_ms(bare[name], runs=runs)
        rows.append(row)
        print(
            f"  {size:>7} batches: "
            + ", ".join(f"{k} {v:.0f} ms" for k, v in row.items() if k != "size" and v is not None),
            flush=True,
        )
    return rows, seeding


# --- report ---------------------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def verdict(ok: bool | None) -> str:
    return "not measured" if ok is None else ("**meets**" if ok else "**misses**")


def report(load: dict, rows: list[dict], args, seeding: float, machine) -> Result:
    lines = [
        "Served stack: gunicorn (`gunicorn.conf.py`, 2 workers x 4 threads, production settings, "
        "SQLite) calling the simulator over HTTP (`runsimulator`, its own process and SQLite "
        "database), all on this machine's 2 cores together with the load tool.",
        "",
        f"### Load: {args.connections} connections for {args.duration} s each "
        f"(wrk, {args.load_at:,} batches, signed in)",
        "",
        table(
            ["page", "requests/s", "p50 ms", "p95 ms", "p99 ms", "failed"],
            [
                [
                    name,
                    f"{r['rps']:.0f}",
                    fmt(r["p50_ms"]),
                    fmt(r["p95_ms"]),
                    fmt(r["p99_ms"]),
                    str(r["failed"]),
                ]
                for name, r in load.items()
            ],
        ),
        "",
    ]
    load_ratio = ratio(load["list /batches/"]["rps"], load["bare /bench/bare/"]["rps"])
    api_ratio = ratio(
        load["list /batches/"]["rps"], load["bare API call (simulator, pageSize=50)"]["rps"]
    )
    load_ok = None if load_ratio is None else load_ratio >= LOAD_RATIO_MIN
    lines += [
        f"Budget: list throughput >= {LOAD_RATIO_MIN} x bare page: {verdict(load_ok)} "
        f"({fmt(load_ratio, 2)} x; {fmt(api_ratio, 2)} x the bare API call's throughput, which "
        "bounds it: each list page makes one such call).",
        "",
        "### Growth: one request at a time, median ms (bare = the project's client straight to the "
        "simulator, no view)",
        "",
    ]
    table_rows = []
    for row in rows:
        table_rows.append(
            [f"{row['size']:,}"]
            + [
                f"{fmt(row[n], 0)} / {fmt(row[n + '_bare'], 0)} "
                f"(x{fmt(ratio(row[n], row[n + '_bare']), 2)})"
                if row[n] is not None
                else "not available"
                for n in ("list", "export", "review")
            ]
        )
    lines.append(
        table(["batches", "list page / bare call", "export / bare", "review / bare"], table_rows)
    )
    checks: list[tuple[str, bool | None, str]] = []

    def each_ratio(name: str, limit: float) -> None:
        found = [ratio(r[name], r[f"{name}_bare"]) for r in rows if r[name] is not None]
        if not found:
            checks.append((f"{name} / bare <= {limit}", None, "screen not available"))
            return
        worst = max(found)
        checks.append(
            (f"{name} / bare <= {limit} at every size", worst <= limit, f"worst x{worst:.2f}")
        )

    each_ratio("list", LIST_RATIO_MAX)
    each_ratio("export", EXPORT_RATIO_MAX)
    each_ratio("review", REVIEW_RATIO_MAX)
    first, last = rows[0], rows[-1]
    if first["list"] and last["list"]:
        growth_ratio = last["list"] / first["list"]
        checks.append(
            (
                f"list flat: at {last['size']:,} <= {LIST_FLAT_MAX} x at {first['size']:,}",
                growth_ratio <= LIST_FLAT_MAX,
                f"x{growth_ratio:.2f}",
            )
        )
    if len(rows) >= 2:
        middle = rows[-2]
        for name in ("export", "review"):
            if middle[name] and last[name]:
                per_middle = middle[name] / middle["size"]
                per_last = last[name] / last["size"]
                checks.append(
                    (
                        f"{name} linear: ms per batch at {last['size']:,} <= {LINEAR_SLACK} x at "
                        f"{middle['size']:,}",
                        per_last <= LINEAR_SLACK * per_middle,
                        f"x{per_last / per_middle:.2f}",
                    )
                )
    lines += [
        "",
        table(
            ["budget", "result", "measured"],
            [[what, verdict(ok), detail] for what, ok, detail in checks],
        ),
        "",
        f"Seeding the simulator up to {rows[-1]['size']:,} batches took {seeding:.0f} s "
        "(not measured against a budget).",
        "",
        machine_line(machine),
    ]
    all_ok = [ok for _, ok, _ in checks] + [load_ok]
    return Result(
        name="load",
        title="Served dashboard: load and growth (gunicorn + simulator over HTTP)",
        machine=machine,
        markdown="\n".join(lines),
        summary=(
            f"list {load['list /batches/']['rps']:.0f} req/s vs bare "
            f"{load['bare /bench/bare/']['rps']:.0f} (x{fmt(load_ratio, 2)}); "
            + "; ".join(f"{what.split(':')[0]}: {detail}" for what, _, detail in checks[:3])
        ),
        ok=all(ok is not False for ok in all_ok),
    )


def main(argv: list[str] | None = None) -> Result:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk (make bench installs it)")
    sizes = sorted(int(size) for size in args.sizes.split(","))
    with app_stack() as stack:
        if stack.batch_count() > sizes[0]:
            stack.manage("seed_batches", "--count", "0", "--replace")
        print(f"load test at {args.load_at:,} batches", flush=True)
        stack.grow_to(args.load_at)
        load = {}
        cookie = f"Cookie: sessionid={stack.session_cookie}"
        targets = (
            ("list /batches/", stack.app_url + "/batches/", cookie),
            ("bare /bench/bare/", stack.app_url + "/bench/bare/", cookie),
            (
                "bare API call (simulator, pageSize=50)",
                stack.simulator_url + "/api/v3/batch?pageSize=50",
                f"ECI-ApiKey: {stack.api_key}",
            ),
        )
        for name, url, header in targets:
            if header == cookie:
                page_getter(stack.session(), url)()  # fails loudly when the page is not there
            load[name] = wrk(
                url, header=header, connections=args.connections, duration=args.duration
            )
        stack.manage("seed_batches", "--count", "0", "--replace")
        print("growth", flush=True)
        rows, seeding = growth(stack, sizes)
    result = report(load, rows, args, seeding, machine_info())
    print(result.markdown)
    if args.json:
        result.write(args.json)
    return result


if __name__ == "__main__":
    main()
