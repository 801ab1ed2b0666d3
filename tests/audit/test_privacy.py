"""No clinical content or free text in audit rows, and none in the logs."""

import json
import logging

import pytest
from django.forms.models import model_to_dict

from tests.factories import make_payload, symptom
from triage.models import AuditEvent

pytestmark = pytest.mark.django_db

NOTES = "Patient fears a brain tumour after her sister's diagnosis"
REVIEW_NOTE = "Called back; reassured, safety-netted"
PATIENT = "pt-secret-4711"
SYMPTOMS = ["slurred_speech", "palpitations", "memory_problems"]


def test_a_full_request_cycle_leaves_no_clinical_content_in_audit_rows_or_logs(
    caplog, intake_api, clinician_api, api_as, other_intake_key
):
    caplog.set_level(logging.DEBUG)
    payload = make_payload(
        symptoms=[symptom(code, "gradual") for code in SYMPTOMS], notes=NOTES, external_id="private-1"
    )
    payload["patient"]["reference"] = PATIENT
    send = {"content_type": "application/json"}

    created = intake_api.post("/api/v1/presentations/", json.dumps(payload), **send).json()
    intake_api.post("/api/v1/presentations/", json.dumps(payload), **send)  # retry
    conflicting = {**payload, "notes": NOTES + " (edited)"}
    intake_api.post("/api/v1/presentations/", json.dumps(conflicting), **send)  # 409
    invalid = {**payload, "external_id": "private-2", "symptoms": [{"code": "slurred_speech"}]}
    intake_api.post("/api/v1/presentations/", json.dumps(invalid), **send)  # 400
    clinician_api.get("/api/v1/presentations/")
    clinician_api.get(f"/api/v1/presentations/{created['id']}/")
    api_as(other_intake_key[1]).get(f"/api/v1/presentations/{created['id']}/")  # 404
    review = {"status": "reviewed", "disposition": "no_action_needed", "note": REVIEW_NOTE, "reviewed_by": "staff-1"}
    clinician_api.post(f"/api/v1/presentations/{created['id']}/review/", json.dumps(review), **send)

    rows = [model_to_dict(event) for event in AuditEvent.objects.all()]
    assert len(rows) >= 6
    for row in rows:
        # The two places a patient reference belongs: an event's own, and those a page of presentations showed.
        row.pop("patient_reference")
        row["detail"].pop("patient_references", None)
        text = json.dumps(row, default=str)
        assert NOTES not in text and REVIEW_NOTE not in text
        assert PATIENT not in text
        assert not any(code in text for code in SYMPTOMS)
    logged = "\n".join(record.getMessage() + str(record.args) for record in caplog.records)
    assert logged, "the cycle logged nothing, so this test would prove nothing"
    assert NOTES not in logged and REVIEW_NOTE not in logged
    assert PATIENT not in logged
    assert not any(code in logged for code in SYMPTOMS)
