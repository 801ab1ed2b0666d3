"""The audit append: in the caller's transaction (or one of its own), holding the chain's lock to its end."""

import contextlib
from collections.abc import Iterator

import psycopg
import pytest
from django.db import connection, transaction

from triage.audit import CHAIN_LOCK, SYSTEM, audit_record
from triage.models import AuditAction, AuditEvent

# Sessions holding the chain's lock in this database: another database on the server may use the same key.
CHAIN_LOCK_HOLDERS = (
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    " AND ((classid::bigint << 32) | objid::bigint) = %s"
)


@contextlib.contextmanager
def another_session() -> Iterator[psycopg.Connection]:
    """A connection of its own to the test database: it sees only what is committed."""
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"], autocommit=True
    ) as observer:
        yield observer


@pytest.mark.django_db(transaction=True)
def test_an_audit_append_outside_any_transaction_is_committed_at_once_and_lets_the_chain_go():
    # A read's access record, in autocommit: stored for everyone at once, and the next append need not wait.
    audit_record(by=SYSTEM, action=AuditAction.READ, event_type="test.read", status=200)

    with another_session() as observer:
        seen = [event_type for (event_type,) in observer.execute("SELECT event_type FROM triage_auditevent")]
        (holders,) = observer.execute(CHAIN_LOCK_HOLDERS, [CHAIN_LOCK]).fetchone()
    assert connection.connection.pgconn.transaction_status == psycopg.pq.TransactionStatus.IDLE
    assert seen == ["test.read"]
    assert holders == 0


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
