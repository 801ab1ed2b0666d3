"""external_id as the idempotency key: a retry is answered from what was stored, never stored twice."""

import json
import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tests.factories import make_api_key, make_payload, symptom
from tests.openapi import assert_response_conforms
from triage.audit import audit_verify
from triage.models import Assessment, AuditEvent, Presentation, Role

URL = "/api/v1/presentations/"


def post(api, payload):
    return api.post(URL, data=json.dumps(payload), content_type="application/json")


@pytest.mark.django_db
def test_a_retry_of_the_same_body_answers_200_with_the_stored_result(intake_api):
    payload = make_payload(symptoms=[symptom("slurred_speech", "sudden")])
    first = post(intake_api, payload)

    retry = post(intake_api, payload)

    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json() == first.json()
    assert Presentation.objects.count() == 1
    assert Assessment.objects.count() == 1
    assert_response_conforms(retry, URL, "post")


@pytest.mark.django_db
def test_spelling_out_a_default_is_the_same_request(intake_api):
    payload = make_payload(symptoms=[{"code": "headache", "onset": "gradual"}])
    explicit = make_payload(symptoms=[symptom("headache", "gradual", resolved=False)])
    explicit["patient"]["sex"] = "unknown"
    post(intake_api, payload)

    retry = post(intake_api, explicit)

    assert retry.status_code == 200
    assert Presentation.objects.count() == 1


@pytest.mark.django_db
def test_the_same_external_id_with_a_different_body_is_a_409(intake_api):
    post(intake_api, make_payload(symptoms=[symptom("headache", "gradual")]))

    conflict = post(intake_api, make_payload(symptoms=[symptom("headache", "sudden")]))

    assert conflict.status_code == 409
    assert conflict["Content-Type"] == "application/problem+json"
    assert Presentation.objects.count() == 1
    assert_response_conforms(conflict, URL, "post")


@pytest.mark.django_db
def test_another_client_may_reuse_the_external_id(intake_api, api_as, other_intake_key):
    post(intake_api, make_payload())

    response = post(api_as(other_intake_key[1]), make_payload())

    assert response.status_code == 201
    assert Presentation.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_identical_requests_racing_each_other_store_exactly_one_presentation():
    _key, raw = make_api_key("intake-race", Role.INTAKE)
    payload = make_payload(external_id="race-1", symptoms=[symptom("seizure", "sudden")])
    racers = 8
    barrier = threading.Barrier(racers)
    statuses: list[int] = []

    def racer() -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
        barrier.wait(timeout=30)  # all send at once
        try:
            statuses.append(post(client, payload).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=racer) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not any(thread.is_alive() for thread in threads), "a racer is still waiting for its answer"
    assert sorted(statuses) == [200] * (racers - 1) + [201]
    assert Presentation.objects.filter(external_id="race-1").count() == 1
    assert Assessment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_committed_retries_and_conflicts_leave_one_presentation_and_an_intact_chain():
    # Outside a test transaction a POST's write is a transaction of its own: a duplicate's write fails whole.
    _key, raw = make_api_key("intake-committed", Role.INTAKE)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    payload = make_payload(external_id="committed-1", symptoms=[symptom("headache", "gradual")])

    statuses = [
        post(client, payload).status_code,
        post(client, payload).status_code,
        post(client, {**payload, "symptoms": [symptom("headache", "sudden")]}).status_code,
    ]

    assert statuses == [201, 200, 409]
    assert (Presentation.objects.count(), Assessment.objects.count()) == (1, 1)
    assert AuditEvent.objects.filter(event_type="presentation.create", outcome="success").count() == 1
    assert audit_verify().intact


@pytest.mark.django_db(transaction=True)
def test_retries_among_new_posts_on_one_connection_are_all_answered():
    # A retry's write fails on the unique constraint: the connection must serve the next POSTs as before.
    _key, raw = make_api_key("intake-mixed", Role.INTAKE)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    payloads = [make_payload(external_id=f"mixed-{n}", symptoms=[symptom("headache", "gradual")]) for n in range(4)]

    statuses = [post(client, payloads[n]).status_code for n in (0, 0, 1, 1, 0, 2, 2, 3, 1, 3)]

    assert statuses == [201, 200, 201, 200, 200, 201, 200, 201, 200, 200]
    assert audit_verify().intact


def test_a_retry_of_a_body_stored_before_a_field_was_added_is_still_a_retry(intake_api):
    # A field the contract gained after the body was stored reads as its default, as the new body's does.
    payload = make_payload(external_id="stored-before")
    first = intake_api.post(URL, json.dumps(payload), content_type="application/json")
    stored = Presentation.objects.get(pk=first.json()["id"])
    older = {**stored.payload, "context": {}}
    del older["notes"]
    Presentation.objects.filter(pk=stored.pk).update(payload=older)

    again = intake_api.post(URL, json.dumps(payload), content_type="application/json")

    assert again.status_code == 200
    assert again.json() == first.json()
