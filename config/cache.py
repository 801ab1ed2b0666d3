"""The default cache: Django's local-memory cache (the throttles' counts, each worker its own), less one check."""

from django.core.cache.backends.locmem import LocMemCache


class LocalMemoryCache(LocMemCache):
    """Keys go unchecked for memcached's limits (250 bytes, no spaces or control characters), which only warn, and
    only matter to memcached: the check walks each key a character at a time in Python, on every request's
    throttle counts, for 1 % of a POST's CPU."""

    def validate_key(self, key: str) -> None:
        pass
