"""What schema fuzzing found, each fixed in the service or the schema, pinned here."""

import json
import re

import pytest

from tests.factories import make_payload, make_presentation
from tests.openapi import assert_response_conforms, published_schema
from triage.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_time_filter_with_an_offset_postgresql_cannot_hold_is_compared_in_utc(clinician_api):
    # PostgreSQL refuses offsets beyond ±15:59 ("time zone displacement out of range"): this was a 500.
    response = clinician_api.get("/api/v1/presentations/", {"received_after": "2637-09-05T15:14:39-16:58"})

    assert response.status_code == 200
    assert_response_conforms(response, "/api/v1/presentations/", "get")


def test_an_unrepresentable_time_filter_is_a_400(clinician_api):
    response = clinician_api.get("/api/v1/presentations/", {"received_before": "9999-12-31T23:59:59-15:00"})

    assert response.status_code == 400


def test_a_whole_number_written_as_a_float_is_an_integer(intake_api):
    # JSON Schema counts 38.0 as an integer; refusing it failed positive_data_acceptance.
    payload = make_payload(duration_days=8430.0)
    payload["patient"]["age_years"] = 38.0

    response = intake_api.post("/api/v1/presentations/", json.dumps(payload), content_type="application/json")

    assert response.status_code == 201
    body = response.json()
    assert body["patient"]["age_years"] == 38 and isinstance(body["patient"]["age_years"], int)
    assert body["twitch"]["duration_days"] == 8430 and isinstance(body["twitch"]["duration_days"], int)
    rationales = " ".join(f["rationale"] for f in body["assessment"]["findings"])
    assert "8430 days" in rationales and "8430.0" not in rationales


def test_a_measurement_too_large_for_a_float_is_a_400_naming_it(intake_api):
    # Found in review: math.isfinite() raises OverflowError on such an integer, which was a 500.
    body = json.dumps(make_payload(measurements={"blood_glucose": {"value": 0, "unit": "mg/dL"}}))
    body = body.replace('"value": 0', '"value": 1' + "0" * 400)

    response = intake_api.post("/api/v1/presentations/", body, content_type="application/json")

    assert response.status_code == 400
    assert "measurements.blood_glucose.value" in json.dumps(response.json())


def test_the_schema_says_which_characters_text_fields_refuse():
    schemas = published_schema()["components"]["schemas"]

    assert schemas["PresentationInputRequest"]["properties"]["external_id"]["pattern"].startswith("^[^\\u0000")
    note = json.dumps(schemas["ReviewInputRequest"]["properties"]["note"])
    assert "\\\\u007f-\\\\u009f" in note


def test_the_published_patterns_refuse_format_characters_as_the_server_does():
    schemas = published_schema()["components"]["schemas"]
    reference = re.compile(schemas["PatientRequest"]["properties"]["reference"]["pattern"])
    notes = re.compile(schemas["PresentationInputRequest"]["properties"]["notes"]["anyOf"][0]["pattern"])

    assert reference.search("pt-8f3a") and notes.search("line one\nline two")
    for sneaky in ["pt-\u202e3f8a", "pt\u200b8f3a", "pt\u2069", "pt\ufeff", "pt\U000e0041"]:
        assert not reference.search(sneaky) and not notes.search(sneaky)


@pytest.mark.parametrize("field", ["note", "reviewed_by"])
@pytest.mark.parametrize("text", ["ok\u0087", "ok\u202eko", "ok\u200b"])
def test_control_and_format_characters_in_a_review_are_refused(clinician_api, field, text):
    presentation = make_presentation()
    body = {"status": "reviewed", "disposition": "self_care_advice_given", "reviewed_by": "staff-1", field: text}

    response = clinician_api.post(
        f"/api/v1/presentations/{presentation.id}/review/", json.dumps(body), content_type="application/json"
    )

    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_the_schema_types_flagged_as_a_boolean_and_locations_as_a_non_empty_set():
    schema = published_schema()
    parameters = schema["paths"]["/api/v1/presentations/"]["get"]["parameters"]
    locations = schema["components"]["schemas"]["TwitchRequest"]["properties"]["locations"]

    assert next(p for p in parameters if p["name"] == "flagged")["schema"] == {"type": "boolean"}
    assert (locations["minItems"], locations["uniqueItems"]) == (1, True)


@pytest.mark.parametrize("query", ["format=AAA", "format=xml"])
def test_an_unknown_audit_event_format_is_a_400(api_as, auditor_key, query):
    make_presentation()
    sequence = AuditEvent.objects.first().sequence

    response = api_as(auditor_key[1]).get(f"/api/v1/audit-events/{sequence}/?{query}")

    assert response.status_code == 400
    assert_response_conforms(response, "/api/v1/audit-events/{id}/", "get")


@pytest.mark.parametrize(
    "query", ["recorded_before=", "agent=", "page_size=-5", "page_size=0", "patient_reference=a%00b"]
)
def test_empty_negative_or_nul_audit_filters_are_400s(api_as, auditor_key, query):
    response = api_as(auditor_key[1]).get(f"/api/v1/audit-events/?{query}")

    assert response.status_code == 400
    assert_response_conforms(response, "/api/v1/audit-events/", "get")


def test_an_empty_queue_filter_is_a_400(clinician_api):
    assert clinician_api.get("/api/v1/presentations/?level=").status_code == 400
