"""When and how long to wait before repeating a call that is safe to repeat.

Exponential backoff with jitter, `Retry-After` honoured up to a bound, and a total time budget
measured from the first attempt: no retry is started (nor a wait begun) that would end after it.
`sleep`, `clock` and `rand` are injectable so tests measure waits without waiting.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or HTTP-date); None if unreadable."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(int(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


@dataclass(frozen=True)
class RetryPolicy:
    budget: float = 20.0
    """Total seconds, from the first attempt, within which every retry must end."""
    base_delay: float = 0.25
    max_delay: float = 4.0
    max_retry_after: float = 10.0
    """A Retry-After longer than this is not waited for: the call fails at once."""
    max_attempts: int = 6
    min_attempt_time: float = 0.5
    """A retry is not started with less time than this left in the budget."""
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    rand: Callable[[], float] = field(default=random.random, repr=False)

    def start(self) -> RetryState:
        return RetryState(self, deadline=self.clock() + self.budget)

    def backoff(self, retry_number: int) -> float:
        """Wait before retry n (1-based): exponential, capped, with jitter in [half, full]."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (retry_number - 1))
        return ceiling * (0.5 + 0.5 * self.rand())


@dataclass
class RetryState:
    policy: RetryPolicy
    deadline: float
    attempt: int = 1

    def remaining(self) -> float:
        return self.deadline - self.policy.clock()

    def next_delay(self, *, retry_after: float | None = None) -> float | None:
        """The wait before the next attempt, or None when no retry fits the attempts or budget."""
        if self.attempt >= self.policy.max_attempts:
            return None
        if retry_after is not None:
            if retry_after > self.policy.max_retry_after:
                return None
            delay = retry_after
        else:
            delay = self.policy.backoff(self.attempt)
        if delay + self.policy.min_attempt_time > self.remaining():
            return None
        return delay

    def wait(self, delay: float) -> None:
        self.policy.sleep(delay)
        self.attempt += 1
