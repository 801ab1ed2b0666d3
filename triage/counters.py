"""Counts per fixed time window: the rate limits' (triage.api.throttling) and the audit's repeated refusals'
(services.failed_request_record).

`shared` counts (the default) are kept in PostgreSQL (RateCounter, UNLOGGED), one upsert a count, shared by every
worker process of every app instance: a limit holds however many run (ADR 0016). The others in Django's default
cache, each worker process its own: for the flood budget, whose point is that a flood costs no database work.
"""

from datetime import UTC, datetime

from django.core.cache import cache
from django.db import connection

# One row per key and window length; a new window restarts its count in the same statement.
COUNT = """
INSERT INTO triage_rate_counter AS counter (key, window_start, count, ends_at) VALUES (%s, %s, 1, %s)
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN counter.window_start = excluded.window_start THEN counter.count + 1 ELSE 1 END,
    window_start = excluded.window_start,
    ends_at = excluded.ends_at
RETURNING count
"""
COUNTED = "SELECT count FROM triage_rate_counter WHERE key = %s AND window_start = %s"
PRUNE = "DELETE FROM triage_rate_counter WHERE ends_at < now()"


def count_in_window(key: str, seconds: int, now: float, *, shared: bool = True) -> int:
    """Count one more under `key` in the window of `seconds` that holds `now` (windows start on multiples of
    `seconds` since the epoch), and return the window's count so far."""
    window = int(now // seconds)
    if shared:
        ends_at = datetime.fromtimestamp(window_end(seconds, now), UTC)
        with connection.cursor() as cursor:
            cursor.execute(COUNT, [f"{key}:{seconds}", window, ends_at])
            return cursor.fetchone()[0]
    counter = f"{key}:{window}"
    # add() starts the window's counter; incr() fails only if it expired in between, when this one is the first.
    if cache.add(counter, 1, seconds + 1):
        return 1
    try:
        return cache.incr(counter)
    except ValueError:
        cache.set(counter, 1, seconds + 1)
        return 1


def counted_in_window(key: str, seconds: int, now: float, *, shared: bool = True) -> int:
    """The window's count so far, counting nothing."""
    window = int(now // seconds)
    if shared:
        with connection.cursor() as cursor:
            cursor.execute(COUNTED, [f"{key}:{seconds}", window])
            row = cursor.fetchone()
        return row[0] if row else 0
    return cache.get(f"{key}:{window}", 0)


def window_end(seconds: int, now: float) -> float:
    """When the window of `seconds` that holds `now` ends."""
    return (int(now // seconds) + 1) * seconds


def counters_prune() -> int:
    """Forget the counts of windows that have ended (the worker, hourly); how many were forgotten."""
    with connection.cursor() as cursor:
        cursor.execute(PRUNE)
        return cursor.rowcount
