"""GET /metrics: Prometheus' text format, open to a loopback scraper or METRICS_TOKEN's bearer and nobody else;
requests counted by route, the queue, alerts, audit log and alerts worker read from the database at scrape time,
and counts that add up across gunicorn's worker processes."""

import math
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from tests.factories import make_presentation, symptom
from tests.served import gunicorn, http
from triage.models import Alert, AlertEvent, AuditEvent, Presentation, ReviewStatus

OUTSIDE = "203.0.113.7"  # a documentation address (TEST-NET-3): not loopback
TOKEN = "metrics-test-token-0123456789abcdef"
EMERGENCY = {"symptoms": [symptom("slurred_speech", "sudden")]}
URGENT = {"loss_of_facial_control": True}
ROUTINE = {"spreading": True}

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(client: Client | None = None, **request: str) -> Samples:
    response = (client or Client()).get("/metrics", **request)
    assert response.status_code == 200, response.content
    return parse(response.content.decode())


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def counted(before: Samples, after: Samples, **labels: str) -> float:
    """Requests counted with these labels between two scrapes."""
    return value(after, "triage_http_requests_total", **labels) - value(before, "triage_http_requests_total", **labels)


def backdate(presentation: Presentation, minutes: int) -> None:
    Presentation.objects.filter(pk=presentation.pk).update(received_at=timezone.now() - timedelta(minutes=minutes))


# --- Who may scrape ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.0.2", "::1", "::ffff:127.0.0.1"])
def test_a_loopback_client_scrapes_without_credentials(address):
    response = Client().get("/metrics", REMOTE_ADDR=address)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_client_off_the_host_without_the_token_is_answered_as_an_unrouted_path():
    refused = Client().get("/metrics", REMOTE_ADDR=OUTSIDE)
    unrouted = Client().get("/no-such-page", REMOTE_ADDR=OUTSIDE)

    assert refused.status_code == 404
    assert refused.json() == unrouted.json()
    assert b"triage_" not in refused.content


@pytest.mark.django_db
def test_the_configured_bearer_token_is_accepted_from_off_the_host(settings):
    settings.METRICS_TOKEN = TOKEN

    response = Client().get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")

    assert response.status_code == 200
    assert b"triage_queue_pending" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "authorization",
    [f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", "Bearer ", f"Basic {TOKEN}", TOKEN, "Api-Key AbCdEfGh.0123456789"],
)
@pytest.mark.parametrize("address", [OUTSIDE, "127.0.0.1"])
def test_a_wrong_token_is_refused_even_from_loopback(settings, authorization, address):
    settings.METRICS_TOKEN = TOKEN

    response = Client().get("/metrics", REMOTE_ADDR=address, HTTP_AUTHORIZATION=authorization)

    assert response.status_code == 404


@pytest.mark.django_db
def test_with_no_token_configured_an_empty_bearer_token_is_refused(settings):
    settings.METRICS_TOKEN = ""

    response = Client().get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION="Bearer ")

    assert response.status_code == 404


@pytest.mark.django_db
def test_behind_a_trusted_proxy_on_loopback_the_client_it_names_is_the_one_checked(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}

    proxied = Client().get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=OUTSIDE)
    local = Client().get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1")

    assert proxied.status_code == 404
    assert local.status_code == 200


@pytest.mark.django_db
def test_a_client_off_the_host_without_the_api_key_it_never_needs_is_not_told_other_methods_exist():
    loopback = Client().post("/metrics")
    outside = Client().post("/metrics", REMOTE_ADDR=OUTSIDE)

    assert loopback.status_code == 405 and loopback["Allow"] == "GET, HEAD"
    assert outside.status_code == 404


# --- What is counted as requests are answered ----------------------------------------------------------------------


@pytest.mark.django_db
def test_an_api_request_is_counted_and_timed_by_its_route_name_and_status_never_its_path(clinician_api):
    presentation = make_presentation()
    labels = {"route": "api:presentation-detail", "method": "GET", "status": "200"}
    before = scrape()

    answer = clinician_api.get(f"/api/v1/presentations/{presentation.pk}/")
    text = Client().get("/metrics").content.decode()

    after = parse(text)
    assert answer.status_code == 200
    assert counted(before, after, **labels) == 1
    timed = "triage_http_request_duration_seconds_count"
    assert value(after, timed, **labels) == value(before, timed, **labels) + 1
    assert value(after, "triage_http_request_duration_seconds_sum", **labels) > 0
    assert str(presentation.pk) not in text


@pytest.mark.django_db
def test_a_path_no_route_answers_is_counted_as_unrouted_without_its_text():
    labels = {"route": "unrouted", "method": "GET", "status": "404"}
    before = scrape()

    Client().get("/wp-admin/secret-1234")
    response = Client().get("/metrics")

    after = parse(response.content.decode())
    assert counted(before, after, **labels) == 1
    assert b"wp-admin" not in response.content


@pytest.mark.django_db
def test_an_unknown_method_is_counted_as_other_so_clients_cannot_invent_label_values():
    before = scrape()

    Client().generic("BREW", "/healthz")
    after = scrape()

    labels = {"route": "healthz", "method": "other", "status": "405"}
    assert counted(before, after, **labels) == 1
    assert not any(dict(labels).get("method") == "BREW" for _name, labels in after)


