"""The shared cache as only a cache: with Redis down or hung, reads miss and writes are dropped.

Django's RedisCache raises on every Redis error, which turned a Redis outage into 500s. Nothing
the dashboard needs to answer is only in the cache (sessions, sign-in throttling and form tokens
are in the database; review and widget figures are fetched again), so a failed call is logged and
answered as a miss. The short socket timeouts in settings.py bound what a hung Redis costs a call.
`/readyz` reports the cache as degraded meanwhile.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger("batchui.cache")
FAILURES = (RedisError, OSError)


def _or_miss(name: str, miss: Callable[..., Any]) -> Callable[..., Any]:
    """RedisCache's method `name`, answering `miss(*its arguments)` when Redis fails."""

    def method(self: RedisCache, *args: Any, **kwargs: Any) -> Any:
        try:
            return getattr(RedisCache, name)(self, *args, **kwargs)
        except FAILURES as error:
            logger.warning("cache %s failed (%s): answered as a miss", name, type(error).__name__)
            return miss(*args, **kwargs)

    return method


def _false(*args: Any, **kwargs: Any) -> bool:
    return False


class FallbackRedisCache(RedisCache):
    get = _or_miss("get", lambda key, default=None, version=None: default)
    get_many = _or_miss("get_many", lambda *args, **kwargs: {})
    has_key = _or_miss("has_key", _false)
    set = _or_miss("set", lambda *args, **kwargs: None)
    set_many = _or_miss("set_many", lambda data, *args, **kwargs: list(data))  # the keys not set
    add = _or_miss("add", _false)
    touch = _or_miss("touch", _false)
    delete = _or_miss("delete", _false)
    delete_many = _or_miss("delete_many", lambda *args, **kwargs: None)
    clear = _or_miss("clear", _false)
