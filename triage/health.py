"""Liveness and readiness probes, open to everyone and cheap to call."""

from collections.abc import Callable
from functools import wraps

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from triage.api.errors import problem_response


def probe(view: Callable[[HttpRequest], JsonResponse]) -> Callable[[HttpRequest], JsonResponse]:
    """GET and HEAD only, anything else a 405 problem+json (no CSRF check, which answered a POST with HTML)."""

    @csrf_exempt
    @wraps(view)
    def only_read(request: HttpRequest) -> JsonResponse:
        if request.method not in ("GET", "HEAD"):
            response = problem_response(405, f'Method "{request.method}" not allowed.')
            response["Allow"] = "GET, HEAD"
            return response
        return view(request)

    return only_read


@probe
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and answering."""
    return JsonResponse({"status": "ok"})


@probe
def readyz(request: HttpRequest) -> JsonResponse:
    """The database answers and every migration has been applied; 503 otherwise."""
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    if pending:
        return JsonResponse({"status": "unavailable", "database": "migrations pending"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
