"""The queue tells a clinician that new cases arrived, counts only, without reloading their page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_payload, symptom
from triage.audit import SYSTEM
from triage.models import AuditEvent
from triage.selectors import ARRIVALS_MARGIN
from triage.services import presentation_create, presentation_reassess

pytestmark = pytest.mark.django_db

URL = "/admin/triage/presentation/arrivals/"


def test_cases_assessed_after_the_page_was_made_are_counted_by_level(admin_client):
    since = timezone.now()
    earlier = since - timedelta(minutes=1)
    presentation_create(payload=make_payload(external_id="before"), client=None, by=SYSTEM, received_at=earlier)
    stroke = make_payload(external_id="stroke", symptoms=[symptom("slurred_speech", "sudden")])
    presentation_create(payload=stroke, client=None, by=SYSTEM)
    presentation_create(payload=make_payload(external_id="urgent", loss_of_facial_control=True), client=None, by=SYSTEM)
    presentation_create(payload=make_payload(external_id="routine"), client=None, by=SYSTEM)
    events = AuditEvent.objects.count()

    answer = admin_client.get(URL, {"since": since.isoformat()})

    assert answer.status_code == 200
    assert answer.json() == {"total": 3, "emergency": 1, "urgent": 1}
    assert AuditEvent.objects.count() == events  # counts only: no patient was shown
    assert admin_client.get(URL, {"since": (timezone.now() + ARRIVALS_MARGIN).isoformat()}).json()["total"] == 0


def test_a_case_stamped_just_before_the_page_was_made_is_counted_not_missed(admin_client):
    # Stamped on arrival, committed after the chain's lock: it may have missed the page's read of the queue.
    since = timezone.now()
    just_before = since - ARRIVALS_MARGIN + timedelta(seconds=1)
    presentation_create(payload=make_payload(external_id="racing"), client=None, by=SYSTEM, received_at=just_before)

    assert admin_client.get(URL, {"since": since.isoformat()}).json()["total"] == 1


def test_cases_a_re_assessment_re_scored_are_not_new_arrivals(admin_client):
    case = presentation_create(
        payload=make_payload(external_id="old"), client=None, by=SYSTEM, received_at=timezone.now() - timedelta(hours=1)
    )
    since = timezone.now()
    presentation_reassess(presentation=case, by=SYSTEM)

    assert admin_client.get(URL, {"since": since.isoformat()}).json()["total"] == 0


@pytest.mark.parametrize("since", [None, "yesterday", "2026-12-06T10:00:00"])
def test_a_missing_unreadable_or_naive_time_is_a_400(admin_client, since):
    answer = admin_client.get(URL, {} if since is None else {"since": since})

    assert answer.status_code == 400 and "since" in answer.json()["detail"]


def test_only_those_who_may_see_the_queue_may_ask(client, django_user_model):
    assert client.get(URL, {"since": timezone.now().isoformat()}).status_code == 302  # to the login page
    staff = django_user_model.objects.create_user("no-role", password="pw-0123456789", is_staff=True)
    client.force_login(staff)

    assert client.get(URL, {"since": timezone.now().isoformat()}).status_code == 403


def test_the_queue_page_carries_the_notice_and_its_script(admin_client):
    page = admin_client.get("/admin/triage/presentation/").content.decode()

    assert 'id="queue-arrivals" role="status"' in page and f'data-url="{URL}"' in page
    assert "triage/queue.js" in page
