"""Alerts reach a real HTTP receiver on 127.0.0.1 through the real worker (procrastinate) and PostgreSQL."""

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from standardwebhooks.webhooks import Webhook

from tests.alerts.worker import work
from tests.factories import make_payload, symptom
from triage.alert_endpoints import endpoint_create
from triage.alerts import alert_retry, alerts_sweep
from triage.audit import SYSTEM, audit_verify
from triage.models import Alert, AuditEvent, Presentation
from triage.rules import NEWEST, RULESETS
from triage.services import presentation_create, presentations_reassess

pytestmark = pytest.mark.django_db(transaction=True)

EMERGENCY = {"symptoms": [symptom("slurred_speech", "sudden")]}
PRIVATE = ["pt-test", "slurred_speech", "Stroke warning signs"]


class Receiver(ThreadingHTTPServer):
    """A receiving endpoint: answers each POST with the next planned status (then 204), keeps what it got."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.planned: list[int] = []
        self.received: list[tuple[dict[str, str], bytes]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        status = self.server.planned.pop(0) if self.server.planned else 204
        if status == 204:
            self.server.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    settings.ALERT_ALLOW_INSECURE_URLS = True  # the receiver is on loopback, over plain HTTP
    settings.ALERT_RETRY_BASE_SECONDS = 0  # retries at once: the worker below runs until the queue is empty
    settings.ALERT_MAX_ATTEMPTS = 3
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def subscribe(receiver: Receiver, levels: tuple[str, ...] = ("emergency", "urgent")) -> str:
    _endpoint, secret = endpoint_create(
        name="on-call", url=receiver.url, events=["presentation.flagged"], levels=levels, by=SYSTEM
    )
    return secret


def test_an_emergency_is_delivered_signed_with_the_endpoints_secret(receiver):
    secret = subscribe(receiver)
    presentation = presentation_create(payload=make_payload(**EMERGENCY), client=None, by=SYSTEM)

    work()

    [(headers, body)] = receiver.received
    message = Webhook(secret).verify(body, headers)
    assert message["type"] == "presentation.flagged"
    assert message["data"]["presentation_id"] == str(presentation.pk)
    assert message["data"]["level"] == "emergency" and message["data"]["ruleset_version"] == "2027.01"
    assert message["data"]["case_url"].endswith(f"/admin/triage/presentation/{presentation.pk}/change/")
    assert not any(private in body.decode() for private in PRIVATE)  # minimum necessary: no patient data
    alert = Alert.objects.get()
    assert (alert.status, alert.attempts, headers["webhook-id"]) == ("delivered", 1, f"msg_{alert.pk}")
    assert AuditEvent.objects.filter(event_type="alert.delivery", outcome="success").count() == 1


def test_a_failing_receiver_is_retried_until_it_answers(receiver):
    subscribe(receiver)
    receiver.planned = [500, 503]
    presentation_create(payload=make_payload(**EMERGENCY), client=None, by=SYSTEM)

    work()

    alert = Alert.objects.get()
    assert (alert.status, alert.attempts, len(receiver.received)) == ("delivered", 3, 1)
    outcomes = AuditEvent.objects.filter(event_type="alert.delivery").order_by("sequence")
    assert [(e.outcome, e.status) for e in outcomes] == [
        ("failure", 500),
        ("failure", 503),
        ("success", 204),
    ]


def test_past_the_attempt_limit_it_is_dead_lettered_then_the_admins_retry_delivers_it_once(receiver):
    subscribe(receiver)
    receiver.planned = [500, 500, 500]
    presentation_create(payload=make_payload(**EMERGENCY), client=None, by=SYSTEM)

    work()
    dead = Alert.objects.get()
    assert (dead.status, dead.attempts, receiver.received) == ("dead", 3, [])

    alert_retry(alert=dead, by=SYSTEM)
    work()

    alert = Alert.objects.get()
    assert alert.status == "delivered" and len(receiver.received) == 1
    assert receiver.received[0][0]["webhook-id"] == f"msg_{alert.pk}"  # the same message: a receiver can dedupe
    assert AuditEvent.objects.filter(event_type="alert.dead").count() == 1
    assert audit_verify().intact


def test_an_unreachable_receiver_is_a_failed_attempt_not_a_lost_alert(receiver, settings):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoint_create(
        name="gone",
        url=f"http://127.0.0.1:{port}/hook",
        events=["presentation.flagged"],
        levels=["emergency"],
        by=SYSTEM,
    )

    presentation_create(payload=make_payload(**EMERGENCY), client=None, by=SYSTEM)
    work()

    alert = Alert.objects.get()
    assert alert.status == "dead" and alert.attempts == 3 and alert.last_error.startswith("Not delivered")


def test_a_rolled_back_submission_sends_nothing(receiver):
    subscribe(receiver)

    with pytest.raises(RuntimeError), transaction.atomic():
        presentation_create(payload=make_payload(**EMERGENCY), client=None, by=SYSTEM)
        raise RuntimeError("the caller's transaction fails after the write")
    assert not Presentation.objects.exists()  # the alert due went with the rest
    work()

    assert not Alert.objects.exists() and receiver.received == []


def test_a_case_that_is_not_flagged_or_not_subscribed_sends_nothing(receiver):
    subscribe(receiver, levels=("emergency",))

    presentation_create(payload=make_payload(), client=None, by=SYSTEM)  # self care
    assert not Presentation.objects.filter(alert_due=True).exists()  # not flagged: no alert due
    presentation_create(payload=make_payload(external_id="urgent", loss_of_facial_control=True), client=None, by=SYSTEM)
    work()

    assert not Alert.objects.exists() and receiver.received == []


def test_a_sweep_makes_each_alert_once(receiver):
    subscribe(receiver)
    case = presentation_create(payload=make_payload(**EMERGENCY), client=None, by=SYSTEM)
    assert Presentation.objects.get(pk=case.pk).alert_due  # the outbox: written with the case

    assert alerts_sweep() == 1
    assert alerts_sweep() == 0  # cleared in the sweep's transaction: nothing made twice
    work()

    assert Alert.objects.get().status == "delivered" and len(receiver.received) == 1
    assert not Presentation.objects.get(pk=case.pk).alert_due


def test_the_admin_lists_alerts_and_sends_a_dead_lettered_one_again(receiver, admin_client):
    subscribe(receiver)
    receiver.planned = [500, 500, 500]
    presentation_create(payload=make_payload(**EMERGENCY), client=None, by=SYSTEM)
    work()
    dead = Alert.objects.get()

    listed = admin_client.get("/admin/triage/alert/?status=dead").content.decode()
    admin_client.post("/admin/triage/alert/", {"action": "retry", "_selected_action": [dead.pk]})
    work()

    assert "Dead-lettered" in listed and "Answered 500." in listed
    assert Alert.objects.get().status == "delivered" and len(receiver.received) == 1
    assert AuditEvent.objects.get(event_type="alert.retry").agent_name == "admin"


def test_a_re_assessment_that_raises_a_case_to_flagged_alerts_it(receiver):
    subscribe(receiver)
    routine = presentation_create(payload=make_payload(spreading=True), client=None, by=SYSTEM)
    stroke = presentation_create(payload=make_payload(external_id="stroke", **EMERGENCY), client=None, by=SYSTEM)
    # As an older rule set left them: one self care, one routine, neither flagged nor due an alert.
    Presentation.objects.filter(pk=routine.pk).update(level=0)
    Presentation.objects.filter(pk=stroke.pk).update(level=1, flagged=False, alert_due=False)

    changed = presentations_reassess(presentation_ids=[routine.pk, stroke.pk], ruleset=RULESETS[NEWEST], by=SYSTEM)

    assert sorted(changed.raised) == sorted([routine.pk, stroke.pk])
    assert not Presentation.objects.get(pk=routine.pk).alert_due  # raised, but to routine: no alert
    assert Presentation.objects.get(pk=stroke.pk).alert_due  # raised to emergency: its alert is due
    work()
    [(_headers, body)] = receiver.received
    assert json.loads(body)["data"]["presentation_id"] == str(stroke.pk)
