"""Every write path and every read of patient data leaves exactly the audit events expected."""

import io
import json

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from tests.factories import make_payload, make_presentation, symptom
from triage.models import AuditEvent, Presentation

pytestmark = pytest.mark.django_db

URL = "/api/v1/presentations/"


def new_events(since: int) -> list[tuple[str, str, str, int | None]]:
    return list(
        AuditEvent.objects.filter(sequence__gt=since)
        .order_by("sequence")
        .values_list("action", "event_type", "outcome", "status")
    )


def head() -> int:
    return AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0


def post(api, payload):
    return api.post(URL, json.dumps(payload), content_type="application/json")


def test_a_create_writes_one_create_event_with_the_assessment(intake_api):
    start = head()

    body = post(intake_api, make_payload(symptoms=[symptom("seizure", "sudden")])).json()

    assert new_events(start) == [("C", "presentation.create", "success", 201)]
    event = AuditEvent.objects.get(sequence=start + 1)
    assert event.entity_type == "Presentation"
    assert event.entity_id == body["id"]
    assert event.patient_reference == "pt-test"
    assert event.detail == {
        "assessment_id": body["assessment"]["id"],
        "ruleset_version": "2027.01",
        "level": "emergency",
        "score": 40,
        "flagged": True,
    }
    assert (event.agent_type, event.agent_name, event.agent_role) == ("api_key", "intake-test", "intake")


def test_a_retry_writes_one_read_event(intake_api):
    post(intake_api, make_payload())
    start = head()

    post(intake_api, make_payload())

    assert new_events(start) == [("R", "presentation.retry", "success", 200)]


def test_a_conflicting_retry_writes_one_refusal(intake_api):
    post(intake_api, make_payload())
    start = head()

    post(intake_api, make_payload(history=["prior_stroke"]))

    assert new_events(start) == [("C", "presentation.create", "failure", 409)]


def test_a_review_writes_one_update_event_without_the_note(clinician_api, intake_key):
    presentation = make_presentation(client=intake_key[0])
    start = head()

    clinician_api.post(
        f"{URL}{presentation.id}/review/",
        json.dumps(
            {"status": "reviewed", "disposition": "no_action_needed", "note": "secret note text", "reviewed_by": "s-1"}
        ),
        content_type="application/json",
    )

    assert new_events(start) == [("U", "presentation.review", "success", 201)]
    detail = AuditEvent.objects.get(sequence=start + 1).detail
    assert detail["from_status"] == "pending" and detail["to_status"] == "reviewed"
    assert detail["has_note"] is True
    assert "secret note text" not in json.dumps(detail)


def test_a_list_read_writes_one_event_naming_the_ids_shown(clinician_api, intake_key):
    shown = [make_presentation(client=intake_key[0], external_id=f"p{i}") for i in range(3)]
    start = head()

    clinician_api.get(URL)

    assert new_events(start) == [("R", "presentation.list", "success", 200)]
    assert set(AuditEvent.objects.get(sequence=start + 1).detail["ids"]) == {str(p.id) for p in shown}


def test_a_detail_read_writes_one_event(clinician_api, intake_key):
    presentation = make_presentation(client=intake_key[0])
    start = head()

    clinician_api.get(f"{URL}{presentation.id}/")

    assert new_events(start) == [("R", "presentation.read", "success", 200)]
    assert AuditEvent.objects.get(sequence=start + 1).entity_id == str(presentation.id)


