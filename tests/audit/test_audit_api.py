"""GET /api/v1/audit-events/: auditors read the trail, as JSON or FHIR R4."""

import pytest

from tests.factories import make_presentation
from tests.openapi import assert_response_conforms
from triage.models import AuditEvent

pytestmark = pytest.mark.django_db

URL = "/api/v1/audit-events/"


@pytest.fixture
def auditor_api(api_as, auditor_key):
    return api_as(auditor_key[1])


@pytest.fixture
def history(clinician_api, intake_key):
    presentation = make_presentation(client=intake_key[0])
    clinician_api.get(f"/api/v1/presentations/{presentation.id}/")
    return presentation


def test_an_auditor_lists_events_newest_first(auditor_api, history):
    response = auditor_api.get(URL)

    assert response.status_code == 200
    sequences = [event["id"] for event in response.json()["results"]]
    assert sequences == sorted(sequences, reverse=True)
    assert_response_conforms(response, URL, "get")


@pytest.mark.parametrize(
    ("query", "event_types"),
    [
        ("action=R&event_type=presentation.read", {"presentation.read"}),
        ("agent=clinician-test", {"presentation.read"}),
        ("outcome=failure", set()),
    ],
)
def test_it_filters_events(auditor_api, history, query, event_types):
    response = auditor_api.get(f"{URL}?{query}")

    assert {event["event_type"] for event in response.json()["results"]} == event_types


def test_it_filters_by_entity_and_patient(auditor_api, history):
    by_entity = auditor_api.get(URL, {"entity_id": str(history.id)}).json()["results"]
    by_patient = auditor_api.get(URL, {"patient_reference": "pt-test"}).json()["results"]

    assert {e["event_type"] for e in by_entity} == {"presentation.create", "presentation.read"}
    assert {e["event_type"] for e in by_patient} == {"presentation.create", "presentation.read"}


def test_it_pages_with_a_cursor(auditor_api, history):
    first = auditor_api.get(URL, {"page_size": 1}).json()

    second = auditor_api.get(first["next"]).json()

    assert first["results"][0]["id"] > second["results"][0]["id"]


def test_a_page_of_events_is_not_offered_as_fhir(auditor_api, history):
    # FHIR is for one event; a page labelled application/fhir+json would not be a FHIR resource.
    response = auditor_api.get(URL, HTTP_ACCEPT="application/fhir+json")

    assert response.status_code == 406
    assert response["Content-Type"] == "application/problem+json"
    assert auditor_api.get(URL, HTTP_ACCEPT="application/fhir+json, application/json").status_code == 200


def test_one_event_as_json_and_as_fhir(auditor_api, history):
    event = AuditEvent.objects.get(event_type="presentation.read")

    plain = auditor_api.get(f"{URL}{event.sequence}/")
    by_format = auditor_api.get(f"{URL}{event.sequence}/?format=fhir")
    by_accept = auditor_api.get(f"{URL}{event.sequence}/", HTTP_ACCEPT="application/fhir+json")

    assert plain.json()["hash"] == event.hash
    assert_response_conforms(plain, f"{URL}{{id}}/", "get")
    assert by_format["Content-Type"] == "application/fhir+json"
    assert by_accept.json() == by_format.json()
    resource = by_format.json()
    assert resource["resourceType"] == "AuditEvent"
    assert resource["action"] == "R"
    assert resource["outcome"] == "0"
    assert resource["agent"][0]["who"]["identifier"]["value"] == "clinician-test"
    assert {"reference": f"Presentation/{history.id}"} in [entity.get("what") for entity in resource["entity"]]


@pytest.mark.parametrize("caller", ["none", "intake", "clinician"])
def test_only_auditors_read_the_trail(api_as, intake_key, clinician_key, caller):
    raw = {"none": None, "intake": intake_key[1], "clinician": clinician_key[1]}[caller]

    response = api_as(raw).get(URL)

    assert response.status_code == (401 if caller == "none" else 403)


def test_reading_the_trail_is_itself_recorded(auditor_api, history):
    before = AuditEvent.objects.count()

    auditor_api.get(URL)

    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.order_by("-sequence").first().event_type == "audit_event.read"


def test_an_unknown_filter_is_refused(auditor_api):
    assert auditor_api.get(URL, {"agnet": "x"}).status_code == 400


def test_a_repeated_filter_is_refused(auditor_api):
    response = auditor_api.get(f"{URL}?event_type=presentation.read&event_type=presentation.create")

    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["event_type"]


# "p=abc" and "p=--5" (each was a 500), and not base64 at all
@pytest.mark.parametrize("cursor", ["cD1hYmM=", "cD0tLTU=", "not-a-cursor"])
def test_a_forged_cursor_points_at_no_page(auditor_api, history, cursor):
    response = auditor_api.get(URL, {"cursor": cursor})

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("page_size", ["0", "501", "²", "٣", "1e2"])
def test_a_page_size_that_is_not_a_whole_number_in_range_is_refused(auditor_api, page_size):
    response = auditor_api.get(URL, {"page_size": page_size})

    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["page_size"]
