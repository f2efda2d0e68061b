"""How fast the simulator answers `GET /api/v3/batch?pageSize=50&filter=...` over 100,000 batches.

Builds a throwaway SQLite database in a temporary directory, migrates it, seeds it with
`seed_batches`, and calls the simulator's WSGI application in-process (no socket, no dashboard
middleware), so the figures are the simulator's own: key check, filter parsing, COUNT, page query,
JSON. Budget (docs/performance.md): median < 30 ms for the typical filter.

    python benchmarks/bench_simulator_filter.py [--count 100000] [--runs 200] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from harness import Result, Timing, machine_info, machine_line, measure, table, use_repo

NAME = "simulator_filter"
TARGET_MS = 30.0
TYPICAL = "typical filter"


def shapes(now: datetime) -> list[tuple[str, dict[str, str]]]:
    """(label, query parameters) of each request measured; the first is the budgeted one."""
    d1 = (now - timedelta(days=90)).date().isoformat()
    d2 = now.date().isoformat()
    typical = (
        f"batchStatus equals 'Open' and batchCode like 'SMITH' and startDate between '{d1}'|'{d2}'"
    )
    return [
        (TYPICAL, {"pageSize": "50", "filter": typical}),
        ("no filter", {"pageSize": "50"}),
        ("status only", {"pageSize": "50", "filter": "batchStatus equals 'Open'"}),
        (
            "one of users",
            {"pageSize": "50", "filter": "systemUserCode one of 'JSMITH'|'ZOBRIEN'"},
        ),
        (
            "runningTotal greater than",
            {"pageSize": "50", "filter": "runningTotal greater than '50000'"},
        ),
        ("last 30 days", {"pageSize": "50", "filter": "startDate last 30 days"}),
        ("page 100 of everything", {"pageSize": "50", "pageNumber": "100"}),
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="batches to seed")
    parser.add_argument("--runs", type=int, default=200, help="timed runs per request shape")
    parser.add_argument("--warmup", type=int, default=20, help="untimed runs first")
    parser.add_argument("--json", help="write the result here (run_all.py uses this)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> Result:
    """Measure, print the table, and write the result file when --json is given."""
    args = parse_args(argv)
    result = measure_in_throwaway_db(args)
    print(result.markdown)
    if args.json:
        result.write(args.json)
    return result


def measure_in_throwaway_db(args: argparse.Namespace) -> Result:
    workdir = Path(tempfile.mkdtemp(prefix="batchui-bench-"))
    # Before django.setup(): settings read DATABASE_URL once.
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    use_repo()
    try:
        return run(args, workdir)
    finally:
        if args.keep:
            print(f"database kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def run(args: argparse.Namespace, workdir: Path) -> Result:
    import django

    django.setup()
    from django.core.management import call_command

    from batchui.simulator.models import ApiUser
    from batchui.simulator.seeding import seed_batches

    call_command("migrate", verbosity=0)
    now = datetime.now(UTC).replace(microsecond=0)
    started = time.perf_counter()
    seed_batches(count=args.count, seed=2026, now=now)
    seed_seconds = time.perf_counter() - started
    key = ApiUser.objects.get(user_code="JSMITH").issue_key()

    timings: list[Timing] = []
    plans: dict[str, list[str]] = {}
    for label, params in shapes(now):
        status, total, rows = request(key, params)
        if status != 200:
            raise SystemExit(f"{label}: the simulator answered {status}")
        note = f"{rows} rows of {total}"
        timings.append(
            measure(
                label,
                lambda params=params: request(key, params),
                runs=args.runs,
                warmup=args.warmup,
                note=note,
            )
        )
        print(f"  {label}: median {timings[-1].median_ms} ms ({note})", file=sys.stderr)
        plans[label] = query_plans(key, params)
    return report(args=args, now=now, timings=timings, plans=plans, seed_seconds=seed_seconds)


def request(key: str, params: dict[str, str]) -> tuple[int, int, int]:
    """GET /api/v3/batch through the simulator's WSGI app: (status, total records, rows)."""
    from batchui.simulator.wsgi import application

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/api/v3/batch",
        "QUERY_STRING": urlencode(params),
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8100",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8100",
        "HTTP_ECI_APIKEY": key,
        "CONTENT_TYPE": "application/json",
        "wsgi.url_scheme": "http",
        "wsgi.input": _EMPTY,
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    answer: dict[str, object] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info=None):
        answer["status"] = int(status.split()[0])
        answer["headers"] = {name.lower(): value for name, value in headers}

    body = b"".join(application(environ, start_response))
    headers = answer["headers"]
    total = int(headers.get("totalnumberofrecords", "-1"))
    rows = len(json.loads(body)) if answer["status"] == 200 else 0
    return answer["status"], total, rows


