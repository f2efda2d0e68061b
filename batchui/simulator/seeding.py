"""Realistic, deterministic data for the simulator: demo users and batches.

`seed_batches()` draws every value from `random.Random(seed)` relative to `now`, so the same seed
and the same `now` give identical rows (on an empty table; codes that collide with existing ones get
a `-2`, `-3`... suffix). `seed_demo()` is what `make run` calls: idempotent, quick the second time.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from batchui.simulator.models import ApiUser, Batch, BatchStatus, fold

DEMO_BATCH_COUNT = 1500
DEMO_SEED = 2026
BULK_CHUNK = 5000
HISTORY_DAYS = 730
FLAG_RATE = 1 / 16

# Per-bill cost: log-normal; CREDIT_CHANCE of bills are credits worth CREDIT_SHARE of a cost.
BILL_COST_MU, BILL_COST_SIGMA = 6.1, 1.1
CREDIT_CHANCE, CREDIT_SHARE = 0.02, 0.3
EXACT_SUM_UP_TO = 40
_COST_M1 = math.exp(BILL_COST_MU + BILL_COST_SIGMA**2 / 2)
_COST_M2 = math.exp(2 * BILL_COST_MU + 2 * BILL_COST_SIGMA**2)
BILL_COST_MEAN = _COST_M1 * (1 - CREDIT_CHANCE - CREDIT_CHANCE * CREDIT_SHARE)
BILL_COST_SD = math.sqrt(
    _COST_M2 * (1 - CREDIT_CHANCE + CREDIT_CHANCE * CREDIT_SHARE**2) - BILL_COST_MEAN**2
)


@dataclass(frozen=True)
class DemoUser:
    code: str
    name: str
    weight: int  # relative share of the batches this user opens


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("JSMITH", "Jane Smith", 20),
    DemoUser("MGARCIA", "María García", 16),
    DemoUser("ZOBRIEN", "Zoë O'Brien", 14),
    DemoUser("KOKAFOR", "Kemi Okafor", 12),
    DemoUser("DNGUYEN", "Đức Nguyễn", 10),
    DemoUser("AMULLER", "Anna Müller", 10),
    DemoUser("PKOWALSKI", "Paweł Kowalski", 10),
    DemoUser("RSMITHERS", "Robert Smithers", 8),
)

UTILITIES = ("ELEC", "GAS", "WATER", "SEWER", "TELECOM", "WASTE", "STEAM")
MAINT_TOPICS = ("RateUpdate", "VendorMerge", "AcctCleanup", "MeterSwap", "Reprocess", "Reversals")
HIST_SITES = ("NorthCampus", "Plant2", "Warehouse", "HQ", "Zürich", "Retail", "Lab")
IMPORT_VENDORS = ("ConEd", "PGE", "Duke", "Xcel", "NationalGrid", "Ameren", "DTE")
NOTES = (
    "Monthly utility bills",
    "Keyed from paper invoices",
    "EDI import, check kickouts",
    "Waiting on vendor for corrected bill",
    "Reprocessed after rate change",
    "Historical load for benchmarking",
    "Month-end accrual bills",
    "Überprüfung der Gasrechnungen",
    "Corrections requested by María",
    "Do not close before the 15th",
)


def ensure_demo_users() -> tuple[list[ApiUser], list[str]]:
    """The demo users in DEMO_USERS order, creating the missing ones (view + create)."""
    existing = {u.user_code_ci: u for u in ApiUser.objects.all()}
    users, created = [], []
    for demo in DEMO_USERS:
        user = existing.get(fold(demo.code))
        if user is None:
            user = ApiUser.objects.create(
                user_code=demo.code, full_name=demo.name, can_view=True, can_create=True
            )
            created.append(demo.code)
        users.append(user)
    return users, created


def seed_batches(
    *, count: int, seed: int, now: datetime | None = None, replace: bool = False
) -> int:
    """Create `count` realistic batches (deterministic for a seed and `now`); return the number."""
    if count < 0:
        raise ValueError("count must be >= 0")
    now = (now or timezone.now()).replace(microsecond=0)
    if timezone.is_naive(now):
        now = now.replace(tzinfo=UTC)
    rng = random.Random(seed)
    with transaction.atomic():
        if replace:
            Batch.objects.all().delete()
        users, _ = ensure_demo_users()
        weights = [demo.weight for demo in DEMO_USERS]
        drafts = [_draft(rng=rng, now=now, users=users, weights=weights) for _ in range(count)]
        # Batch ids grow with time, as in a real system: insert oldest first.
        drafts.sort(key=lambda b: b.start_date)
        taken = set(Batch.objects.values_list("batch_code_ci", flat=True))
        next_suffix: dict[str, int] = {}
        for batch in drafts:
            batch.batch_code = _unique_code(batch.batch_code, taken, next_suffix)
            batch.refresh_derived()
        for start in range(0, len(drafts), BULK_CHUNK):
            Batch.objects.bulk_create(drafts[start : start + BULK_CHUNK])
    return len(drafts)


def seed_demo() -> list[str]:
    """Demo users and at least DEMO_BATCH_COUNT batches; a second run changes nothing.

    Returns what it did, as lines to print."""
    with transaction.atomic():
        _, new_users = ensure_demo_users()
        missing = DEMO_BATCH_COUNT - Batch.objects.count()
        new_batches = seed_batches(count=missing, seed=DEMO_SEED) if missing > 0 else 0
    return [
        f"Simulator users: {ApiUser.objects.count()} (new: {', '.join(new_users) or 'none'})",
        f"Simulator batches: {Batch.objects.count()} ({new_batches} new)",
    ]


def _unique_code(code: str, taken: set[str], next_suffix: dict[str, int]) -> str:
    key = fold(code)
    if key not in taken:
        taken.add(key)
        return code
    n = next_suffix.get(key, 2)
    while fold(f"{code}-{n}") in taken:
        n += 1
    next_suffix[key] = n + 1
    taken.add(fold(f"{code}-{n}"))
    return f"{code}-{n}"


def _binomial(rng: random.Random, n: int, p: float) -> int:
    return sum(1 for _ in range(n) if rng.random() < p)


def _age_days(rng: random.Random, status: str) -> float:
    """How long ago the batch was opened: open ones are recent (a few forgotten), closed spread."""
    if status == BatchStatus.OPEN:
        if rng.random() < 0.06:
            return rng.uniform(45, 400)  # stale open batches a team lead wants to see
        return min(45.0, rng.expovariate(1 / 9))
    if status == BatchStatus.PENDING:
        return rng.uniform(1, 180)
    return rng.uniform(2, HISTORY_DAYS)


def _base_code(rng: random.Random, user: ApiUser, start: datetime) -> tuple[str, str]:
    """A code following the teams' conventions, and its kind (user, maint, hist, import)."""
    r = rng.random()
    day = start.strftime("%Y%m%d")
    if r < 0.62:
        return f"{user.user_code}_{day}", "user"
    if r < 0.74:
        return f"{user.user_code}_{day}_{rng.choice(UTILITIES)}", "user"
    if r < 0.84:
        return f"Maint_{start:%Y%m}_{rng.choice(MAINT_TOPICS)}", "maint"
    if r < 0.92:
        year = start.year - rng.randint(1, 3)
        return f"Hist_{year}_{rng.choice(HIST_SITES)}", "hist"
    return f"Import_{rng.choice(IMPORT_VENDORS)}_{day}", "import"


