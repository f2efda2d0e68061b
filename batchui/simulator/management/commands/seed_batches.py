"""`seed_batches --count N --seed S [--now YYYY-MM-DD] [--replace]`: realistic simulator batches."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser

from batchui.simulator.seeding import seed_batches


def parse_now(value: str) -> datetime:
    """A date (midnight UTC) or an ISO date-time (UTC when it has no offset)."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--now {value!r}: expected YYYY-MM-DD") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class Command(BaseCommand):
    help = "Create N realistic batches (and the demo users they belong to), deterministic per seed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, required=True, help="number of batches")
        parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        parser.add_argument(
            "--now", help="the date the data ends at, YYYY-MM-DD (default: the current time)"
        )
        parser.add_argument(
            "--replace", action="store_true", help="delete every existing batch first"
        )

    def handle(self, *args, **options) -> None:
        if options["count"] < 0:
            raise CommandError("--count must be >= 0")
        now = parse_now(options["now"]) if options["now"] else None
        started = time.perf_counter()
        created = seed_batches(
            count=options["count"], seed=options["seed"], now=now, replace=options["replace"]
        )
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Created {created} batches in {elapsed:.1f} s.")
