"""Presentations and assessments on PostgreSQL: round-trips and the constraints that guard them."""

import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from tests.factories import assess_payload, make_api_key, make_payload, make_presentation, symptom
from triage.audit import SYSTEM
from triage.contract import canonical
from triage.models import Assessment, AuditEvent, Presentation
from triage.rules import NEWEST, Level
from triage.services import presentation_create, presentation_reassess

pytestmark = pytest.mark.django_db


def test_json_columns_write_what_json_dumps_would():
    # Keys that are not strings become strings, as json.dumps makes them.
    presentation = make_presentation()
    value = {1: "one", "nested": {"list": [1, 2.5, None, True]}, "text": 'quote " and é'}

    Presentation.objects.filter(pk=presentation.pk).update(payload=value)

    presentation.refresh_from_db()
    assert presentation.payload == {"1": "one", "nested": {"list": [1, 2.5, None, True]}, "text": 'quote " and é'}


def test_an_assessment_round_trips_through_the_database():
    payload = make_payload(
        symptoms=[symptom("slurred_speech", "sudden")], measurements={"blood_glucose": {"value": 5.5, "unit": "mmol/L"}}
    )
    expected = assess_payload(payload)

    created = presentation_create(payload=payload, client=None, by=SYSTEM)
    stored = Presentation.objects.select_related("current_assessment").get(pk=created.pk)

    assessment = stored.current_assessment
    assert assessment.findings == expected.findings_as_dicts()
    assert assessment.recommendations == list(expected.recommendations)
    assert (assessment.level, assessment.flagged, assessment.score) == (Level.EMERGENCY, True, 40)
    assert assessment.ruleset_version == NEWEST
    assert (stored.level, stored.flagged, stored.score) == (Level.EMERGENCY, True, 40)
    assert stored.payload == canonical(payload)


def test_the_same_external_id_twice_for_one_client_is_refused():
    client, _raw = make_api_key()
    make_presentation(client=client, external_id="form-1")

    with pytest.raises(IntegrityError), transaction.atomic():
        make_presentation(client=client, external_id="form-1")

    assert Presentation.objects.count() == 1


def test_two_clients_may_use_the_same_external_id():
    first, _ = make_api_key("intake-a")
    second, _ = make_api_key("intake-b")

    make_presentation(client=first, external_id="form-1")
    make_presentation(client=second, external_id="form-1")

    assert Presentation.objects.filter(external_id="form-1").count() == 2


def test_presentations_without_a_client_are_unique_by_external_id_too():
    make_presentation(client=None, external_id="form-1")

    with pytest.raises(IntegrityError), transaction.atomic():
        make_presentation(client=None, external_id="form-1")


def test_reassessing_adds_an_assessment_and_keeps_the_old_one():
    presentation = make_presentation(context={"poor_sleep": True})
    first = presentation.current_assessment

    second = presentation_reassess(presentation=presentation, by=SYSTEM)

    presentation.refresh_from_db()
    assert presentation.current_assessment == second
    assert Assessment.objects.filter(presentation=presentation).count() == 2
    first.refresh_from_db()
    assert first.findings == second.findings


def test_the_database_refuses_a_score_above_the_cap():
    presentation = make_presentation()

    with pytest.raises(IntegrityError), transaction.atomic():
        Presentation.objects.filter(pk=presentation.pk).update(score=101)


def test_the_database_refuses_an_assessment_flagged_below_urgent():
    presentation = make_presentation()

    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.filter(pk=presentation.current_assessment_id).update(flagged=True)


def test_reassess_scores_again_only_what_an_older_rule_set_assessed():
    old = make_presentation(external_id="old", symptoms=[symptom("seizure", "sudden")])
    current = make_presentation(external_id="current")
    Assessment.objects.filter(pk=old.current_assessment_id).update(ruleset_version="2025.01")
    out = io.StringIO()

    call_command("reassess", stdout=out)

    old.refresh_from_db()
    assert "Re-assessed 1 presentations" in out.getvalue()
    assert old.current_assessment.ruleset_version == NEWEST
    assert Assessment.objects.filter(presentation=old).count() == 2
    assert Assessment.objects.filter(presentation=current).count() == 1


# Every POST writes a row to each: an index that no read needs costs every POST.
POST_TABLES = [model._meta.db_table for model in (Presentation, Assessment, AuditEvent)]


def test_no_index_on_the_posted_tables_repeats_the_start_of_another():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, i.indrelid::regclass::text, i.indisunique OR i.indpred IS NOT NULL,"
            " array(SELECT pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnkeyatts) k),"
            " i.indclass::oid[]::text[], pg_get_indexdef(i.indexrelid)"
            " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid::regclass::text = ANY(%s)",
            [POST_TABLES],
        )
        indexes = cursor.fetchall()

    assert {table for _, table, *_ in indexes} == set(POST_TABLES)
    assert not [name for name, *_, definition in indexes if "pattern_ops" in definition]  # LIKE: no query uses one
    redundant = [
        (name, other)
        for name, table, needed, columns, classes, _ in indexes
        for other, other_table, _, other_columns, other_classes, _ in indexes
        if not needed  # unique and partial indexes do more than order rows
        and (other, other_table) != (name, table)
        and other_table == table
        and other_columns[: len(columns)] == columns
        and other_classes[: len(classes)] == classes
    ]
    assert not redundant, f"each first index is the start of the second: {redundant}"


def test_new_presentations_and_assessments_take_time_ordered_ids():
    # UUIDv7: each new row's key goes to the end of its indexes, not to a random page of them.
    first = make_presentation(external_id="ordered-1")
    second = make_presentation(external_id="ordered-2")
    second_assessment = second.current_assessment
    reassessed = presentation_reassess(presentation=second, by=SYSTEM)
    ids = [first.id, first.current_assessment.id, second.id, second_assessment.id, reassessed.id]

    assert {value.version for value in ids} == {7}
    assert first.id < second.id
    assert first.current_assessment.id < second_assessment.id < reassessed.id
