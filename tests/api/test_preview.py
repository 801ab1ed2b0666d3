"""POST /api/v1/assessments/preview: a sandbox that scores a body as a POST would and stores nothing."""

import json

import pytest

from tests.factories import invalid_vignettes, make_payload, symptom, valid_vignettes
from tests.openapi import assert_response_conforms
from triage.api.throttling import ApiKeyRateThrottle
from triage.models import Alert, AuditEvent, Presentation

pytestmark = pytest.mark.django_db

URL = "/api/v1/assessments/preview"
SCHEMA_PATH = "/api/v1/assessments/preview"


def preview(api, body):
    return api.post(URL, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("vignette", valid_vignettes(), ids=lambda v: v["id"])
def test_each_valid_vignette_is_scored_as_a_post_would_be_and_nothing_is_stored(intake_api, vignette):
    expect = vignette["expect"]

    response = preview(intake_api, vignette["request"])

    assert response.status_code == 200, response.content
    assessment = response.json()["assessment"]
    assert (assessment["level"], assessment["flagged"], assessment["score"]) == (
        expect["level"], expect["flagged"], expect["score"],
    )  # fmt: skip
    assert {f["code"] for f in assessment["findings"]} == set(expect["findings"])
    assert assessment["recommendations"] == expect["recommendations_in_order"]
    assert_response_conforms(response, SCHEMA_PATH, "post")
    assert not Presentation.objects.exists() and not Alert.objects.exists()


@pytest.mark.parametrize("vignette", invalid_vignettes(), ids=lambda v: v["id"])
def test_each_invalid_vignette_is_refused_naming_its_fields_as_a_post_is(intake_api, vignette):
    response = preview(intake_api, vignette["request"])

    assert response.status_code == vignette["expect"]["status"]
    assert response["Content-Type"] == "application/problem+json"
    fields = [error["field"] for error in response.json()["errors"]]
    for expected in vignette["expect"]["error_fields"]:
        assert any(field == expected or field.startswith(expected + ".") for field in fields), fields


def test_the_same_body_gets_the_same_assessment_from_the_preview_and_the_post(intake_api):
    body = make_payload(external_id="same", symptoms=[symptom("slurred_speech", "sudden")])

    previewed = preview(intake_api, body).json()["assessment"]
    posted = intake_api.post("/api/v1/presentations/", data=json.dumps(body), content_type="application/json")

    stored = posted.json()["assessment"]
    assert previewed == {key: value for key, value in stored.items() if key not in ("id", "assessed_at")} | {
        "assessed_at": previewed["assessed_at"]
    }


def test_a_preview_is_audited_without_the_patients_reference(intake_api, intake_key):
    preview(intake_api, make_payload(symptoms=[symptom("slurred_speech", "sudden")]))

    event = AuditEvent.objects.get(event_type="assessment.preview")
    assert event.agent_name == intake_key[0].name and event.patient_reference == ""
    assert event.detail == {"ruleset_version": "2027.01", "level": "emergency", "flagged": True}
    assert "pt-test" not in json.dumps(event.detail)


@pytest.mark.parametrize("role", ["clinician", "auditor", None])
def test_only_intake_keys_may_preview(api_as, clinician_key, auditor_key, role):
    raw = {"clinician": clinician_key[1], "auditor": auditor_key[1], None: None}[role]

    response = preview(api_as(raw), make_payload())

    assert response.status_code == (401 if role is None else 403)


def test_a_preview_counts_against_the_keys_rate_like_a_post(intake_api, monkeypatch):
    monkeypatch.setitem(ApiKeyRateThrottle.THROTTLE_RATES, "api_key", "2/min")
    monkeypatch.setattr(ApiKeyRateThrottle, "timer", lambda _throttle: 1_800_000_010.0)  # inside one window

    statuses = [preview(intake_api, make_payload()).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