def _bill_count(rng: random.Random, status: str, age_days: float) -> int:
    empty_chance = 0.25 if status == BatchStatus.OPEN and age_days < 1 else 0.05
    if rng.random() < empty_chance:
        return 0
    return min(400, max(1, round(rng.lognormvariate(3.6, 0.9))))


def _running_total(rng: random.Random, bills: int) -> float:
    """The sum of the bills' costs: log-normal (median about $450), a few credits."""
    if bills > EXACT_SUM_UP_TO:
        # The sum of many bills is close to normal; drawing each one would dominate seeding time.
        total = rng.gauss(bills * BILL_COST_MEAN, math.sqrt(bills) * BILL_COST_SD)
        return round(max(total, bills * BILL_COST_MEAN / 4), 2)
    total = 0.0
    for _ in range(bills):
        total += _bill_cost(rng)
    return round(total, 2)


def _bill_cost(rng: random.Random) -> float:
    cost = rng.lognormvariate(BILL_COST_MU, BILL_COST_SIGMA)
    return -cost * CREDIT_SHARE if rng.random() < CREDIT_CHANCE else cost


def _flags(rng: random.Random, status: str, bills: int) -> int:
    if status == BatchStatus.CLOSED:
        # Flags are resolved before closing; a few batches were closed with some left.
        return min(bills, rng.randint(1, 3)) if rng.random() < 0.04 else 0
    return _binomial(rng, bills, FLAG_RATE)


