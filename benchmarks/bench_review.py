"""The review screen over 20,000 open and pending batches, with 100 ms of added latency per call.

The simulator runs in its own processes (`manage.py runsimulator --workers 2` on a free port,
its own SQLite file, SIMULATOR_LATENCY_MS=100), and this process is the dashboard pointing
BATCH_API_URL at it, so that the concurrent page fetches are real HTTP calls answered in
parallel (two processes: one per core of this machine). Measured:

- one after another: the same pages the review reads (open and pending, then closed recently),
  fetched with `list_batches` one at a time: the time a plain loop would take;
- cold: GET /review/ with an empty cache (every page fetched, `iter_batches(max_workers=8)`,
  the closed batches alongside), figures computed, page rendered;
- cached: GET /review/ again (figures from the cache, page rendered).

Budgets (docs/performance.md): cold within 0.25x of one-after-another; cached under 50 ms.

    python benchmarks/bench_review.py [--work 20000] [--latency 100] [--runs 5]
        [--simulator-workers 2] [--json PATH]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from harness import REPO, Result, Timing, machine_info, machine_line, measure, table, use_repo

NAME = "review"
COLD_RATIO = 0.25
CACHED_MS = 50.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=int, default=20_000, help="open + pending batches")
    parser.add_argument("--latency", type=int, default=100, help="ms added to every call")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of the slow measures")
    parser.add_argument("--cached-runs", type=int, default=50, help="timed cached page loads")
    parser.add_argument(
        "--simulator-workers",
        type=int,
        default=2,
        help="runsimulator --workers: processes answering (default 2, one per core here)",
    )
    parser.add_argument("--json", help="write the result here (run_all.py uses this)")
    return parser.parse_args(argv)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main(argv: list[str] | None = None) -> Result:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="batchui-bench-review-"))
    port = free_port()
    database = f"sqlite:///{workdir / 'bench.sqlite3'}"
    # Before django.setup(): the dashboard side of the measurement.
    os.environ.update(
        {
            "DATABASE_URL": database,
            "BATCH_API_URL": f"http://127.0.0.1:{port}",
            "LOG_LEVEL": "WARNING",
            "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
        }
    )
    use_repo()
    server = None
    try:
        import django

        django.setup()
        import batchui.wsgi  # noqa: F401 - the dashboard as gunicorn loads it (gc.freeze())

        key, seeded = prepare(args)
        server = start_simulator(
            database=database, port=port, latency=args.latency, workers=args.simulator_workers
        )
        result = run(args, key=key, seeded=seeded)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(workdir, ignore_errors=True)
    print(result.markdown)
    if args.json:
        result.write(args.json)
    return result


def prepare(args: argparse.Namespace) -> tuple[str, dict[str, int]]:
    """Migrate, seed realistic batches, make `args.work` of them open or pending; a lead's key."""
    from django.core.management import call_command
    from django.utils import timezone

    from batchui.accounts.provisioning import account_upsert
    from batchui.accounts.roles import Role
    from batchui.accounts.services import api_key_for
    from batchui.simulator.models import Batch
    from batchui.simulator.seeding import seed_batches

    call_command("migrate", verbosity=0)
    now = timezone.now().replace(microsecond=0)
    # The seed makes about a fifth open or pending; older closed batches are turned into open and
    # pending ones until there are args.work of them (the recent closes stay for the chart).
    seed_batches(count=args.work + args.work // 4, seed=2026, now=now)
    missing = args.work - Batch.objects.filter(batch_status__in=("Open", "Pending")).count()
    if missing > 0:
        old = list(
            Batch.objects.filter(batch_status="Closed", end_date__lt=now - timedelta(days=60))
            .order_by("batch_id")
            .values_list("batch_id", flat=True)[:missing]
        )
        pending = old[: len(old) // 4]
        opened = old[len(old) // 4 :]
        for ids, status in ((opened, "Open"), (pending, "Pending")):
            for start in range(0, len(ids), 5000):
                Batch.objects.filter(batch_id__in=ids[start : start + 5000]).update(
                    batch_status=status, end_date=None
                )
    lead = account_upsert(
        username="bench-lead",
        role=Role.LEAD,
        password="bench-Lead-pass-1",  # noqa: S106 - a throwaway database
        simulator_user="MLEAD",
        full_name="Bench Lead",
    ).user
    seeded = {
        status: Batch.objects.filter(batch_status=status).count()
        for status in ("Open", "Pending", "Closed")
    }
    return api_key_for(lead), seeded


def start_simulator(*, database: str, port: int, latency: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "SIMULATOR_LATENCY_MS": str(latency),
        # Database connections kept between the calls of one client connection, as
        # docker-compose.yml runs the app (the simulator's server closes them with it).
        "CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "batchui.settings",
    }
    env.pop("BATCH_API_URL", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "runsimulator",
            f"127.0.0.1:{port}",
            f"--workers={workers}",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the simulator stopped at once (exit {server.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("the simulator did not start listening within 30 s")


def run(args: argparse.Namespace, *, key: str, seeded: dict[str, int]) -> Result:
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client
    from django.utils import timezone

    from batchui.batchapi import get_client
    from batchui.batchapi.client import ITER_PAGE_SIZE
    from batchui.review.services import (
        OPEN_OR_PENDING,
        REVIEW_WORKERS,
        recently_closed_filter,
        review_snapshot,
    )

    client = get_client()
    now = timezone.now()
    filters = [OPEN_OR_PENDING, recently_closed_filter(now=now, days=settings.REVIEW_CLOSED_DAYS)]
    pages = {"calls": 0}

    def one_after_another() -> None:
        calls = 0
        for which in filters:
            page_number, last = 1, 1
            while page_number <= last:
                page = client.list_batches(
                    filter=which, page_number=page_number, page_size=ITER_PAGE_SIZE, api_key=key
                )
                last, page_number, calls = page.total_pages, page_number + 1, calls + 1
        pages["calls"] = calls

    browser = Client()
    from django.contrib.auth import get_user_model

    browser.force_login(get_user_model().objects.get(username="bench-lead"))

    def cold_page() -> None:
        cache.clear()
        response = browser.get("/review/")
        assert response.status_code == 200
        assert b'id="people-table"' in response.content

    def cold_service() -> None:
        review_snapshot(api_key=key, refresh=True)

    def cached_page() -> None:
        response = browser.get("/review/")
        assert response.status_code == 200

    timings: list[Timing] = []
    print("  one after another...", file=sys.stderr)
    timings.append(measure("one after another", one_after_another, runs=args.runs, warmup=1))
    sequential = timings[-1]
    sequential.note = f"{pages['calls']} calls"
    print("  cold...", file=sys.stderr)
    timings.append(
        measure(
            "cold: GET /review/, empty cache",
            cold_page,
            runs=args.runs,
            warmup=1,
            note=f"iter_batches(max_workers={REVIEW_WORKERS}), closed alongside",
        )
    )
    cold = timings[-1]
    timings.append(
        measure(
            "cold: review_snapshot(refresh=True)",
            cold_service,
            runs=args.runs,
            warmup=0,
            note="fetch + figures, no page",
        )
    )
    print("  cached...", file=sys.stderr)
    cold_page()
    timings.append(
        measure(
            "cached: GET /review/",
            cached_page,
            runs=args.cached_runs,
            warmup=3,
            note="figures from the cache, page rendered",
        )
    )
    cached = timings[-1]
    return report(
        args=args, timings=timings, seeded=seeded, sequential=sequential, cold=cold, cached=cached
    )


def report(
    *,
    args: argparse.Namespace,
    timings: list[Timing],
    seeded: dict[str, int],
    sequential: Timing,
    cold: Timing,
    cached: Timing,
) -> Result:
    ratio = cold.median_ms / sequential.median_ms
    cold_ok = ratio <= COLD_RATIO
    cached_ok = cached.median_ms < CACHED_MS
    rows = [
        [t.label, f"{t.median_ms:.1f}", f"{t.p95_ms:.1f}", f"{t.min_ms:.1f}", str(t.runs), t.note]
        for t in timings
    ]
    machine = machine_info()
    verdict = {True: "meets", False: "MISSES"}
    markdown = "\n".join(
        [
            f"{seeded['Open']:,} open, {seeded['Pending']:,} pending and {seeded['Closed']:,} "
            "closed batches (`seed_batches`, seed 2026, older closed batches turned open or "
            "pending). The simulator runs in its own processes (`manage.py runsimulator "
            f"--workers {args.simulator_workers}`, SIMULATOR_LATENCY_MS={args.latency}); the "
            "dashboard calls it over HTTP "
            "(BATCH_API_URL), pages of 1000. Times in ms.",
            "",
            table(["measure", "median", "p95", "min", "runs", "note"], rows),
            "",
            f"Budget: cold within {COLD_RATIO}x of one after another: **{verdict[cold_ok]}** "
            f"({ratio:.2f}x). Cached under {CACHED_MS:.0f} ms: **{verdict[cached_ok]}** "
            f"({cached.median_ms:.1f} ms).",
            "",
            machine_line(machine),
        ]
    )
    summary = (
        f"cold {cold.median_ms:.0f} ms = {ratio:.2f}x of one-after-another "
        f"{sequential.median_ms:.0f} ms (target <= {COLD_RATIO}x: {verdict[cold_ok]}); cached "
        f"{cached.median_ms:.1f} ms (target < {CACHED_MS:.0f} ms: {verdict[cached_ok]})"
    )
    return Result(
        name=NAME,
        title="Review screen: 20,000 open and pending batches, 100 ms per call",
        machine=machine,
        markdown=markdown,
        summary=summary,
        ok=cold_ok and cached_ok,
        timings=timings,
    )


if __name__ == "__main__":
    main()
