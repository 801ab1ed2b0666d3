"""Every endpoint against every kind of caller, as the contract's role table says."""

import json

import pytest
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import make_api_key, make_payload, make_presentation
from tests.fhir.forms import fill_in
from triage.audit import SYSTEM
from triage.fhir.questionnaire import questionnaire_resource
from triage.models import AuditEvent, Presentation
from triage.rulesets import active_ruleset

CALLERS = ["none", "revoked", "intake", "clinician", "auditor", "other_intake"]

# The role matrix, the one declaration of who may do what: (route name, method) -> expected status per caller, in
# CALLERS order; "own" objects belong to the intake caller. tests/api/test_route_walk.py proves every routed method
# of the API has a row. HEAD answers as GET does; OPTIONS is DRF's metadata action, open to the roles of
# the viewset's actions (test_options_describes_a_viewset_to_the_roles_of_its_actions).
MATRIX = {
    ("api:rules", "GET"): [401, 401, 200, 200, 200, 200],
    ("api:presentation-list", "POST"): [401, 401, 201, 403, 403, 201],
    ("api:assessment-preview", "POST"): [401, 401, 200, 403, 403, 200],
    ("api:presentation-list", "GET"): [401, 401, 200, 200, 403, 200],
    ("api:presentation-detail", "GET"): [401, 401, 200, 200, 403, 404],
    ("api:presentation-review", "POST"): [401, 401, 403, 201, 403, 403],
    ("api:audit-event-list", "GET"): [401, 401, 403, 403, 200, 403],
    ("api:audit-event-detail", "GET"): [401, 401, 403, 403, 200, 403],
    ("fhir:metadata", "GET"): [401, 401, 200, 200, 200, 200],
    ("fhir:questionnaire", "GET"): [401, 401, 200, 200, 200, 200],
    ("fhir:code-system", "GET"): [401, 401, 200, 200, 200, 200],
    ("fhir:questionnaire-response", "POST"): [401, 401, 201, 403, 403, 201],
    ("fhir:questionnaire-response-preview", "POST"): [401, 401, 200, 403, 403, 200],
    ("fhir:risk-assessment", "GET"): [401, 401, 200, 200, 403, 404],
    ("fhir:audit-event-search", "GET"): [401, 401, 403, 403, 200, 403],
    ("fhir:audit-event", "GET"): [401, 401, 403, 403, 200, 403],
}
# What each part of the API is sent, and answers its refusals in.
CONTENT_TYPES = {
    "api": ("application/json", "application/problem+json"),
    "fhir": ("application/fhir+json", "application/fhir+json"),
}
CASES = [(route, caller, statuses[i]) for route, statuses in MATRIX.items() for i, caller in enumerate(CALLERS)]


@pytest.fixture
def callers(api_as, revoked_key, intake_key, clinician_key, auditor_key, other_intake_key):
    return {
        "none": api_as(None),
        "revoked": api_as(revoked_key[1]),
        "intake": api_as(intake_key[1]),
        "clinician": api_as(clinician_key[1]),
        "auditor": api_as(auditor_key[1]),
        "other_intake": api_as(other_intake_key[1]),
    }


def call(client: APIClient, route: tuple[str, str], presentation: Presentation) -> HttpResponse:
    """Make the matrix row's request, on the intake caller's `presentation` or the audit event its creation wrote."""
    name, method = route
    event = AuditEvent.objects.get(entity_id=presentation.id, event_type="presentation.create")
    args = {
        "api:presentation-detail": [presentation.id],
        "api:presentation-review": [presentation.id],
        "api:audit-event-detail": [event.sequence],
        "fhir:questionnaire": ["twitch-intake"],
        "fhir:code-system": ["symptoms-code"],
        "fhir:risk-assessment": [presentation.id],
        "fhir:audit-event": [event.sequence],
    }
    form = questionnaire_resource(active_ruleset())
    bodies = {
        ("api:presentation-list", "POST"): make_payload(external_id="new-1"),
        ("api:assessment-preview", "POST"): make_payload(external_id="tried-1"),
        ("api:presentation-review", "POST"): {"status": "in_review", "reviewed_by": "staff-1"},
        ("fhir:questionnaire-response", "POST"): fill_in(form, make_payload(external_id="new-2")),
        ("fhir:questionnaire-response-preview", "POST"): fill_in(form, make_payload(external_id="tried-2")),
    }
    path = reverse(name, args=args.get(name))
    if method == "GET":
        return client.get(path)
    return client.post(path, json.dumps(bodies[route]), content_type=CONTENT_TYPES[name.partition(":")[0]][0])


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "caller", "expected"), CASES, ids=[f"{r[1]} {r[0]}-{c}" for r, c, _ in CASES])
def test_each_role_gets_the_contract_status(callers, intake_key, route, caller, expected):
    own = make_presentation(client=intake_key[0])

    response = call(callers[caller], route, own)

    assert response.status_code == expected, response.content
    if expected >= 400:
        assert response["Content-Type"] == CONTENT_TYPES[route[0].partition(":")[0]][1]


