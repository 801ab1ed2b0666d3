"""Logs as JSON, one object a line (python-json-logger), each naming the request it was written in.

Every line: time (UTC), level, logger, message; within a request also request_id, method, path and api_key (the
key's name); the request's own line (`triage.requests`, written once it is answered) adds status and duration_ms.
Never a query string or a body: admin searches and audit filters carry patient references, and a path holds ids
at most. Imports no Django model: gunicorn's master formats its own lines with it too (gunicorn.conf.py).
"""

import contextvars
import logging
import time
from collections.abc import Callable
from typing import Any

from pythonjsonlogger.json import JsonFormatter

_current_request: contextvars.ContextVar[Any] = contextvars.ContextVar("current_request", default=None)
requests_logger = logging.getLogger("triage.requests")


# What a line may hold. Any other attribute a library attaches is left out: Django's `request` (its repr has the
# query string), a job's arguments, whatever a future library adds.
FIELDS = frozenset(
    {"time", "level", "logger", "message", "exc_info", "stack_info", "status", "duration_ms", "status_code"}
    | {"request_id", "method", "path", "api_key"}
)


class JsonLines(JsonFormatter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(
            "{levelname}{name}{message}",
            style="{",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",
        )

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return {name: value for name, value in log_data.items() if name in FIELDS}


class RequestContext(logging.Filter):
    """Adds the current request's id, method, path and API key name to each record written while it is served."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = _current_request.get()
        if request is not None:
            record.request_id = getattr(request, "request_id", None)
            record.method = request.method
            record.path = request.path_info
            # Set by DRF once it authenticates (`Request.auth` writes through); a session's user is left out.
            record.api_key = getattr(getattr(request, "auth", None), "name", None)
        return True


class RequestLogMiddleware:
    """One line per request once it is answered, and the request as the context of every line written meanwhile.
    Below RequestIdMiddleware, whose id it carries."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        token = _current_request.set(request)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            requests_logger.info("request", extra={"status": response.status_code, "duration_ms": duration_ms})
            return response
        finally:
            _current_request.reset(token)
