"""One place where every error becomes an RFC 9457 problem+json body.

Validation errors also carry `errors`: one `{field, message}` per bad field,
named by its dotted path (`twitch.side`, `symptoms.0.onset`).
"""

import logging
import math
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import csrf, defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings

from triage import fhir
from triage.api.authentication import request_actor
from triage.api.throttling import anonymous_budget_spent
from triage.audit import Actor
from triage.contract import InvalidBody
from triage.fhir.resources import operation_outcome
from triage.models import AuditAction
from triage.services import ExternalIdConflict, failed_request_record
from triage.text import REFUSED_MESSAGE

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
BODY = "body"  # the field name for an error about the request body as a whole


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is larger than 64 KiB."
    default_code = "too_large"


class IdempotencyConflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This external_id was already used by this client with a different request body."
    default_code = "conflict"


def problem(status_code: int, detail: str, errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status_code).phrase,
        "status": status_code,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    return body


def field_errors(detail: Any, path: str = "") -> list[dict[str, str]]:
    """Flatten DRF's nested error detail into dotted paths, in the order DRF reported them."""
    if isinstance(detail, dict):
        return [
            error
            for key, value in detail.items()
            for error in field_errors(value, path if key == api_settings.NON_FIELD_ERRORS_KEY else _join(path, key))
        ]
    if isinstance(detail, list) and all(isinstance(item, str) for item in detail):
        return [{"field": path or BODY, "message": str(message)} for message in detail]
    if isinstance(detail, list):
        return [error for index, item in enumerate(detail) for error in field_errors(item, _join(path, index))]
    return [{"field": path or BODY, "message": str(detail)}]


