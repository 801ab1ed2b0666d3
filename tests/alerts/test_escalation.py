"""Escalation: a flagged case still pending past its level's threshold is escalated once (the clock is moved)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_payload, symptom
from triage.alert_endpoints import endpoint_create
from triage.alerts import alerts_escalate
from triage.audit import SYSTEM
from triage.models import Alert, Presentation, ReviewStatus
from triage.services import presentation_create

pytestmark = pytest.mark.django_db

EMERGENCY = {"symptoms": [symptom("slurred_speech", "sudden")]}
URGENT = {"loss_of_facial_control": True}


@pytest.fixture
def subscribed(settings) -> None:
    settings.ALERT_ALLOW_INSECURE_URLS = True
    settings.ALERT_ESCALATE_EMERGENCY_MINUTES, settings.ALERT_ESCALATE_URGENT_MINUTES = 15, 120
    endpoint_create(
        name="escalations", url="http://127.0.0.1:9/hook", events=["presentation.escalated"],
        levels=["emergency", "urgent"], by=SYSTEM,
    )  # fmt: skip


def escalated() -> list[str]:
    return sorted(a.body["data"]["presentation_id"] for a in Alert.objects.filter(event_type="presentation.escalated"))


def test_an_emergency_still_pending_past_its_threshold_is_escalated_once(subscribed):
    case = presentation_create(payload=make_payload(**EMERGENCY), client=None, by=SYSTEM)
    received = case.received_at

    assert alerts_escalate(received + timedelta(minutes=14, seconds=59)) == 0
    assert alerts_escalate(received + timedelta(minutes=15)) == 1
    assert alerts_escalate(received + timedelta(minutes=40)) == 0  # once per case and threshold

    assert escalated() == [str(case.pk)]
    assert Alert.objects.get(event_type="presentation.escalated").body["type"] == "presentation.escalated"


def test_a_case_taken_up_in_time_is_not_escalated(subscribed):
    case = presentation_create(payload=make_payload(**EMERGENCY), client=None, by=SYSTEM)
    Presentation.objects.filter(pk=case.pk).update(review_status=ReviewStatus.IN_REVIEW)

    assert alerts_escalate(case.received_at + timedelta(hours=3)) == 0
    assert escalated() == []


def test_an_urgent_case_waits_for_its_own_threshold(subscribed):
    case = presentation_create(payload=make_payload(**URGENT), client=None, by=SYSTEM)

    assert alerts_escalate(case.received_at + timedelta(minutes=119)) == 0
    assert alerts_escalate(case.received_at + timedelta(minutes=120)) == 1


def test_nothing_is_escalated_without_a_subscribed_endpoint(settings):
    settings.ALERT_ESCALATE_EMERGENCY_MINUTES = 15
    presentation_create(payload=make_payload(**EMERGENCY), client=None, by=SYSTEM)

    assert alerts_escalate(timezone.now() + timedelta(hours=1)) == 0
    assert not Alert.objects.exists()


def test_the_queue_says_when_the_worker_last_reported_and_what_waits_undelivered(subscribed, admin_client):
    from django.db import connection

    before = admin_client.get("/admin/triage/presentation/").content.decode()
    case = presentation_create(payload=make_payload(**EMERGENCY), client=None, by=SYSTEM)
    alerts_escalate(case.received_at + timedelta(minutes=20))  # its escalation: one alert, not yet delivered
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - interval '2 minutes')")
    after = admin_client.get("/admin/triage/presentation/").content.decode()

    assert "<strong>no worker has reported</strong>" in before and "No alert waiting." in before
    assert "last reported 2\xa0minutes ago" in after
    # The case's own alert, not yet swept out to the endpoints, and its escalation.
    assert f"<strong>2 alerts waiting</strong>, the oldest since {case.received_at:%Y-%m-%d %H:%M} UTC" in after
