"""POST /api/v1/presentations/{id}/review/: a clinician's review, with history kept."""

import json

import pytest

from tests.factories import make_presentation
from tests.openapi import assert_response_conforms
from triage.models import Review

pytestmark = pytest.mark.django_db

SCHEMA_PATH = "/api/v1/presentations/{id}/review/"


def review(api, presentation, body):
    return api.post(
        f"/api/v1/presentations/{presentation.id}/review/", json.dumps(body), content_type="application/json"
    )


def test_a_review_is_recorded_with_reviewer_and_time(clinician_api, intake_key):
    presentation = make_presentation(client=intake_key[0])

    response = review(clinician_api, presentation, {"status": "reviewed", "disposition": "GP in 2 weeks", "note": "OK"})

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "reviewed"
    assert body["disposition"] == "GP in 2 weeks"
    assert body["reviewer"] == "clinician-test"
    assert body["reviewed_at"]
    presentation.refresh_from_db()
    assert presentation.review_status == "reviewed"
    assert_response_conforms(response, SCHEMA_PATH, "post")


def test_every_review_is_kept_and_the_latest_status_is_current(clinician_api, intake_key):
    presentation = make_presentation(client=intake_key[0])

    review(clinician_api, presentation, {"status": "in_review"})
    review(clinician_api, presentation, {"status": "reviewed", "note": "Seen."})

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
        ({}, "status"),
        ({"status": "pending"}, "status"),
        ({"status": "done"}, "status"),
        ({"status": "reviewed", "note": 5}, "note"),
        ({"status": "reviewed", "note": "x" * 2001}, "note"),
        ({"status": "reviewed", "disposition": "x" * 201}, "disposition"),
        ({"status": "reviewed", "score": 0}, "score"),
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


def test_reviewing_an_unknown_presentation_is_a_404(clinician_api):
    response = clinician_api.post(
        "/api/v1/presentations/00000000-0000-0000-0000-000000000000/review/",
        json.dumps({"status": "reviewed"}),
        content_type="application/json",
    )

    assert response.status_code == 404
