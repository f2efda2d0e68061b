"""The shared cache as only a cache: with Redis down or hung, reads miss and writes are dropped.

Django's RedisCache raises on every Redis error, which turned a Redis outage into 500s. Nothing
the dashboard needs to answer is only in the cache (sessions, sign-in throttling and form tokens
are in the database; review and widget figures are fetched again), so a failed call is logged and
answered as a miss. The short socket timeouts in settings.py bound what a hung Redis costs a call.
`/readyz` reports the cache as degraded meanwhile.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger("batchui.cache")
FAILURES = (RedisError, OSError)


def _missed(operation: str, error: Exception) -> None:
    logger.warning("cache %s failed (%s): answered as a miss", operation, type(error).__name__)


class FallbackRedisCache(RedisCache):
    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except FAILURES as error:
            _missed("get", error)
            return default

    def get_many(self, keys: Any, version: int | None = None) -> dict:
        try:
            return super().get_many(keys, version)
        except FAILURES as error:
            _missed("get_many", error)
            return {}

    def has_key(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().has_key(key, version)
        except FAILURES as error:
            _missed("has_key", error)
            return False

    def set(self, key: Any, value: Any, *args: Any, **kwargs: Any) -> None:
        try:
            super().set(key, value, *args, **kwargs)
        except FAILURES as error:
            _missed("set", error)

    def set_many(self, data: dict, *args: Any, **kwargs: Any) -> list:
        try:
            return super().set_many(data, *args, **kwargs)
        except FAILURES as error:
            _missed("set_many", error)
            return list(data)  # the keys not set

    def add(self, key: Any, value: Any, *args: Any, **kwargs: Any) -> bool:
        try:
            return super().add(key, value, *args, **kwargs)
        except FAILURES as error:
            _missed("add", error)
            return False

    def touch(self, key: Any, *args: Any, **kwargs: Any) -> bool:
        try:
            return super().touch(key, *args, **kwargs)
        except FAILURES as error:
            _missed("touch", error)
            return False

    def delete(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().delete(key, version)
        except FAILURES as error:
            _missed("delete", error)
            return False

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        try:
            super().delete_many(keys, version)
        except FAILURES as error:
            _missed("delete_many", error)

    def clear(self) -> bool:
        try:
            return super().clear()
        except FAILURES as error:
            _missed("clear", error)
            return False
