"""A change and its audit event are stored together or not at all: the real services, with an append that fails.

The append fails the way it can in production: the chain's lock (held here by another session) is not granted
within the lock timeout. Nothing is patched.
"""

import json
from collections.abc import Iterator

import psycopg
import pytest
from django.db import OperationalError, connection

from tests.factories import make_payload, make_presentation
from triage.audit import CHAIN_LOCK, SYSTEM
from triage.models import Assessment, AuditEvent, Presentation, Review
from triage.services import presentation_create, presentation_reassess, review_create

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def chain_locked_elsewhere() -> Iterator[None]:
    """Another session holds the chain's lock; this one waits at most 100 ms for it."""
    settings = connection.settings_dict
    other = psycopg.connect(
        host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"], dbname=settings["NAME"]
    )
    other.execute("SELECT pg_advisory_lock(%s)", [CHAIN_LOCK])
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '100ms'")
    try:
        yield
    finally:
        other.close()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")


def counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Presentation, Assessment, Review, AuditEvent))


def test_a_presentation_whose_event_cannot_be_appended_is_not_stored(chain_locked_elsewhere):
    with pytest.raises(OperationalError, match="lock timeout"):
        presentation_create(payload=make_payload(), client=None, by=SYSTEM)

    assert counts() == (0, 0, 0, 0)


def test_a_reassessment_whose_event_cannot_be_appended_leaves_the_current_assessment(request):
    presentation = make_presentation()
    before = (counts(), presentation.current_assessment_id)
    request.getfixturevalue("chain_locked_elsewhere")

    with pytest.raises(OperationalError, match="lock timeout"):
        presentation_reassess(presentation=Presentation.objects.get(pk=presentation.pk), by=SYSTEM)

    assert (counts(), Presentation.objects.get(pk=presentation.pk).current_assessment_id) == before


def test_a_review_whose_event_cannot_be_appended_is_not_stored(request, django_user_model):
    presentation = make_presentation()
    reviewer = django_user_model.objects.create_user("reviewer")
    before = counts()
    request.getfixturevalue("chain_locked_elsewhere")

    with pytest.raises(OperationalError, match="lock timeout"):
        review_create(
            presentation=presentation,
            status="reviewed",
            disposition="self_care_advice_given",
            by=SYSTEM,
            reviewer=reviewer,
        )

    assert counts() == before
    assert Presentation.objects.get(pk=presentation.pk).review_status == "pending"


def test_a_post_whose_event_cannot_be_appended_is_a_503_and_stores_nothing(intake_api, chain_locked_elsewhere):
    intake_api.raise_request_exception = False
    presentations_before = Presentation.objects.count()

    response = intake_api.post("/api/v1/presentations/", json.dumps(make_payload()), content_type="application/json")

    assert response.status_code == 503  # the database did not answer in time (triage.middleware)
    assert Presentation.objects.count() == presentations_before
    assert not Presentation.objects.filter(external_id="form-1").exists()
