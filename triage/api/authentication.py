"""`Authorization: Api-Key <key>` for machine clients."""

import re
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user
from django.http import HttpRequest
from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from triage.api.throttling import FailedAuthenticationThrottle
from triage.audit import Actor, actor_for
from triage.models import ApiKey

KEYWORD = "Api-Key"
# last_used_at is a hint for operators, not an audit record: write it at most once a minute per key.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# The shape djangorestframework-api-key generates: 8-character prefix, a dot, 32-character secret.
KEY_SHAPE = re.compile(r"[A-Za-z0-9]{8}\.[A-Za-z0-9]{32}")
INVALID_KEY = "Invalid or revoked API key."


@dataclass(frozen=True)
class ApiKeyUser:
    """What `request.user` is for a request authenticated by an API key."""

    api_key: ApiKey
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
        api_key = _live_key(raw_key)
        if api_key is None:
            failures.record_failure(request)
            raise exceptions.AuthenticationFailed(INVALID_KEY)
        self._touch(api_key)
        return ApiKeyUser(api_key), api_key

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD

    @staticmethod
    def _touch(api_key: ApiKey) -> None:
        now = timezone.now()
        if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_RESOLUTION:
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
            api_key.last_used_at = now


def _live_key(raw_key: str) -> ApiKey | None:
    """The unrevoked, unexpired key whose secret this is (djangorestframework-api-key's lookup), or None."""
    if not KEY_SHAPE.fullmatch(raw_key):
        return None  # anything not shaped like a key never reaches the database
    try:
        api_key = ApiKey.objects.get_from_key(raw_key)
    except ApiKey.DoesNotExist:
        return None
    return None if api_key.has_expired else api_key


def request_actor(request: Request | HttpRequest) -> Actor:
    """The audit actor of a request, DRF's or Django's, whichever way it authenticated (or did not).

    A request refused while it was being authenticated (a session's request without its CSRF token) is recorded
    as the session's user, not as anonymous.
    """
    django_request = getattr(request, "_request", request)
    user = getattr(django_request, "user", None)  # DRF sets the user it authenticated on Django's request too
    if isinstance(user, ApiKeyUser):
        return actor_for(django_request, api_key=user.api_key)
    if not getattr(user, "is_authenticated", False):
        user = get_user(django_request)  # no session cookie, no query
    return actor_for(django_request, user=user)
