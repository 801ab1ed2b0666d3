"""A request refused for a missing CSRF token is recorded in the audit trail as the logged-in user's."""

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import make_presentation
from triage.models import AuditEvent, Review

pytestmark = pytest.mark.django_db


def test_an_admin_post_without_its_csrf_token_is_refused_and_recorded_with_the_user(clinician_staff):
    presentation = make_presentation()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(clinician_staff)

    response = browser.post(f"/admin/triage/presentation/{presentation.pk}/review/", {"status": "reviewed"})

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert not Review.objects.exists()
    refusal = AuditEvent.objects.get(outcome="failure")
    assert (refusal.status, refusal.agent_type, refusal.agent_name) == (403, "user", clinician_staff.username)
    assert refusal.event_type == "admin.triage_presentation_review"
    assert refusal.entity_id == str(presentation.pk)


def test_an_api_post_from_a_session_without_its_csrf_token_is_recorded_with_the_user(clinician_staff):
    presentation = make_presentation()
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(clinician_staff)

    response = api.post(
        f"/api/v1/presentations/{presentation.pk}/review/",
        json.dumps({"status": "reviewed"}),
        content_type="application/json",
    )

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    refusal = AuditEvent.objects.get(outcome="failure")
    assert (refusal.status, refusal.agent_type, refusal.agent_name) == (403, "user", clinician_staff.username)
    assert refusal.entity_id == str(presentation.pk)
