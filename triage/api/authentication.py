"""`Authorization: Api-Key <key>` for machine clients."""

import re
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user
from django.http import HttpRequest
from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from triage.api.throttling import FailedAuthenticationThrottle
from triage.audit import Actor, ApiKeyNotLive, actor_for, confirm_key
from triage.models import ApiKey
from triage.selectors import api_key_for

KEYWORD = "Api-Key"
# last_used_at is a hint for operators, not an audit record: write it at most once a minute per key.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# The shape djangorestframework-api-key generates: 8-character prefix, a dot, 32-character secret.
KEY_SHAPE = re.compile(r"[A-Za-z0-9]{8}\.[A-Za-z0-9]{32}")
# How long a worker keeps a key it has read for the views that confirm it (ConfirmsCachedApiKey).
CACHED_KEY_SECONDS = 60
INVALID_KEY = "Invalid or revoked API key."


@dataclass(frozen=True)
class ApiKeyUser:
    """What `request.user` is for a request authenticated by an API key."""

    api_key: ApiKey
    from_cache: bool = False  # not read from its row for this request: its statements confirm it
    is_authenticated: bool = True
    is_anonymous: bool = False
    is_staff: bool = False
    is_superuser: bool = False

    @property
    def pk(self) -> str:
        return self.api_key.pk

    def get_username(self) -> str:
        return self.api_key.name

    def __str__(self) -> str:
        return self.api_key.name


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[ApiKeyUser, ApiKey] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        keyword, _, raw_key = header.partition(" ")
        if keyword.lower() != KEYWORD.lower():  # schemes are case-insensitive (RFC 9110, 11.1)
            return None  # not ours: another scheme, or no credentials at all
        raw_key = raw_key.strip()
        failures = FailedAuthenticationThrottle()
        wait = failures.wait_needed(request)
        if wait is not None:
            raise exceptions.Throttled(wait, detail="Too many failed authentication attempts from this address.")
        view = request.parser_context.get("view")
        cacheable = isinstance(view, ConfirmsCachedApiKey) and view.action in view.confirm_key_actions
        api_key = _cached_keys.get(raw_key) if cacheable else None
        from_cache = api_key is not None
        if not from_cache:
            # Anything not shaped like a key never reaches the database.
            api_key = api_key_for(raw_key) if KEY_SHAPE.fullmatch(raw_key) else None
        if api_key is None or api_key.has_expired:
            failures.record_failure(request)
            raise exceptions.AuthenticationFailed(INVALID_KEY)
        if cacheable and not from_cache:
            _cached_keys.put(raw_key, api_key)
        self._touch(api_key)
        return ApiKeyUser(api_key, from_cache), api_key

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD

    @staticmethod
    def _touch(api_key: ApiKey) -> None:
        now = timezone.now()
        if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_RESOLUTION:
            # Not for a key revoked since it was cached.
            ApiKey.objects.filter(pk=api_key.pk, revoked=False).update(last_used_at=now)
            api_key.last_used_at = now


class _CachedKeys:
    """Keys this worker has read, by their secret, for CACHED_KEY_SECONDS from the read: only for the views that
    confirm them. Only valid keys are kept, so a caller cannot grow it; a stale one is dropped when next asked
    for, or when another key is kept.
    """

    def __init__(self) -> None:
        self._keys: dict[str, tuple[ApiKey, float]] = {}
        self._lock = threading.Lock()

    def get(self, raw_key: str) -> ApiKey | None:
        api_key, stale_at = self._keys.get(raw_key, (None, 0.0))
        if api_key is not None and time.monotonic() >= stale_at:
            self.forget(api_key.pk)
            return None
        return api_key

    def put(self, raw_key: str, api_key: ApiKey) -> None:
        now = time.monotonic()
        with self._lock:
            self._keys = {raw: kept for raw, kept in self._keys.items() if now < kept[1]}
            self._keys[raw_key] = (api_key, now + CACHED_KEY_SECONDS)

    def forget(self, key_id: str) -> None:
        with self._lock:
            self._keys = {raw: kept for raw, kept in self._keys.items() if kept[0].pk != key_id}


_cached_keys = _CachedKeys()


class ConfirmsCachedApiKey:
    """A DRF viewset whose `confirm_key_actions` confirm their API key in their own statements (the audit append's,
    triage.audit.Actor.key_to_confirm) before anything is stored or answered, and so may take the key from a
    worker's cache and save its lookup: a round trip and a sixth of a POST's CPU.

    A key revoked, expired or changed in the meantime stores nothing and is answered 401, as if read afresh.
    """

    confirm_key_actions: frozenset[str] = frozenset()

    def handle_exception(self, exc: Exception) -> Response:
        try:
            return super().handle_exception(exc)
        except ApiKeyNotLive:
            # As when a lookup finds the key no longer live: a failure for the address, and a 401 from no one.
            request = self.request
            _cached_keys.forget(request.auth.pk)
            FailedAuthenticationThrottle().record_failure(request)
            request._not_authenticated()  # so the 401's own audit record has no key to confirm
            return super().handle_exception(exceptions.AuthenticationFailed(INVALID_KEY))


def confirm_cached_key(request: Request) -> None:
    """Raise ApiKeyNotLive if the request's key came from a worker's cache and is no longer live with its role.

    For a refusal that appends no audit event (a 400, 413 or 415), whose append would have confirmed the key:
    a key revoked since it was cached is then answered 401 (ConfirmsCachedApiKey), not told what was wrong
    with what it sent.
    """
    # `_user`, not `user`: a request refused before it was authenticated must not be authenticated now.
    user = getattr(request, "_user", None)
    if isinstance(user, ApiKeyUser) and user.from_cache:
        confirm_key(user.api_key)


def request_actor(request: Request | HttpRequest) -> Actor:
    """The audit actor of a request, DRF's or Django's, whichever way it authenticated (or did not).

    A request refused while it was being authenticated (a session's request without its CSRF token) is recorded
    as the session's user, not as anonymous.
    """
    django_request = getattr(request, "_request", request)
    user = getattr(django_request, "user", None)  # DRF sets the user it authenticated on Django's request too
    if isinstance(user, ApiKeyUser):
        return actor_for(django_request, api_key=user.api_key, confirm_key=user.from_cache)
    if not getattr(user, "is_authenticated", False):
        user = get_user(django_request)  # no session cookie, no query
    return actor_for(django_request, user=user)
