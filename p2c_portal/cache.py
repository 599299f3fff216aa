"""The Redis cache, made to degrade instead of failing while Redis is unreachable.

The cache holds nothing that cannot be lost: allauth's rate-limit counters and cached fragments.
With Django's plain RedisCache a dead Redis turns every sign-up and sign-in into a server error,
and a hung one costs a socket timeout per cache call (several per request). Here the first
connection error or timeout costs one socket timeout; then, for UNAVAILABLE_FOR seconds, this
process treats the cache as empty (reads miss, writes are dropped) without touching Redis, and
logs one warning. Rate limits therefore fail open during an outage, which /healthz reports.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNAVAILABLE_FOR = 15.0  # seconds without trying Redis again after a failure
_OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError)
# location -> time.monotonic() until which that Redis is considered down (shared by threads).
_unavailable_until: dict[str, float] = {}


class ResilientRedisCache(RedisCache):
    def _or_fallback(self, fallback, method, *args, **kwargs):
        location = ",".join(self._servers)
        if time.monotonic() < _unavailable_until.get(location, 0.0):
            return fallback
        try:
            return method(*args, **kwargs)
        except _OUTAGE_ERRORS as error:
            _unavailable_until[location] = time.monotonic() + UNAVAILABLE_FOR
            logger.warning(
                "cache.unavailable",
                extra={"error": f"{type(error).__name__}: {error}", "skip_for": UNAVAILABLE_FOR},
            )
            return fallback

    def add(self, key, *args, **kwargs):
        # "Stored": callers use add() as a lock and wait until it succeeds (allauth does).
        return self._or_fallback(True, super().add, key, *args, **kwargs)

    def get(self, key, default=None, version=None):
        return self._or_fallback(default, super().get, key, default, version)

    def set(self, key, *args, **kwargs):
        return self._or_fallback(None, super().set, key, *args, **kwargs)

    def touch(self, key, *args, **kwargs):
        return self._or_fallback(False, super().touch, key, *args, **kwargs)

    def delete(self, key, *args, **kwargs):
        return self._or_fallback(False, super().delete, key, *args, **kwargs)

    def get_many(self, keys, *args, **kwargs):
        return self._or_fallback({}, super().get_many, keys, *args, **kwargs)

    def has_key(self, key, *args, **kwargs):
        return self._or_fallback(False, super().has_key, key, *args, **kwargs)

    def incr(self, key, *args, **kwargs):
        missing = object()
        value = self._or_fallback(missing, super().incr, key, *args, **kwargs)
        if value is missing:
            raise ValueError(f"Key '{key}' not found.")  # what incr() says of a missing key
        return value

    def set_many(self, data, *args, **kwargs):
        return self._or_fallback(list(data), super().set_many, data, *args, **kwargs)

    def delete_many(self, keys, *args, **kwargs):
        return self._or_fallback(None, super().delete_many, keys, *args, **kwargs)

    def clear(self):
        return self._or_fallback(None, super().clear)
