"""Request ids, security headers, floods without credentials answered early, Django's messages kept off the API,
admin query strings PostgreSQL would refuse, and a clean 503 when the database is away."""

import logging
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware
from django.core.exceptions import BadRequest
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from triage import fhir, metrics
from triage.api.authentication import KEYWORD
from triage.api.errors import ADMIN_PREFIX, problem_response, refusals_throttled
from triage.api.throttling import AnonymousRefusalThrottle

logger = logging.getLogger(__name__)

HEADER = "X-Request-ID"
WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class RequestIdMiddleware:
    """An `X-Request-ID` header honoured when well-formed, else generated; always returned."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(HEADER, "")
        request.request_id = given if WELL_FORMED.fullmatch(given) else uuid.uuid4().hex
        response = self.get_response(request)
        response[HEADER] = request.request_id
        return response


class SecurityHeadersMiddleware:
    """What every answer but a static file says to browsers and proxies.

    `Cache-Control: no-store` (as the admin's own pages): answers carry patient data and audit records, or
    refusals to show them, and none may be kept. The Content-Security-Policy of settings, unless a view set its
    own (the API's docs pages). A header of our own rather than django-csp, which builds its policy anew for every
    response (60 µs, 4 % of a POST's CPU) where ours never varies.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.content_security_policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        response.headers.setdefault("Content-Security-Policy", self.content_security_policy)
        return response


class RefusalFloodMiddleware:
    """An API request without credentials (no Api-Key header, no session cookie), from an address that has spent
    its budget of refused requests (API_ANONYMOUS_RATE), is answered 429 at once: before sessions, routing and
    DRF, so that a flood costs the service as little as a request can. The budget is spent where refusals are
    recorded (triage.api.errors, triage.auth_events)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.path_info.startswith(API_ENDPOINTS)
            and not _sends_credentials(request)
            and (wait := AnonymousRefusalThrottle().wait_if_spent(request)) is not None
        ):
            return refusals_throttled(wait, request)
        return self.get_response(request)


def _sends_credentials(request: HttpRequest) -> bool:
    """An API key, or a session cookie: a session, valid or not, is looked up (a query) before any refusal."""
    scheme = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")[0]
    return scheme.lower() == KEYWORD.lower() or settings.SESSION_COOKIE_NAME in request.COOKIES


class AdminMessageMiddleware(MessageMiddleware):
    """Django's messages (the admin's "saved" notes) everywhere but the API, whose views never use them.

    Its message store builds a cookie signer on every request: on the API's hot paths that
    was about 6 % of a POST's CPU time, for messages no API view ever sends.
    """

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        return super().__call__(request)


API_PREFIX = ("/api/", fhir.PATH_PREFIX)
API_ENDPOINTS = ("/api/v1/", fhir.PATH_PREFIX)  # each needs credentials; the schema and its docs pages do not


class AdminQueryMiddleware:
    """A NUL anywhere in an admin page's query string is a 400 page.

    The admin's changelist filters and search go into SQL as given, and PostgreSQL refuses a NUL in text: that
    was a 500 for `?review_status__exact=%00`. Every other bad filter value the admin handles itself. (The API's
    query parameters are validated by its serializers, which name the field.)
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(ADMIN_PREFIX) and any(
            "\x00" in text for name, values in request.GET.lists() for text in (name, *values)
        ):
            raise BadRequest("A NUL character in the query string.")
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """A lost or refused database connection answers 503 problem+json, not 500; the transaction rolled back."""

    retry_after_seconds = 5

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("Database unavailable: %s %s (%s)", request.method, request.path, type(exception).__name__)
        metrics.DATABASE_ERRORS.inc()
        # A connection lost at the very end may follow a commit: retrying with the same external_id is always safe.
        response = problem_response(
            503, "The database is unavailable. Retry shortly: a retry with the same external_id is safe.", request
        )
        response["Retry-After"] = str(self.retry_after_seconds)
        return response