@pytest.mark.parametrize(
    ("caller", "request_kind", "expected"),
    [
        ("none", "list", [("R", "presentation.list", "failure", 401)]),
        ("revoked", "create", [("C", "presentation.create", "failure", 401)]),
        ("auditor", "list", [("R", "presentation.list", "failure", 403)]),
        ("intake", "review", [("U", "presentation.review", "failure", 403)]),
        ("other_intake", "detail", [("R", "presentation.retrieve", "failure", 404)]),
    ],
)
def test_a_refused_request_writes_one_failure_event(
    api_as, intake_key, other_intake_key, auditor_key, revoked_key, caller, request_kind, expected
):
    keys = {"none": None, "revoked": revoked_key[1], "auditor": auditor_key[1], "intake": intake_key[1]}
    keys["other_intake"] = other_intake_key[1]
    presentation = make_presentation(client=intake_key[0])
    client = api_as(keys[caller])
    start = head()

    if request_kind == "list":
        client.get(URL)
    elif request_kind == "create":
        post(client, make_payload(external_id="new"))
    elif request_kind == "review":
        client.post(f"{URL}{presentation.id}/review/", {"status": "reviewed"}, format="json")
    else:
        client.get(f"{URL}{presentation.id}/")

    assert new_events(start) == expected


def test_a_refused_probe_for_another_clients_presentation_names_the_id(api_as, intake_key, other_intake_key):
    presentation = make_presentation(client=intake_key[0])
    start = head()

    api_as(other_intake_key[1]).get(f"{URL}{presentation.id}/")

    event = AuditEvent.objects.get(sequence=start + 1)
    assert (event.entity_id, event.agent_name, event.patient_reference) == (str(presentation.id), "intake-other", "")


def test_a_validation_error_stores_nothing_and_writes_no_event(intake_api):
    start = head()

    response = post(intake_api, {"external_id": "x"})

    assert response.status_code == 400
    assert not Presentation.objects.exists()
    assert new_events(start) == []


def test_key_creation_and_revocation_write_events():
    start = head()

    call_command("create_api_key", "clinic-b", "--role", "intake", stdout=io.StringIO())
    call_command("revoke_api_key", "clinic-b", stdout=io.StringIO())

    assert new_events(start) == [("C", "api_key.create", "success", None), ("U", "api_key.revoke", "success", None)]
    assert AuditEvent.objects.get(sequence=start + 1).detail == {"name": "clinic-b", "role": "intake"}


def test_admin_login_failed_login_list_and_case_page_write_events(intake_key):
    presentation = make_presentation(client=intake_key[0])
    User.objects.create_superuser("boss", password="a-long-test-password")
    browser = Client()
    start = head()

    browser.post("/admin/login/", {"username": "boss", "password": "wrong"})
    browser.post("/admin/login/", {"username": "boss", "password": "a-long-test-password"})
    browser.get("/admin/triage/presentation/")
    browser.get(f"/admin/triage/presentation/{presentation.id}/change/")

    assert new_events(start) == [
        ("E", "session.login_failed", "failure", 401),
        ("E", "session.login", "success", 200),
        ("R", "presentation.admin_list", "success", 200),
        ("R", "presentation.read", "success", 200),
    ]
    case_page_event = AuditEvent.objects.get(sequence=start + 4)
    assert (case_page_event.agent_type, case_page_event.agent_name) == ("user", "boss")


def test_the_rule_catalogue_is_not_patient_data_and_writes_nothing(intake_api):
    start = head()

    intake_api.get("/api/v1/rules/")

    assert new_events(start) == []


def test_a_refused_audit_event_read_names_an_audit_event_not_a_presentation(clinician_api):
    start = head()

    clinician_api.get("/api/v1/audit-events/5/")

    event = AuditEvent.objects.get(sequence=start + 1)
    assert (event.entity_type, event.entity_id, event.status) == ("AuditEvent", "5", 403)


def test_opening_the_admin_audit_log_is_itself_recorded():
    User.objects.create_superuser("governor", password="a-long-test-password")
    browser = Client()
    browser.force_login(User.objects.get(username="governor"))
    make_presentation()
    start = head()

    browser.get("/admin/triage/auditevent/")

    assert new_events(start) == [("R", "audit_event.read", "success", 200)]


def test_an_assessment_records_an_http_status_only_where_a_request_made_it(intake_api):
    make_presentation(external_id="by-command")  # as seed_demo and reassess make them: no request
    post(intake_api, make_payload(external_id="by-request"))

    statuses = dict(AuditEvent.objects.filter(event_type="presentation.create").values_list("agent_type", "status"))
    assert statuses == {"system": None, "api_key": 201}
