"""Rate limits: per API key, per session user, and per client address for failed authentication.

Counted in PostgreSQL (triage.counters), so each limit holds across every worker process of every app instance;
the flood budget of callers without credentials alone is counted in each process's memory.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle

from triage.counters import count_in_window, counted_in_window, window_end
from triage.models import ApiKey

if TYPE_CHECKING:  # imported by DRF's own settings while rest_framework.views is loading
    from django.http import HttpRequest
    from rest_framework.request import Request
    from rest_framework.views import APIView

    from triage.audit import Actor


class FixedWindowThrottle(SimpleRateThrottle):
    """DRF's SimpleRateThrottle, counting requests in fixed windows (a minute, for "…/min"): one counter each.

    DRF's own keeps the time of every request in the window as one cached list, read, trimmed and
    written back (pickled, in the local-memory cache) on every request: at 6,000 a minute that list
    costs 300 µs a request. A counter costs the same at any rate. The price: a client may send up to
    twice its rate across a window boundary.
    """

    shared = True  # counted in PostgreSQL, across every instance (triage.counters)

    def allow_request(self, request: Request, view: APIView | None) -> bool:
        if self.rate is None or (key := self.get_cache_key(request, view)) is None:
            return True
        self.now = self.timer()
        return count_in_window(key, self.duration, self.now, shared=self.shared) <= self.num_requests

    def wait(self) -> float:
        return window_end(self.duration, self.now) - self.now

    def wait_if_spent(self, request: Request | HttpRequest) -> float | None:
        """Seconds to wait if this window's limit is already reached, counting nothing; None if it is not."""
        if self.rate is None or (key := self.get_cache_key(request, None)) is None:
            return None
        self.now = self.timer()
        spent = counted_in_window(key, self.duration, self.now, shared=self.shared) >= self.num_requests
        return self.wait() if spent else None


class ApiKeyRateThrottle(FixedWindowThrottle):
    """Requests per API key; session users fall to SessionUserRateThrottle."""

    scope = "api_key"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if not isinstance(request.auth, ApiKey):
            return None
        # The key's prefix, unique as its id is: the id (150 characters) cost Django's cache key check, a
        # character at a time in Python, 2 % of a POST's CPU.
        return self.cache_format % {"scope": self.scope, "ident": request.auth.prefix}


class PerClientAddress(SimpleRateThrottle):
    """Counted per client address (triage.client_address: the connection's, or the trusted proxies')."""

    def get_cache_key(self, request: Request | HttpRequest, view: APIView | None) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class FailedAuthenticationThrottle(FixedWindowThrottle, PerClientAddress):
    """Counts failed API key authentications per client address; past the limit, even a good key waits."""

    scope = "failed_auth"

    def wait_needed(self, request: Request) -> float | None:
        """Seconds this address must wait before trying again, or None if it may try now."""
        return self.wait_if_spent(request)

    def record_failure(self, request: Request) -> None:
        self.now = self.timer()
        count_in_window(self.get_cache_key(request, None), self.duration, self.now, shared=self.shared)


class AnonymousRefusalThrottle(FixedWindowThrottle, PerClientAddress):
    """Refusals of callers with no credentials (or failed ones), per client address: past the limit, the API answers
    429 and nothing is recorded, so a flood costs the service no database work (triage.api.errors)."""

    scope = "anonymous"
    shared = False  # each process its own: a flood must cost no database work, not even its count


def anonymous_budget_spent(request: Request | HttpRequest, actor: Actor) -> float | None:
    """Spend one of the address's refusals if `actor` has no credentials: seconds to wait if none was left."""
    if actor.kind != "anonymous":
        return None
    budget = AnonymousRefusalThrottle()
    return None if budget.allow_request(request, None) else budget.wait()


class SessionUserRateThrottle(FixedWindowThrottle, UserRateThrottle):
    """Requests per Django user (session); API key requests are counted by ApiKeyRateThrottle instead."""

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        return None if isinstance(request.auth, ApiKey) else super().get_cache_key(request, view)

    def allow_request(self, request: Request, view: APIView | None) -> bool:
        # A logged-in user is counted across instances; a caller without credentials (the docs pages, per address)
        # in this process, as the flood budget is: such a request costs no database work.
        self.shared = bool(request.user and request.user.is_authenticated)
        return super().allow_request(request, view)
