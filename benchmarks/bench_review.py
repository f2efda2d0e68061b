"""The review screen over 20,000 open and pending batches, with 100 ms of latency per call.

This process is the dashboard (loaded as gunicorn loads it, `batchui.wsgi`; Django's test client,
signed in as a lead) on one database with the simulator, served behind the counting proxy of
benchmarks/api_standin.py, which adds `--latency` ms to every call. The proxy replays: the first
cold load takes every answer the review needs from the simulator, once, before anything is timed;
from then on the proxy answers the same calls with the same bytes from memory. So the API costs
almost no CPU on this machine, as EnergyCAP's CPU is elsewhere (issue 13's decision for the load
budget): timed through the simulator, both figures below were mostly the simulator's serial CPU
(~100 ms per 1000-batch page) on the same 2 cores, not the dashboard's. The calls are still counted
(every timed call must be a replayed one). Measured:

- cold: GET /review/ with the caches emptied (every page fetched, decoded and parsed, figures
  computed, page rendered); the calls it made are recorded by the proxy;
- one after another: the pages its data needs (page 1 of each listing the cold load read, then
  the rest up to its last page) fetched with the project's `list_batches` (decoded and parsed),
  one at a time: the latency of each call plus the dashboard's CPU per page;
- cached: GET /review/ again.

The first two alternate, run by run, so that the other work on the shared machine weighs on both
alike. Budgets: cold within 0.30x of one after another; cached under 50 ms.

    python benchmarks/bench_review.py [--work 20000] [--latency 100] [--runs 11] [--json PATH]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta

from bench_api_calls import listing_pages
from harness import (
    Result,
    Servers,
    Timing,
    api_calls,
    api_replay,
    dashboard_here,
    machine_info,
    machine_line,
    measure,
    measure_alternated,
    table,
    verdict,
)

NAME = "review"
COLD_RATIO = 0.30
CACHED_MS = 50.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=int, default=20_000, help="open + pending batches")
    parser.add_argument("--latency", type=int, default=100, help="ms added to every call")
    parser.add_argument("--runs", type=int, default=11, help="timed runs of the slow measures")
    parser.add_argument("--cached-runs", type=int, default=50, help="timed cached page loads")
    parser.add_argument("--json", help="write the result here (run_all.py uses this)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> Result:
    args = parse_args(argv)
    seeded: dict[str, int] = {}
    with Servers() as servers:
        api_url, lead = dashboard_here(
            servers, latency_ms=args.latency, seed=lambda: seeded.update(prepare(args))
        )
        import batchui.wsgi  # noqa: F401 - the dashboard as gunicorn loads it

        result = run(args, api_url=api_url, lead=lead, seeded=seeded)
    print(result.markdown)
    if args.json:
        result.write(args.json)
    return result


def prepare(args: argparse.Namespace) -> dict[str, int]:
    """Seed realistic batches, make `args.work` of them open or pending; the counts."""
    from django.utils import timezone

    from batchui.simulator.models import Batch
    from batchui.simulator.seeding import seed_batches

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
    return {
        status: Batch.objects.filter(batch_status=status).count()
        for status in ("Open", "Pending", "Closed")
    }


def run(args: argparse.Namespace, *, api_url: str, lead, seeded: dict[str, int]) -> Result:
    from django.core.cache import cache
    from django.test import Client

    from batchui.accounts.services import api_key_for
    from batchui.batchapi import get_client

    browser = Client()
    browser.force_login(lead)

    def cold_page() -> None:
        cache.clear()
        response = browser.get("/review/")
        assert response.status_code == 200
        assert b'id="people-table"' in response.content

    def cached_page() -> None:
        assert browser.get("/review/").status_code == 200

    api_calls(api_url)
    api_replay(api_url)
    cold_page()  # takes the answers from the simulator, once; the proxy replays them from now on
    # The pages the review's data needs: of each listing it read, page 1 to the last.
    needed = [
        (which, int(size), page)
        for (which, size), (_, last) in listing_pages(api_calls(api_url)).items()
        for page in range(1, max(last, 1) + 1)
    ]
    client, key = get_client(), api_key_for(lead)

    def one_after_another() -> None:
        for which, size, page in needed:
            client.list_batches(filter=which, page_number=page, page_size=size, api_key=key)

    cpu_ms: dict[str, list[float]] = {}

    def cpu_counted(label: str, call: Callable[[], None]) -> Callable[[], None]:
        def counted() -> None:
            started = time.process_time()
            call()
            cpu_ms.setdefault(label, []).append((time.process_time() - started) * 1000)

        return counted

    print("  one after another and cold, alternated...", file=sys.stderr)
    sequential, cold = measure_alternated(
        {
            label: cpu_counted(label, call)
            for label, call in (
                ("one after another", one_after_another),
                ("cold: GET /review/, caches empty", cold_page),
            )
        },
        runs=args.runs,
    )
    calls = api_calls(api_url)
    if not all(call["replayed"] for call in calls):
        raise RuntimeError("a timed call reached the simulator: the figures would include it")
    sequential.note = f"{len(needed)} calls"
    cold.note = f"{len(calls) / args.runs - len(needed):.0f} calls"
    print("  cached...", file=sys.stderr)
    cold_page()
    cached = measure("cached: GET /review/", cached_page, runs=args.cached_runs, warmup=3)
    cpu = {label: statistics.median(found) for label, found in cpu_ms.items()}
    return report(args, timings=[sequential, cold, cached], cpu=cpu, seeded=seeded)


def report(
    args: argparse.Namespace,
    *,
    timings: list[Timing],
    cpu: dict[str, float],
    seeded: dict[str, int],
) -> Result:
    """The section: `timings` are one after another, cold and cached."""
    sequential, cold, cached = timings
    ratio = cold.median_ms / sequential.median_ms
    cold_ok = ratio <= COLD_RATIO
    cached_ok = cached.median_ms < CACHED_MS
    rows = [
        [t.label, f"{t.median_ms:.1f}", f"{t.p95_ms:.1f}", f"{t.min_ms:.1f}", str(t.runs),
         f"{cpu[t.label]:.0f}" if t.label in cpu else "", t.note]
        for t in timings
    ]  # fmt: skip
    machine = machine_info()
    markdown = "\n".join(
        [
            f"{seeded['Open']:,} open, {seeded['Pending']:,} pending and {seeded['Closed']:,} "
            "closed batches (`seed_batches`, seed 2026, older closed batches turned open or "
            "pending). The dashboard in the benchmark's process calls, over HTTP, the counting "
            f"proxy, which adds {args.latency} ms to every call and replays the simulator's "
            "answers: it took each one from the simulator once before the timed runs, so the "
            "API's CPU is not on this machine's 2 cores (`bench_review.py` says why). The first "
            "two measures alternate run by run. Times in ms; CPU: the median CPU time of the "
            "dashboard's process (all its threads) in a run: its own cost, less sensitive than the "
            "times to what else the shared machine is doing.",
            "",
            table(["measure", "median", "p95", "min", "runs", "CPU", "note"], rows),
            "",
            f"Budget: cold within {COLD_RATIO}x of one after another: {verdict(cold_ok)} "
            f"({ratio:.2f}x). Cached under {CACHED_MS:.0f} ms: {verdict(cached_ok)} "
            f"({cached.median_ms:.1f} ms).",
            "",
            machine_line(machine),
        ]
    )
    summary = (
        f"cold {cold.median_ms:.0f} ms = {ratio:.2f}x of one-after-another "
        f"{sequential.median_ms:.0f} ms (target <= {COLD_RATIO}x: {verdict(cold_ok)}); cached "
        f"{cached.median_ms:.1f} ms (target < {CACHED_MS:.0f} ms: {verdict(cached_ok)})"
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
