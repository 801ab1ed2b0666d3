"""Counts per fixed time window, kept in Django's default cache (each worker's own memory): the rate limits'
(triage.api.throttling) and the audit's repeated refusals' (services.failed_request_record)."""

from django.core.cache import cache


def count_in_window(key: str, seconds: int, now: float) -> int:
    """Count one more under `key` in the window of `seconds` that holds `now` (windows start on multiples of
    `seconds` since the epoch), and return the window's count so far."""
    counter = _counter(key, seconds, now)
    # add() starts the window's counter; incr() fails only if it expired in between, when this one is the first.
    if cache.add(counter, 1, seconds + 1):
        return 1
    try:
        return cache.incr(counter)
    except ValueError:
        cache.set(counter, 1, seconds + 1)
        return 1


def counted_in_window(key: str, seconds: int, now: float) -> int:
    """The window's count so far, counting nothing."""
    return cache.get(_counter(key, seconds, now), 0)


def window_end(seconds: int, now: float) -> float:
    """When the window of `seconds` that holds `now` ends."""
    return (int(now // seconds) + 1) * seconds


def _counter(key: str, seconds: int, now: float) -> str:
    return f"{key}:{int(now // seconds)}"