@pytest.mark.django_db
def test_an_intake_client_lists_only_its_own_presentations(callers, intake_key, other_intake_key):
    make_presentation(client=intake_key[0], external_id="mine")
    make_presentation(client=other_intake_key[0], external_id="theirs")

    mine = callers["intake"].get("/api/v1/presentations/").json()["results"]
    everything = callers["clinician"].get("/api/v1/presentations/").json()["results"]

    assert [p["external_id"] for p in mine] == ["mine"]
    assert {p["external_id"] for p in everything} == {"mine", "theirs"}


@pytest.mark.django_db
def test_an_unknown_presentation_id_is_a_404_for_everyone(callers):
    response = callers["clinician"].get("/api/v1/presentations/00000000-0000-0000-0000-000000000000/")

    assert response.status_code == 404


@pytest.mark.django_db
def test_a_revoked_key_fails_at_once(api_as, intake_key):
    from triage.services import api_key_revoke

    client = api_as(intake_key[1])
    assert client.get("/api/v1/rules/").status_code == 200

    api_key_revoke(name=intake_key[0].name, by=SYSTEM)

    assert client.get("/api/v1/rules/").status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header", ["Api-Key", "Api-Key ", "Api-Key nonsense", "Api-Key a.b", "Bearer abc", "Basic eDp5"]
)
def test_malformed_credentials_are_refused(header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get("/api/v1/rules/")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
@pytest.mark.parametrize("scheme", ["api-key", "API-KEY"])
def test_the_scheme_is_read_whatever_its_case(api_as, clinician_key, scheme):
    # RFC 9110: authentication schemes are case-insensitive.
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{scheme} {clinician_key[1]}")

    assert client.get("/api/v1/rules/").status_code == 200


@pytest.mark.django_db
def test_a_clinician_user_works_the_queue_through_a_session(clinician_user, intake_key):
    presentation = make_presentation(client=intake_key[0])
    client = APIClient()
    client.force_login(clinician_user)

    listed = client.get("/api/v1/presentations/")
    # The API's review names the person who decided, whoever is logged in (the published schema requires it).
    done = {"status": "reviewed", "disposition": "already_receiving_care", "reviewed_by": "dr-who"}
    reviewed = client.post(f"/api/v1/presentations/{presentation.id}/review/", done, format="json")

    assert listed.status_code == 200
    assert reviewed.status_code == 201
    assert reviewed.json()["reviewer"] == "dr-who"


@pytest.mark.django_db
def test_a_user_without_a_role_group_is_refused(db):
    client = APIClient()
    client.force_login(User.objects.create_user("no-role", password="a-long-test-password"))

    assert client.get("/api/v1/presentations/").status_code == 403
    assert client.post("/api/v1/presentations/", make_payload(), format="json").status_code == 403


@pytest.mark.django_db
def test_using_a_key_records_when_it_was_last_used(api_as, intake_key):
    api_key, raw = intake_key
    assert api_key.last_used_at is None

    api_as(raw).get("/api/v1/rules/")

    api_key.refresh_from_db()
    assert api_key.last_used_at is not None


@pytest.mark.parametrize(
    ("url", "allowed"),
    [("/api/v1/presentations/", {"intake", "clinician"}), ("/api/v1/audit-events/", {"auditor"})],
)
def test_options_describes_a_viewset_to_the_roles_of_its_actions(db, api_as, url, allowed):
    for role in ("intake", "clinician", "auditor"):
        _key, raw = make_api_key(f"options-{role}", role)

        response = api_as(raw).options(url)

        assert response.status_code == (200 if role in allowed else 403), role