def _draft(*, rng: random.Random, now: datetime, users: list[ApiUser], weights: list[int]) -> Batch:
    # 15% open, 5% pending, 80% closed (one draw, as rng.random() < 0.15, < 0.20).
    status = rng.choices(list(BatchStatus), cum_weights=(0.15, 0.20, 1.0))[0]
    age = _age_days(rng, status)
    start = now - timedelta(seconds=math.floor(age * 86400))
    user = rng.choices(users, weights)[0]
    code, kind = _base_code(rng, user, start)
    bills = _bill_count(rng, status, age)

    end = None
    if status == BatchStatus.CLOSED:
        open_for = timedelta(seconds=max(600, int(rng.lognormvariate(11.5, 1.2))))
        end = min(start + open_for, now)
    analyzing = 0
    if status == BatchStatus.OPEN and age < 3 and bills and rng.random() < 0.6:
        analyzing = max(1, _binomial(rng, bills, 0.12))
    kickout = (status == BatchStatus.PENDING and rng.random() < 0.4) or (
        status == BatchStatus.OPEN and rng.random() < 0.05
    )
    # A kickout means an import ran (even if it rejected every bill).
    imported = kickout or (bills > 0 and (kind == "import" or rng.random() < 0.3))

    batch = Batch(
        batch_code=code,
        batch_status=status,
        start_date=start,
        end_date=end,
        bill_count=bills,
        running_total=_running_total(rng, bills),
        flag_count=_flags(rng, status, bills),
        analyzing_count=analyzing,
        has_imported_bills=imported,
        has_imports_with_kickout=kickout,
        has_logs=status != BatchStatus.OPEN or bills > 0,
        created_by=user,
    )
    _add_settings(rng, batch, start)
    return batch


def _add_settings(rng: random.Random, batch: Batch, start: datetime) -> None:
    """The optional bill defaults a clerk sets on some batches."""
    if rng.random() < 0.7:
        period = start - timedelta(days=30) if rng.random() < 0.3 else start
        batch.account_period_year, batch.account_period_number = period.year, period.month
    if rng.random() < 0.25:
        batch.control_code = f"CC-{rng.randint(1000, 9999)}"
    if rng.random() < 0.2:
        batch.invoice_number = f"INV-{start.year}-{rng.randint(0, 99999):05d}"
    if rng.random() < 0.3:
        batch.note = rng.choice(NOTES)
    if rng.random() < 0.3:
        batch.due_date = (start + timedelta(days=rng.randint(21, 45))).date().isoformat()
    if rng.random() < 0.25:
        batch.statement_date = (start - timedelta(days=rng.randint(5, 20))).date().isoformat()
    if rng.random() < 0.15:
        batch.next_reading = (start + timedelta(days=rng.randint(25, 35))).date().isoformat()
