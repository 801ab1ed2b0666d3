"""A flood of refusals costs the attacker more than the service: repeats are recorded sparingly, with their
count, and callers without credentials have a budget of refusals per address (docs/audit.md)."""

import uuid
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.factories import make_presentation
from triage import services
from triage.api.throttling import AnonymousRefusalThrottle
from triage.models import AuditEvent

pytestmark = pytest.mark.django_db


WINDOW_START = 1_800_000_000.0  # a whole minute since the epoch: counting windows start on the minute


@pytest.fixture(autouse=True)
def steady_clock(monkeypatch):
    """The repeat counts' and the budget's clock, 10 s into a minute: no test here straddles two windows."""
    monkeypatch.setattr(services, "time", SimpleNamespace(time=lambda: WINDOW_START + 10))
    monkeypatch.setattr(AnonymousRefusalThrottle, "timer", lambda _throttle: WINDOW_START + 10)


@pytest.fixture
def budget(monkeypatch):
    monkeypatch.setitem(AnonymousRefusalThrottle.THROTTLE_RATES, "anonymous", "1000/min")


def refusals() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(outcome="failure").order_by("sequence"))


def test_the_same_refusal_repeated_is_recorded_the_1st_2nd_4th_8th_time_with_its_count(api_as, budget):
    presentation = make_presentation()

    statuses = {api_as(None).get(f"/api/v1/presentations/{presentation.id}/").status_code for _ in range(10)}

    assert statuses == {401}
    recorded = refusals()
    assert [event.detail.get("repeat", 1) for event in recorded] == [1, 2, 4, 8]
    assert {(event.entity_id, event.client_ip, event.agent_type) for event in recorded} == {
        (str(presentation.id), "127.0.0.1", "anonymous")
    }
    assert recorded[1].detail == {"repeat": 2, "window_seconds": 60}


def test_a_probe_for_each_of_many_ids_records_each_id(api_as, budget):
    probed = [str(uuid.uuid4()) for _ in range(5)]

    for presentation_id in probed:
        api_as(None).get(f"/api/v1/presentations/{presentation_id}/")

    assert [event.entity_id for event in refusals()] == probed


def test_repeats_from_another_address_or_caller_are_counted_apart(api_as, intake_key, budget):
    presentation = make_presentation()
    url = f"/api/v1/presentations/{presentation.id}/"

    for _ in range(3):
        api_as(None).get(url, REMOTE_ADDR="10.0.0.1")
    api_as(None).get(url, REMOTE_ADDR="10.0.0.2")
    api_as(intake_key[1]).get(url)  # another client's presentation: a 404, with the key named

    assert [(event.client_ip, event.status, event.detail.get("repeat", 1)) for event in refusals()] == [
        ("10.0.0.1", 401, 1),
        ("10.0.0.1", 401, 2),
        ("10.0.0.2", 401, 1),
        ("127.0.0.1", 404, 1),
    ]


def test_past_its_budget_an_address_without_credentials_gets_429_and_nothing_is_recorded(
    api_as, intake_key, monkeypatch
):
    monkeypatch.setitem(AnonymousRefusalThrottle.THROTTLE_RATES, "anonymous", "3/min")
    probed = [str(uuid.uuid4()) for _ in range(5)]

    answers = [api_as(None).get(f"/api/v1/presentations/{presentation_id}/") for presentation_id in probed]

    assert [answer.status_code for answer in answers] == [401, 401, 401, 429, 429]
    assert answers[-1]["Content-Type"] == "application/problem+json"
    assert answers[-1]["Retry-After"] == "50"  # the minute's remaining seconds
    assert [event.entity_id for event in refusals()] == probed[:3]
    # A client with a key is not held back by what others sent from its address.
    assert api_as(intake_key[1]).get("/api/v1/presentations/").status_code == 200
    assert api_as(None).get("/api/v1/presentations/", REMOTE_ADDR="10.0.0.3").status_code == 401


def test_once_its_budget_is_spent_an_address_without_credentials_is_answered_before_routing(api_as, monkeypatch):
    monkeypatch.setitem(AnonymousRefusalThrottle.THROTTLE_RATES, "anonymous", "1/min")
    api_as(None).get("/api/v1/rules/")

    anywhere = api_as(None).get("/api/v1/no-such-endpoint/")  # a 404 had it got as far as routing

    assert anywhere.status_code == 429
    assert anywhere["Content-Type"] == "application/problem+json"
    assert "no-store" in anywhere["Cache-Control"] and "X-Request-ID" in anywhere
    assert api_as(None).get("/api/schema/").status_code == 200  # open to all, and no refusal


def test_a_spent_budget_leaves_requests_with_credentials_to_their_own_limits(api_as, clinician_key, monkeypatch):
    monkeypatch.setitem(AnonymousRefusalThrottle.THROTTLE_RATES, "anonymous", "1/min")
    api_as(None).get("/api/v1/rules/")

    with_a_key = api_as(clinician_key[1]).get("/api/v1/rules/")
    with_a_bad_key = api_as("AbCdEfGh.0123456789abcdefghij0123456789ab").get("/api/v1/rules/")

    assert with_a_key.status_code == 200
    assert with_a_bad_key.status_code == 429  # refused, and past the budget: not recorded
    assert AuditEvent.objects.filter(status=401).count() == 1


def test_failed_admin_logins_are_recorded_sparingly_and_within_the_budget(monkeypatch):
    monkeypatch.setitem(AnonymousRefusalThrottle.THROTTLE_RATES, "anonymous", "6/min")
    browser = Client()

    for _ in range(3):  # the same username thrice: recorded the 1st and 2nd time
        browser.post("/admin/login/", {"username": "boss", "password": "wrong"})
    for n in range(10):  # a new username each time: each recorded, until the address's budget is spent
        browser.post("/admin/login/", {"username": f"guess-{n}", "password": "wrong"})

    failed = AuditEvent.objects.filter(event_type="session.login_failed").order_by("sequence")
    assert [event.agent_name for event in failed] == ["boss", "boss", "guess-0", "guess-1", "guess-2"]


def test_a_header_of_another_scheme_is_no_credential_to_the_early_answer(api_as, monkeypatch):
    monkeypatch.setitem(AnonymousRefusalThrottle.THROTTLE_RATES, "anonymous", "1/min")
    api_as(None).get("/api/v1/rules/")
    basic = APIClient()
    basic.credentials(HTTP_AUTHORIZATION="Basic eDp5")

    with CaptureQueriesContext(connection) as queries:
        response = basic.get("/api/v1/rules/")

    assert response.status_code == 429
    assert len(queries) == 0