def test_a_lost_database_connection_is_counted_and_the_scrape_still_answers(django_db_blocker):
    original = connection.settings_dict.copy()
    connection.close()
    # A port nothing listens on: a real refused connection, as tests/test_health.py makes it.
    connection.settings_dict.update(HOST="127.0.0.1", PORT="1")
    try:
        with django_db_blocker.unblock():
            before = scrape()
            refused = Client().get("/api/v1/presentations/", HTTP_AUTHORIZATION="Api-Key AbCdEfGh.0123456789abcdef")
            after = scrape()
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(original)

    assert refused.status_code == 503
    assert value(after, "triage_database_errors_total") == value(before, "triage_database_errors_total") + 1
    assert value(after, "triage_database_up") == 0
    assert not any(name.startswith("triage_queue_pending") for name, _labels in after)


# --- What the database holds, read at scrape time -------------------------------------------------------------------


@pytest.mark.django_db
def test_pending_presentations_are_counted_by_level():
    for n in range(3):
        make_presentation(external_id=f"emergency-{n}", **EMERGENCY)
    make_presentation(external_id="urgent", **URGENT)
    taken_up = make_presentation(external_id="taken-up", **EMERGENCY)
    Presentation.objects.filter(pk=taken_up.pk).update(review_status=ReviewStatus.IN_REVIEW)

    samples = scrape()

    pending = {level: value(samples, "triage_queue_pending", level=level) for level in ("emergency", "urgent")}
    assert pending == {"emergency": 3, "urgent": 1}
    assert ("triage_queue_pending", frozenset({("level", "self_care")})) in samples  # 0, not missing


@pytest.mark.django_db
def test_the_oldest_pending_case_of_each_level_is_measured_from_when_it_was_received():
    backdate(make_presentation(external_id="old", **EMERGENCY), minutes=30)
    backdate(make_presentation(external_id="new", **EMERGENCY), minutes=5)
    backdate(make_presentation(external_id="urgent", **URGENT), minutes=10)
    reviewed = make_presentation(external_id="reviewed", **ROUTINE)
    backdate(reviewed, minutes=600)
    Presentation.objects.filter(pk=reviewed.pk).update(review_status=ReviewStatus.REVIEWED)

    samples = scrape()

    assert 30 * 60 <= value(samples, "triage_oldest_pending_seconds", level="emergency") < 31 * 60
    assert 10 * 60 <= value(samples, "triage_oldest_pending_seconds", level="urgent") < 11 * 60
    assert value(samples, "triage_oldest_pending_seconds", level="routine") == 0  # none waits


@pytest.mark.django_db
def test_a_scrape_reads_the_queue_in_one_query(django_assert_max_num_queries):
    make_presentation(external_id="emergency", **EMERGENCY)
    make_presentation(external_id="urgent", **URGENT)

    with django_assert_max_num_queries(4), CaptureQueriesContext(connection) as queries:
        scrape()

    reads = [query["sql"] for query in queries if Presentation._meta.db_table in query["sql"]]
    assert len(reads) == 1


@pytest.mark.django_db
def test_alerts_are_counted_by_delivery_state():
    presentation = make_presentation(**EMERGENCY)
    for status, attempts, count in (
        (Alert.Status.PENDING, 0, 2),  # queued
        (Alert.Status.PENDING, 3, 1),  # failed, awaiting a retry
        (Alert.Status.DELIVERED, 1, 4),
        (Alert.Status.DEAD, 8, 1),
    ):
        for _ in range(count):
            Alert.objects.create(
                presentation=presentation,
                event_type=AlertEvent.FLAGGED,
                body={},
                status=status,
                attempts=attempts,
                created_at=timezone.now(),
            )

    samples = scrape()

    states = {state: value(samples, "triage_alerts", state=state) for state in ("queued", "failed", "delivered")}
    assert states == {"queued": 2, "failed": 1, "delivered": 4}
    assert value(samples, "triage_alerts", state="dead_lettered") == 1


@pytest.mark.django_db
def test_audit_events_appended_are_counted_as_the_chain_grows(clinician_api):
    presentation = make_presentation()
    before = value(scrape(), "triage_audit_events_total")

    clinician_api.get(f"/api/v1/presentations/{presentation.pk}/")  # a read: one more event
    after = value(scrape(), "triage_audit_events_total")

    assert before == AuditEvent.objects.count() - 1 > 0
    assert after == before + 1


@pytest.mark.django_db
def test_the_worker_heartbeat_age_is_the_time_since_the_latest_report():
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_workers")
        cursor.execute("INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - interval '5 minutes')")
        cursor.execute("INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - interval '42 seconds')")

    age = value(scrape(), "triage_worker_heartbeat_age_seconds")

    assert 42 <= age < 52


@pytest.mark.django_db
def test_with_no_worker_ever_reporting_the_heartbeat_age_is_infinite():
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_workers")

    age = value(scrape(), "triage_worker_heartbeat_age_seconds")

    assert math.isinf(age)


# --- Served by gunicorn: the workers' counts add up ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_under_gunicorn_every_workers_requests_add_up_in_one_scrape(tmp_path):
    sent = 40
    labels = {"route": "readyz", "method": "GET", "status": "200"}

    with gunicorn(tmp_path / "gunicorn.log", workers=3, threads=2) as base:
        # Concurrent, each on its own connection: the three workers share them out.
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(lambda _: http("GET", f"{base}/readyz")[0], range(sent)))
        scraped = http("GET", f"{base}/metrics")

    assert statuses == [200] * sent
    assert scraped[0] == 200
    samples = parse(scraped[2].decode())
    assert value(samples, "triage_http_requests_total", **labels) == sent
    assert value(samples, "triage_http_request_duration_seconds_count", **labels) == sent
    assert value(samples, "triage_database_up") == 1
