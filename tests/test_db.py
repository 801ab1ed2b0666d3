"""triage.db: new rows and the statement after them are one statement, stored whole or not at all, inside or
outside a caller's transaction; a request's first read stands in for the connection's health check."""

import uuid
import warnings
from unittest import mock

import psycopg
import pytest
from django.db import (
    DEFAULT_DB_ALIAS,
    DataError,
    IntegrityError,
    OperationalError,
    connection,
    connections,
    transaction,
)
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_api_key
from triage import db as triage_db
from triage.audit import CHAIN_LOCK, SYSTEM, audit_record
from triage.db import fetch_one_checked, insert_new, own_savepoint
from triage.models import Assessment, AuditAction, AuditEvent, Presentation, ReviewStatus, Role


def unsaved(external_id: str = "row-1") -> Presentation:
    return Presentation(
        id=uuid.uuid4(), client=None, external_id=external_id, patient_reference="pt-row", age_years=40,
        sex="unknown", payload={}, received_at=timezone.now(), level=0, flagged=False, score=0, queue_rank=3100,
    )  # fmt: skip


@pytest.mark.django_db
def test_rows_and_the_select_after_them_are_one_statement_the_select_run_once_the_rows_are_in():
    # PostgreSQL runs a WITH clause that nothing reads after the rest of the statement; the audit append must
    # come after the rows, so that the chain's lock is held for none of their INSERTs.
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE rows_seen (n bigint)")
        cursor.execute(
            "CREATE FUNCTION pg_temp.note_rows(pattern text) RETURNS void LANGUAGE plpgsql VOLATILE AS $$"
            " BEGIN INSERT INTO rows_seen SELECT count(*) FROM triage_presentation WHERE external_id LIKE pattern;"
            " END $$"
        )

    with CaptureQueriesContext(connection) as queries:
        insert_new(unsaved("first-1"), unsaved("first-2"), then=("SELECT pg_temp.note_rows(%s)", ["first-%"]))

    assert len(queries) == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT n FROM rows_seen")
        assert cursor.fetchall() == [(2,)]
    assert sorted(Presentation.objects.values_list("external_id", flat=True)) == ["first-1", "first-2"]


@pytest.mark.django_db(transaction=True)
def test_when_the_select_after_the_rows_fails_no_row_is_stored():
    with pytest.raises(DataError):
        insert_new(unsaved("new-1"), unsaved("new-2"), then=("SELECT 1 / %s", [0]))

    assert not Presentation.objects.exists()
    assert connection.connection.pgconn.transaction_status == psycopg.pq.TransactionStatus.IDLE  # fit for more


@pytest.mark.django_db(transaction=True)
def test_when_a_later_row_fails_the_earlier_ones_are_not_stored():
    insert_new(unsaved("taken"))

    with pytest.raises(IntegrityError):
        insert_new(unsaved("new-one"), unsaved("taken"))  # the unique (client, external_id) constraint

    assert list(Presentation.objects.values_list("external_id", flat=True)) == ["taken"]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_own_savepoint_adds_no_statement():
    with CaptureQueriesContext(connection) as queries, own_savepoint():
        insert_new(unsaved())

    assert len(queries) == 1  # no BEGIN, SAVEPOINT or COMMIT: in autocommit the statement is its own transaction


@pytest.mark.django_db
def test_inside_a_transaction_own_savepoint_rolls_back_only_the_failed_statement():
    insert_new(unsaved("taken"))

    with pytest.raises(IntegrityError), own_savepoint():
        insert_new(unsaved("new-one"), unsaved("taken"))

    # The caller's transaction goes on: the row before is there, the failed statement's rows are not.
    assert list(Presentation.objects.values_list("external_id", flat=True)) == ["taken"]


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
def test_prepared_statements_run_again_after_a_failed_one():
    insert_new(unsaved("taken"))
    audit_record(by=SYSTEM, action=AuditAction.CREATE, event_type="test.first")
    with pytest.raises(IntegrityError):
        audit_record(by=SYSTEM, action=AuditAction.CREATE, event_type="test.failed", new_rows=[unsaved("taken")])

    audit_record(by=SYSTEM, action=AuditAction.CREATE, event_type="test.after", new_rows=[unsaved("after")])

    assert list(AuditEvent.objects.order_by("sequence").values_list("event_type", flat=True)) == [
        "test.first",
        "test.after",
    ]
    assert sorted(Presentation.objects.values_list("external_id", flat=True)) == ["after", "taken"]


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


def end_session(pid: int) -> None:
    """As the server does on a restart or an administrator's pg_terminate_backend."""
    db = connection.settings_dict
    with psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"]) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


def next_request() -> None:
    """What Django does to a persistent connection when a request starts (request_started)."""
    connection.close_if_unusable_or_obsolete()


@pytest.mark.django_db(transaction=True)
def test_a_first_read_is_the_health_check_no_select_1_of_its_own():
    fetch_one_checked("SELECT 1", [])
    next_request()

    wrapper = type(connections[DEFAULT_DB_ALIAS])
    with mock.patch.object(wrapper, "is_usable", autospec=True, side_effect=AssertionError("Django's own check ran")):
        assert fetch_one_checked("SELECT 2", []) == (2,)
    assert connection.health_check_done


