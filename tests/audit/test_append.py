"""The audit append: one database function call, in the caller's transaction, holding the chain's lock to its end."""

import psycopg
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from triage.audit import CHAIN_LOCK, SYSTEM, audit_record
from triage.models import AuditAction, AuditEvent


@pytest.mark.django_db(transaction=True)
def test_an_audit_append_outside_any_transaction_is_one_statement_committed_at_once():
    # A read's access record: the chain's lock is taken and released within the one statement's transaction.
    with CaptureQueriesContext(connection) as queries:
        audit_record(by=SYSTEM, action=AuditAction.READ, event_type="test.read", status=200)

    assert len(queries) == 1
    assert AuditEvent.objects.get().event_type == "test.read"
    assert connection.connection.pgconn.transaction_status == psycopg.pq.TransactionStatus.IDLE  # committed


@pytest.mark.django_db
def test_an_audit_append_inside_a_transaction_is_part_of_it():
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
