"""`GET /metrics` for Prometheus: request counts and latencies counted as requests are answered, and the clinical
queue, the alerts, the audit log and the alerts worker read from the database at scrape time.

Under gunicorn every worker process counts its own requests; prometheus_client's multiprocess mode
(PROMETHEUS_MULTIPROC_DIR, set in gunicorn.conf.py) keeps each worker's counts in a file, and whichever worker
answers the scrape adds them all up. In a single process (tests, runserver) the default registry serves.
"""

import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Max, Min, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from triage.api.errors import problem_response
from triage.client_address import client_address
from triage.models import Alert, AuditEvent, Presentation, ReviewStatus
from triage.rules.vocabulary import LEVEL_CODES

logger = logging.getLogger(__name__)

# prometheus_client picks its mode when first imported, from the same variable: the two always agree.
MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))

LABELS = ("route", "method", "status")
REQUESTS = Counter("triage_http_requests", "Requests answered, by route name (or pattern), method and status.", LABELS)
REQUEST_SECONDS = Histogram(
    "triage_http_request_duration_seconds", "Time to answer a request, by route, method and status.", LABELS
)
DATABASE_ERRORS = Counter(
    "triage_database_errors", "Requests answered 503 because the database connection was lost or refused."
)

# A label value per method a client may send would let any client grow the metrics without bound.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"})
# Answered before URL routing (static files, a refusal flood's 429s) or by no route at all (404s).
UNROUTED = "unrouted"


class RequestMetricsMiddleware:
    """Counts and times every answer by its route's name (the pattern for an unnamed one), never the path as
    sent: a path holds ids, and one label value per id would grow without bound."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        labels = (_route(request), request.method if request.method in METHODS else "other", response.status_code)
        REQUESTS.labels(*labels).inc()
        REQUEST_SECONDS.labels(*labels).observe(elapsed)
        return response


def _route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)  # set by URL routing, which an early answer never reached
    if match is None:
        return UNROUTED
    return match.view_name if match.url_name else match.route


class DatabaseCollector:
    """What the database holds now, read at each scrape: nothing to keep in step across worker processes."""

    def describe(self) -> list[Metric]:
        return []  # families are read at scrape time only: registering must not query the database

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("triage_database_up", "1 when this scrape's database reads answered, else 0.")
        try:
            families = [*_queue_families(), _alerts_family(), _audit_family(), _heartbeat_family()]
        except DatabaseError:
            # The scrape still answers, with what each process counted (the database errors among them).
            logger.warning("Metrics: the database did not answer; its metrics are left out", exc_info=True)
            families = []
        up.add_metric([], 1 if families else 0)
        yield from families
        yield up


def _queue_families() -> list[Metric]:
    pending = GaugeMetricFamily("triage_queue_pending", "Presentations pending review, by level.", labels=["level"])
    oldest = GaugeMetricFamily(
        "triage_oldest_pending_seconds",
        "Seconds since the oldest presentation pending review was received, by level (0 when none waits).",
        labels=["level"],
    )
    now = timezone.now()
    by_level = {
        row["level"]: row
        for row in Presentation.objects.filter(review_status=ReviewStatus.PENDING)
        .values("level")
        .annotate(count=Count("pk"), oldest=Min("received_at"))
        .order_by()
    }
    # Every level always, 0 when none waits: a series that vanishes reads as "no data", not as an empty queue.
    for level, code in LEVEL_CODES.items():
        row = by_level.get(level)
        pending.add_metric([code], row["count"] if row else 0)
        oldest.add_metric([code], max((now - row["oldest"]).total_seconds(), 0) if row else 0)
    return [pending, oldest]


def _alerts_family() -> Metric:
    family = GaugeMetricFamily(
        "triage_alerts",
        "Alerts by delivery state now: queued (not yet tried), failed (tried, awaiting a retry), delivered, "
        "dead_lettered (out of attempts).",
        labels=["state"],
    )
    pending = Q(status=Alert.Status.PENDING)
    counts = Alert.objects.aggregate(
        queued=Count("pk", filter=pending & Q(attempts=0)),
        failed=Count("pk", filter=pending & Q(attempts__gt=0)),
        delivered=Count("pk", filter=Q(status=Alert.Status.DELIVERED)),
        dead_lettered=Count("pk", filter=Q(status=Alert.Status.DEAD)),
    )
    for state, count in counts.items():
        family.add_metric([state], count)
    return family


def _audit_family() -> Metric:
    # The chain's sequence numbers start at 1 and have no gaps (triage.audit), and events are never deleted: the
    # newest one's number is how many were ever appended, by every process, and only ever grows.
    newest = AuditEvent.objects.aggregate(newest=Max("sequence"))["newest"]
    return CounterMetricFamily("triage_audit_events", "Audit events appended.", value=max(newest or 0, 0))


def _heartbeat_family() -> Metric:
    from procrastinate.contrib.django.models import ProcrastinateWorker  # as selectors.alert_delivery_status

    last = ProcrastinateWorker.objects.aggregate(last=Max("last_heartbeat"))["last"]
    # +Inf when no worker has reported, so that one rule (age above a limit) fires for a stalled worker and none.
    age = (timezone.now() - last).total_seconds() if last else float("inf")
    return GaugeMetricFamily(
        "triage_worker_heartbeat_age_seconds",
        "Seconds since an alerts worker last reported (+Inf when none has).",
        value=max(age, 0),
    )


DATABASE_STATE = DatabaseCollector()
if not MULTIPROCESS:
    REGISTRY.register(DATABASE_STATE)


def _registry() -> CollectorRegistry:
    if not MULTIPROCESS:
        return REGISTRY
    # The documented multiprocess setup: a registry per scrape that reads every worker's files (never the default
    # registry too, which would add this worker's counts a second time).
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(DATABASE_STATE)
    return registry


def scraper_allowed(request: HttpRequest) -> bool:
    """The bearer token of METRICS_TOKEN, or no credentials at all from a loopback address (a scraper on this host).

    Credentials that are sent are always checked: a wrong token is refused from loopback too, so that a scraper's
    misconfiguration shows before it is moved off the host. The address is `client_address`'s: behind trusted
    proxies, the proxy's own loopback address does not count.
    """
    authorization = request.headers.get("Authorization")
    if authorization is None:
        return _is_loopback(client_address(request))
    scheme, _, token = authorization.partition(" ")
    expected = settings.METRICS_TOKEN
    return (
        bool(expected)
        and scheme.lower() == "bearer"
        and hmac.compare_digest(token.strip().encode(), expected.encode())  # constant time: no guessing by timing
    )


def _is_loopback(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False  # no address (a request made in-process) or not an address
    return (getattr(ip, "ipv4_mapped", None) or ip).is_loopback


@csrf_exempt
def scrape(request: HttpRequest) -> HttpResponse:
    """The metrics in Prometheus' text format, to METRICS_TOKEN's bearer or a loopback client; no API key.

    Anyone else gets the 404 of a path that is not routed, not a 403: the service's operational numbers stay
    unadvertised to scanners, and a refusal here adds nothing to the audit log or the refusal budgets.
    """
    if not scraper_allowed(request):
        raise Http404
    if request.method not in ("GET", "HEAD"):  # as the health probes
        response = problem_response(405, f'Method "{request.method}" not allowed.')
        response["Allow"] = "GET, HEAD"
        return response
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