@pytest.mark.django_db(transaction=True)
def test_a_first_read_on_a_connection_the_server_ended_runs_again_on_a_new_one():
    fetch_one_checked("SELECT 1", [])
    ended = connection.connection.info.backend_pid
    next_request()
    end_session(ended)

    assert fetch_one_checked("SELECT pg_backend_pid()", []) != (ended,)
    assert connection.connection.info.backend_pid != ended


@pytest.mark.django_db(transaction=True)
def test_a_later_read_on_a_connection_the_server_ended_is_not_repeated():
    # Only the request's first statement stands in for the check; after it, Django's own rules apply.
    fetch_one_checked("SELECT 1", [])
    end_session(connection.connection.info.backend_pid)

    with pytest.raises(OperationalError):
        fetch_one_checked("SELECT 1", [])
    connection.close()  # as the request's end would: it has failed


@pytest.mark.django_db(transaction=True)
def test_a_first_read_that_fails_by_itself_is_raised_not_repeated():
    fetch_one_checked("SELECT 1", [])
    pid = connection.connection.info.backend_pid
    next_request()

    with mock.patch("triage.db._fetch_one", wraps=triage_db._fetch_one) as fetch, pytest.raises(DataError):
        fetch_one_checked("SELECT 1 / 0", [])
    assert fetch.call_count == 1
    assert connection.connection.info.backend_pid == pid


@pytest.mark.django_db
def test_a_read_in_binary_loads_the_values_django_loads_from_text():
    # The column types an API key's row has, and more; not JSON, which would come decoded (see triage.db).
    sql = (
        "SELECT TIMESTAMPTZ '2026-03-29 01:59:59.000001+05:30', NULL::timestamptz, TRUE, 'text', 7::smallint,"
        " 'b2a3c4d5-0000-4000-8000-000000000001'::uuid, 12.50::numeric, DATE '2026-11-27'"
    )
    with connection.cursor() as cursor:  # Django's own cursor: text, its loaders
        cursor.execute(sql)
        expected = cursor.fetchone()

    row = fetch_one_checked(sql, [])

    assert row == expected
    assert [type(value) for value in row] == [type(value) for value in expected]
    assert row[0].tzinfo == expected[0].tzinfo  # UTC, as Django loads it


@pytest.mark.django_db(transaction=True)
def test_an_audit_append_outside_any_transaction_is_one_statement_committed_at_once():
    # A read's access record: the chain's lock is taken and released within the one statement's transaction.
    with CaptureQueriesContext(connection) as queries:
        audit_record(by=SYSTEM, action=AuditAction.READ, event_type="test.read", status=200)

    assert len(queries) == 1
    assert AuditEvent.objects.get().event_type == "test.read"
    assert connection.connection.pgconn.transaction_status == psycopg.pq.TransactionStatus.IDLE  # committed


@pytest.mark.django_db
def test_an_audit_append_inside_a_transaction_is_part_of_it_without_a_savepoint(django_assert_num_queries):
    with django_assert_num_queries(1):  # the append alone: no SAVEPOINT, no RELEASE
        audit_record(by=SYSTEM, action=AuditAction.READ, event_type="test.in")

    assert connection.in_atomic_block
    assert AuditEvent.objects.get().event_type == "test.in"


@pytest.mark.django_db(transaction=True)
def test_an_audit_append_holds_the_chains_lock_until_its_transaction_ends():
    with transaction.atomic():
        audit_record(by=SYSTEM, action=AuditAction.READ, event_type="test.locked")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
                " AND ((classid::bigint << 32) | objid::bigint) = %s",
                [CHAIN_LOCK],
            )
            assert cursor.fetchone() == (1,)


@pytest.mark.django_db
def test_each_field_is_sent_as_save_would_send_it_and_a_choice_as_plain_text():
    chosen = unsaved("chosen")
    chosen.review_status = ReviewStatus.IN_REVIEW  # a str subclass: sent as its text, a str
    chosen.client = make_api_key("prepared", Role.INTAKE)[0]  # a foreign key to a text key
    naive = unsaved("naive")
    naive.received_at = naive.received_at.replace(tzinfo=None)  # Django's preparation makes it aware
    assessment = Assessment(
        id=uuid.uuid4(), presentation=chosen, ruleset_version="1", level=0, flagged=False, score=0, findings=[],
        recommendations=[], assessed_at=timezone.now(),
    )  # fmt: skip
    event = AuditEvent(recorded=timezone.now(), action=AuditAction.READ, detail={"n": 1})
    for instance in (chosen, naive, assessment, event):
        _sql, fields = triage_db._insert_statement(type(instance))
        for field, shortcut in fields:
            with warnings.catch_warnings(action="ignore", category=RuntimeWarning):  # naive datetime
                ours = triage_db._prepared(instance, field, shortcut, connection)
                django = field.get_db_prep_save(field.pre_save(instance, add=True), connection)
            assert getattr(ours, "obj", ours) == getattr(django, "obj", django), field.name  # Jsonb: its value
            assert type(ours) is (str if isinstance(django, str) else type(django)), field.name