class _EmptyInput:
    def read(self, *args) -> bytes:
        return b""

    def readline(self, *args) -> bytes:
        return b""


_EMPTY = _EmptyInput()


def query_plans(key: str, params: dict[str, str]) -> list[str]:
    """EXPLAIN QUERY PLAN of each batch query one request runs (the key check left out)."""
    from django.db import connection

    captured: list[tuple[str, tuple]] = []

    def capture(execute, sql, params_, many, context):
        captured.append((sql, params_))
        return execute(sql, params_, many, context)

    with connection.execute_wrapper(capture):
        request(key, params)
    plans = []
    with connection.cursor() as cursor:
        for sql, sql_params in captured:
            if "simulator_batch" not in sql:
                continue
            cursor.execute("EXPLAIN QUERY PLAN " + sql, sql_params)
            steps = " / ".join(row[-1] for row in cursor.fetchall())
            plans.append(f"{'COUNT' if 'COUNT(' in sql else 'PAGE'}: {steps}")
    return plans


def report(
    *,
    args: argparse.Namespace,
    now: datetime,
    timings: list[Timing],
    plans: dict[str, list[str]],
    seed_seconds: float,
) -> Result:
    typical = next(t for t in timings if t.label == TYPICAL)
    ok = typical.median_ms < TARGET_MS
    verdict = "meets" if ok else "MISSES"
    rows = [
        [t.label, f"{t.median_ms:.1f}", f"{t.p95_ms:.1f}", f"{t.min_ms:.1f}", t.note]
        for t in timings
    ]
    shape_rows = [
        [label, f"`{p['filter']}`".replace("|", "\\|") if "filter" in p else "(none)"]
        for label, p in shapes(now)
    ]
    machine = machine_info()
    plan_lines = [f"- {label}: {'; '.join(steps)}" for label, steps in plans.items()]
    markdown = "\n".join(
        [
            f"{args.count:,} batches seeded with `seed_batches` (seed 2026) in "
            f"{seed_seconds:.1f} s; each request is `GET /api/v3/batch?pageSize=50&filter=...` "
            f"through `batchui.simulator.wsgi.application` in-process, {args.warmup} warm-up "
            f"calls then {args.runs} timed calls. Times in ms.",
            "",
            table(["request", "median", "p95", "min", "answer"], rows),
            "",
            f"Budget: typical filter median < {TARGET_MS:.0f} ms: **{verdict}** "
            f"({typical.median_ms:.1f} ms).",
            "",
            "Filters (the typical filter's dates are the 90 days before the run; the "
            "page-100 request adds `pageNumber=100`):",
            "",
            table(["request", "filter"], shape_rows),
            "",
            "SQLite's query plans (EXPLAIN QUERY PLAN of the COUNT and the page query):",
            "",
            *plan_lines,
            "",
            machine_line(machine),
        ]
    )
    summary = (
        f"typical filter median {typical.median_ms:.1f} ms, p95 {typical.p95_ms:.1f} ms "
        f"(target < {TARGET_MS:.0f} ms: {verdict})"
    )
    return Result(
        name=NAME,
        title="Simulator: filtered batch list over 100,000 batches",
        machine=machine,
        markdown=markdown,
        summary=summary,
        ok=ok,
        timings=timings,
    )


if __name__ == "__main__":
    main()
