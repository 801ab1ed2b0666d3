"""triage.db: a batch is one transaction, committed whole or not at all, inside or outside a caller's transaction."""

import uuid

import pytest
from django.db import IntegrityError, connection
from django.utils import timezone

from triage.audit import SYSTEM, audit_record
from triage.db import insert_new, one_round_trip
from triage.models import AuditAction, AuditEvent, Presentation


def unsaved(external_id: str = "batch-1") -> Presentation:
    return Presentation(
        id=uuid.uuid4(), client=None, external_id=external_id, patient_reference="pt-batch", age_years=40,
        sex="unknown", payload={}, received_at=timezone.now(), level=0, flagged=False, score=0, queue_rank=3100,
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_a_batch_outside_a_transaction_commits_its_statements_together():
    with one_round_trip():
        insert_new(unsaved("batch-1"))
        insert_new(unsaved("batch-2"))

    assert sorted(Presentation.objects.values_list("external_id", flat=True)) == ["batch-1", "batch-2"]


@pytest.mark.django_db(transaction=True)
def test_a_python_error_in_a_batch_commits_nothing_already_sent():
    with pytest.raises(RuntimeError), one_round_trip():
        insert_new(unsaved())
        raise RuntimeError("fails after the INSERT was sent")

    assert not Presentation.objects.exists()
    assert connection.connection.pgconn.transaction_status == 0  # idle: the connection is fit for the next request


@pytest.mark.django_db(transaction=True)
def test_a_failing_statement_rolls_back_the_whole_batch():
    insert_new(unsaved("taken"))

    with pytest.raises(IntegrityError), one_round_trip():
        insert_new(unsaved("new-one"))
        insert_new(unsaved("taken"))  # the unique (client, external_id) constraint

    assert list(Presentation.objects.values_list("external_id", flat=True)) == ["taken"]


@pytest.mark.django_db
def test_inside_a_transaction_a_failing_batch_rolls_back_only_itself():
    insert_new(unsaved("taken"))

    with pytest.raises(IntegrityError), one_round_trip():
        insert_new(unsaved("new-one"))
        insert_new(unsaved("taken"))

    # The caller's transaction goes on: the row before the batch is there, the batch's rows are not.
    assert list(Presentation.objects.values_list("external_id", flat=True)) == ["taken"]


@pytest.mark.django_db(transaction=True)
def test_a_nested_batch_joins_the_outer_one_and_fails_with_it():
    with pytest.raises(RuntimeError), one_round_trip():
        insert_new(unsaved("outer"))
        with one_round_trip():
            insert_new(unsaved("inner"))
        raise RuntimeError("the outer batch fails after the inner one ended")

    assert not Presentation.objects.exists()


def prepared_inserts() -> tuple[int, int]:
    """How many prepared statements insert presentations on this connection, and how often they have run."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), coalesce(sum(generic_plans + custom_plans), 0) FROM pg_prepared_statements"
            " WHERE statement LIKE %s",
            ['INSERT INTO "triage_presentation"%'],
        )
        return cursor.fetchone()


@pytest.mark.django_db
def test_a_statement_run_through_the_prepared_cursor_is_prepared_once_and_then_reused():
    insert_new(unsaved("prepared-0"))  # prepared now, if no earlier test on this connection did
    statements, runs = prepared_inserts()

    for external_id in ("prepared-1", "prepared-2", "prepared-3"):
        insert_new(unsaved(external_id))

    assert prepared_inserts() == (statements, runs + 3) == (1, runs + 3)


@pytest.mark.django_db
def test_a_prepared_statement_is_still_counted_as_a_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        insert_new(unsaved())


@pytest.mark.django_db(transaction=True)
def test_statements_skipped_by_a_failed_batch_run_again_afterwards():
    # The audit append's second run comes after the failing INSERT, so the server skips it (and, were the append
    # prepared on its second run, its preparation too: settings.py).
    insert_new(unsaved("taken"))
    audit_record(by=SYSTEM, action=AuditAction.CREATE, event_type="test.first")
    with pytest.raises(IntegrityError), one_round_trip():
        insert_new(unsaved("taken"))
        audit_record(by=SYSTEM, action=AuditAction.CREATE, event_type="test.skipped")

    audit_record(by=SYSTEM, action=AuditAction.CREATE, event_type="test.after")

    assert list(AuditEvent.objects.order_by("sequence").values_list("event_type", flat=True)) == [
        "test.first",
        "test.after",
    ]


@pytest.mark.django_db
def test_with_prepared_statements_off_the_prepared_cursor_runs_its_statements_unprepared():
    # DATABASE_PREPARED_STATEMENTS=false, for poolers that cannot keep prepared statements.
    connection.ensure_connection()
    threshold, connection.connection.prepare_threshold = connection.connection.prepare_threshold, None
    before = prepared_inserts()
    try:
        insert_new(unsaved("unprepared-1"))
        insert_new(unsaved("unprepared-2"))
    finally:
        connection.connection.prepare_threshold = threshold

    assert prepared_inserts() == before
    assert Presentation.objects.filter(external_id__startswith="unprepared-").count() == 2