def contract_errors(exc: InvalidBody) -> dict[str, list[str]]:
    """The contract's errors (triage.contract) by dotted path, in DRF's shape, each in plain words."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        path = ".".join(str(part) for part in error["loc"]) or BODY
        errors.setdefault(path, []).append(plain_message(error))
    return errors


# Errors the contract finds beside pydantic's (a repeat, a code the rule set cannot read): their input is not kept.
FOUND_BESIDE = ("invalid", "not_read")


def plain_message(error: Any) -> str:
    value = error["input"]
    if error["type"] in FOUND_BESIDE:
        return error["msg"]
    if error["type"] == "missing":
        return "This field is required."
    if error["type"] == "extra_forbidden":
        return "Unknown field."
    if value is None:
        return "This field may not be null."
    if error["type"] == "literal_error":
        return f"Unknown code {value!r}." if isinstance(value, str) else f"Must be a code, not {type(value).__name__}."
    if error["type"] in ("int_type", "int_from_float"):
        return "Must be a whole number."
    if error["type"] == "bool_type":
        return "Must be true or false."
    if error["type"] in ("float_type", "finite_number"):
        return "Must be a finite number."
    if error["type"] in ("model_type", "dict_type"):
        return "Must be an object."
    if error["type"] == "list_type":
        return "Must be a list."
    if error["type"] == "string_type":
        return "Must be a string."
    if error["type"] == "string_unicode":
        return REFUSED_MESSAGE  # a lone surrogate
    limit = error.get("ctx", {})
    if error["type"] == "greater_than_equal":
        return f"Must be at least {limit['ge']}."
    if error["type"] == "less_than_equal":
        return f"Must be at most {limit['le']}."
    if error["type"] in ("string_too_short", "too_short"):
        return "Must not be empty." if limit["min_length"] == 1 else f"Must hold at least {limit['min_length']}."
    if error["type"] == "string_too_long":
        return f"Must be at most {limit['max_length']} characters."
    return error["msg"]


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: known errors become problem+json; anything else is left to handler500."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, ExternalIdConflict):
        exc = IdempotencyConflict()
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()  # Django's own limit (DATA_UPLOAD_MAX_MEMORY_SIZE), met before the parser's
    elif isinstance(exc, InvalidBody):
        exc = exceptions.ValidationError(contract_errors(exc))
    if not isinstance(exc, exceptions.APIException):
        return None

    request = context["request"]
    if exc.status_code in AUDITED_REFUSALS:
        actor = request_actor(request)
        if (wait := anonymous_budget_spent(request, actor)) is not None:
            return refusals_throttled(wait)  # nothing recorded: a flood without credentials costs no database work
        _record_refusal(context, exc.status_code, actor)

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))

    if isinstance(exc, exceptions.ValidationError | exceptions.ParseError):
        errors = field_errors(exc.detail)
        detail = f"The request is invalid: {len(errors)} error{'s' if len(errors) != 1 else ''}."
        body = problem(exc.status_code, detail, errors)
    else:
        body = problem(exc.status_code, str(exc.detail))
    return Response(body, status=exc.status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


# 404 is a refusal only for an object id: a probe for another client's presentation.
AUDITED_REFUSALS = {401, 403, 404, 409}
ACTION_BY_METHOD = {"GET": AuditAction.READ, "HEAD": AuditAction.READ, "POST": AuditAction.CREATE}


def refusals_throttled(wait: float, request: HttpRequest | None = None) -> JsonResponse:
    """429 for an address without credentials past its budget of refusals. Not DRF's Throttled, which translates
    its message anew each time (a sixth of this answer's CPU)."""
    response = problem_response(
        status.HTTP_429_TOO_MANY_REQUESTS, "Too many refused requests from this address.", request
    )
    response["Retry-After"] = str(math.ceil(wait))
    return response


def _record_refusal(context: dict[str, Any], status_code: int, actor: Actor) -> None:
    """Record the API's refusal, if it is one to record (repeats sparingly: failed_request_record)."""
    view, request = context["view"], context["request"]
    object_id = context.get("kwargs", {}).get("pk", "")
    if status_code == 404 and not object_id:
        return
    action = getattr(view, "action", None) or request.method.lower()
    failed_request_record(
        by=actor,
        action=getattr(view, "audit_actions", {}).get(action)
        or ACTION_BY_METHOD.get(request.method, AuditAction.EXECUTE),
        event_type=f"{getattr(view, 'audit_entity', 'api')}.{action}",
        status=status_code,
        entity_type=getattr(view, "audit_entity_type", "") if object_id else "",
        entity_id=object_id,
    )


def _record_outside_drf(request: HttpRequest, status_code: int) -> None:
    """A refusal or failure answered by Django's own views, not the API's exception handler: an admin page refused
    to a staff user (403), a CSRF refusal, a server error (500) anywhere. Named by the page's URL name."""
    actor = request_actor(request)
    if anonymous_budget_spent(request, actor) is not None:
        return
    match = request.resolver_match
    area = "admin" if request.path_info.startswith(ADMIN_PREFIX) else "api"
    failed_request_record(
        by=actor,
        action=ACTION_BY_METHOD.get(request.method, AuditAction.EXECUTE),
        event_type=f"{area}.{getattr(match, 'url_name', None) or 'page'}",
        status=status_code,
        entity_id=(match.kwargs.get("object_id", "") or match.kwargs.get("pk", "") if match else ""),
    )


def problem_response(status_code: int, detail: str, request: HttpRequest | None = None) -> JsonResponse:
    """A problem+json response outside DRF: Django's error views, the probes, the database's 503. Under /fhir/, the
    same as an OperationOutcome."""
    body = problem(status_code, detail)
    if request is not None and request.path_info.startswith(fhir.PATH_PREFIX):
        return JsonResponse(operation_outcome(body), status=status_code, content_type=fhir.MEDIA_TYPE)
    return JsonResponse(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE)


# Django's own error views (outside DRF), wired in config/urls.py: problem+json for machines, but the
# admin's pages are for people, and get Django's own HTML pages.
ADMIN_PREFIX = "/admin/"


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path_info.startswith(ADMIN_PREFIX):
        return defaults.bad_request(request, exception)
    return problem_response(400, "Bad request.", request)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path_info.startswith(ADMIN_PREFIX):
        _record_outside_drf(request, 403)
        return defaults.permission_denied(request, exception)
    return problem_response(403, "You do not have permission to perform this action.", request)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path_info.startswith(ADMIN_PREFIX):
        return defaults.page_not_found(request, exception)
    return problem_response(404, "Not found.", request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's CSRF refusal (CSRF_FAILURE_VIEW), recorded with the logged-in user whose session it came in."""
    _record_outside_drf(request, 403)
    if request.path_info.startswith(ADMIN_PREFIX):
        return csrf.csrf_failure(request, reason)
    return problem_response(403, "CSRF verification failed.", request)


def server_error(request: HttpRequest) -> HttpResponse:
    try:
        _record_outside_drf(request, 500)
    except DatabaseError:  # the database may be why it failed: the 500 must still be answered
        logger.exception("The server error's audit event could not be written")
    if request.path_info.startswith(ADMIN_PREFIX):
        return defaults.server_error(request)
    return problem_response(500, "An unexpected error occurred; it has been logged.", request)
