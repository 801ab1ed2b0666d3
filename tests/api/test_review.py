"""POST /api/v1/presentations/{id}/review/: a clinician's review, with history kept."""

import json

import pytest

from tests.factories import make_presentation
from tests.openapi import assert_response_conforms
from triage.audit import SYSTEM
from triage.contract import InvalidBody
from triage.models import AuditEvent, Review
from triage.services import review_create

pytestmark = pytest.mark.django_db

SCHEMA_PATH = "/api/v1/presentations/{id}/review/"


def review(api, presentation, body):
    return api.post(
        f"/api/v1/presentations/{presentation.id}/review/", json.dumps(body), content_type="application/json"
    )


DONE = {"status": "reviewed", "disposition": "routine_appointment_arranged", "reviewed_by": "staff-042"}


def test_a_review_is_recorded_with_reviewer_and_time(clinician_api, intake_key):
    presentation = make_presentation(client=intake_key[0])

    response = review(clinician_api, presentation, {**DONE, "note": "GP in 2 weeks"})

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "reviewed"
    assert body["disposition"] == "routine_appointment_arranged"
    assert body["reviewed_by"] == "staff-042"
    assert body["reviewer"] == "staff-042 (clinician-test)"
    assert body["reviewed_at"]
    event = AuditEvent.objects.filter(event_type="presentation.review").first()
    assert (event.agent_name, event.detail["reviewed_by"]) == ("clinician-test", "staff-042")  # the key and the person
    presentation.refresh_from_db()
    assert presentation.review_status == "reviewed"
    assert_response_conforms(response, SCHEMA_PATH, "post")


def test_every_review_is_kept_and_the_latest_status_is_current(clinician_api, intake_key):
    presentation = make_presentation(client=intake_key[0])

    review(clinician_api, presentation, {"status": "in_review", "reviewed_by": "staff-042"})
    review(clinician_api, presentation, {**DONE, "note": "Seen."})

    presentation.refresh_from_db()
    assert presentation.review_status == "reviewed"
    assert list(
        Review.objects.filter(presentation=presentation).order_by("reviewed_at").values_list("status", flat=True)
    ) == [
        "in_review",
        "reviewed",
    ]
    listed = clinician_api.get("/api/v1/presentations/?review_status=reviewed").json()["results"]
    assert [p["id"] for p in listed] == [str(presentation.id)]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reviewed_by": "staff-042"}, "status"),
        ({**DONE, "status": "pending"}, "status"),
        ({**DONE, "status": "done"}, "status"),
        ({**DONE, "note": 5}, "note"),
        ({**DONE, "note": "x" * 2001}, "note"),
        ({**DONE, "score": 0}, "score"),
        # 2027.01: a coded disposition, required to close a case; a reason on record with the two that need one.
        ({**DONE, "disposition": "GP in 2 weeks"}, "disposition"),
        ({**DONE, "disposition": None}, "disposition"),
        ({**DONE, "disposition": ""}, "disposition"),
        ({"status": "reviewed", "reviewed_by": "staff-042"}, "disposition"),
        ({**DONE, "disposition": "unable_to_contact"}, "note"),
        ({**DONE, "disposition": "no_action_needed", "note": "   "}, "note"),
        # ... and, recorded with an API key, the person who decided.
        ({"status": "reviewed", "disposition": "self_care_advice_given"}, "reviewed_by"),
        ({**DONE, "reviewed_by": "Dr Jane Doe"}, "reviewed_by"),
    ],
)
def test_an_invalid_review_is_refused_and_changes_nothing(clinician_api, intake_key, body, field):
    presentation = make_presentation(client=intake_key[0])

    response = review(clinician_api, presentation, body)

    assert response.status_code == 400
    assert field in [error["field"] for error in response.json()["errors"]]
    assert not Review.objects.exists()
    presentation.refresh_from_db()
    assert presentation.review_status == "pending"
    assert_response_conforms(response, SCHEMA_PATH, "post")


@pytest.mark.parametrize(
    ("data", "content_type", "status", "fields"),
    [
        (b"", "text/plain", 415, None),
        (b'{"status": "reviewed", "\\ud800": 1}', "application/json", 400, ["body"]),
    ],
    ids=["empty-not-json", "unknown-field-lone-surrogate"],
)
def test_a_review_body_is_refused_like_a_submission(clinician_api, intake_key, data, content_type, status, fields):
    presentation = make_presentation(client=intake_key[0])

    response = clinician_api.post(f"/api/v1/presentations/{presentation.id}/review/", data, content_type=content_type)

    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert fields is None or [error["field"] for error in response.json()["errors"]] == fields
    assert not Review.objects.exists()


def test_each_missing_reason_is_named_at_once(clinician_api, intake_key):
    presentation = make_presentation(client=intake_key[0])

    response = review(clinician_api, presentation, {"status": "reviewed"})

    assert [error["field"] for error in response.json()["errors"]] == ["disposition", "reviewed_by"]


@pytest.mark.parametrize("disposition", ["unable_to_contact", "no_action_needed"])
def test_a_case_closed_without_contact_or_action_keeps_its_reason(clinician_api, intake_key, disposition):
    presentation = make_presentation(client=intake_key[0])

    response = review(clinician_api, presentation, {**DONE, "disposition": disposition, "note": "Duplicate of form-7."})

    assert response.status_code == 201
    assert Review.objects.get().note == "Duplicate of form-7."


def test_reviewing_an_unknown_presentation_is_a_404(clinician_api):
    response = clinician_api.post(
        "/api/v1/presentations/00000000-0000-0000-0000-000000000000/review/",
        json.dumps(DONE),
        content_type="application/json",
    )

    assert response.status_code == 404


def test_the_service_holds_every_caller_to_the_reviews_rules(clinician_key):
    presentation = make_presentation()
    key, _raw = clinician_key
    closed_with_nothing = {"status": "reviewed"}  # no disposition
    unnamed = {"status": "in_review"}  # a machine key's review names no person

    with pytest.raises(InvalidBody):
        review_create(presentation=presentation, **closed_with_nothing, by=SYSTEM, reviewer=key, reviewed_by="dr-a")
    with pytest.raises(InvalidBody):
        review_create(presentation=presentation, **unnamed, by=SYSTEM, reviewer=key)

    assert not Review.objects.exists()
