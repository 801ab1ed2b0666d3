"""Least privilege (issue 26, ADR 0015): the web process and the worker connect as a role that can append to the
audit trail and read it, and do their work, but cannot change, empty or unprotect it.

Each test grants a role of its own with `manage.py grant_app_role` and connects as it: directly with psycopg, through
Django's own connection (the services, the admin, the worker), or by serving the app with gunicorn.
"""

import io
import json
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import pgtrigger
import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import ProgrammingError, connection
from django.test import Client
from psycopg import errors, sql

from tests.alerts.worker import work
from tests.factories import make_payload, symptom
from tests.served import gunicorn, http
from triage.alert_endpoints import endpoint_create
from triage.audit import SYSTEM, audit_record, audit_verify
from triage.management.commands.grant_app_role import refused_writes
from triage.models import Alert, AuditAction, AuditEvent
from triage.services import presentation_create

pytestmark = pytest.mark.django_db(transaction=True)

AUDIT = AuditEvent._meta.db_table


def owner_runs(statement: sql.Composable, params: list | None = None) -> list[tuple]:
    """A statement run as the owner (the test database's user), through Django's connection."""
    with connection.cursor() as cursor:
        cursor.execute(statement.as_string(connection.connection), params)
        return cursor.fetchall() if cursor.description else []


def grant(role: str, **options: object) -> str:
    out = io.StringIO()
    call_command("grant_app_role", role, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


@pytest.fixture
def app_role(transactional_db) -> Iterator[str]:
    role = f"triage_app_test_{uuid.uuid4().hex[:12]}"  # roles are the cluster's: one of its own for each test
    grant(role)
    yield role
    owner_runs(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))  # its grants
    owner_runs(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


@pytest.fixture
def audit_event(transactional_db) -> AuditEvent:
    audit_record(by=SYSTEM, action=AuditAction.EXECUTE, event_type="ops.least_privilege_test")
    return AuditEvent.objects.get()


@contextmanager
def psycopg_as(role: str) -> Iterator[psycopg.Connection]:
    """A plain connection as `role` to the test database (trust authentication: no password)."""
    db = connection.settings_dict
    with psycopg.connect(host=db["HOST"], port=db["PORT"] or None, dbname=db["NAME"], user=role) as conn:
        conn.autocommit = True
        yield conn


@contextmanager
def django_as(role: str) -> Iterator[None]:
    """Django's connection, in this thread and the worker's, opened as `role` as DATABASE_URL would open it."""
    owner = connection.settings_dict["USER"]
    connection.close()
    connection.settings_dict["USER"] = role  # the one dict every thread's connection is made from
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["USER"] = owner


def test_the_audit_trail_is_the_append_only_table_its_triggers_name():
    refused = refused_writes()

    assert refused[AUDIT] == {"UPDATE", "DELETE"}
    assert {table for table, writes in refused.items() if writes} == {AUDIT, "django_migrations"}


def test_the_app_role_cannot_update_an_audit_event(app_role, audit_event):
    with psycopg_as(app_role) as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute(sql.SQL("UPDATE {} SET event_type = 'rewritten'").format(sql.Identifier(AUDIT)))


def test_the_app_role_cannot_delete_an_audit_event(app_role, audit_event):
    with psycopg_as(app_role) as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(AUDIT)))


def test_the_app_role_cannot_truncate_the_audit_trail(app_role, audit_event):
    with psycopg_as(app_role) as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute(sql.SQL("TRUNCATE {}").format(sql.Identifier(AUDIT)))


def test_the_app_role_cannot_disable_the_audit_triggers(app_role):
    with psycopg_as(app_role) as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute(sql.SQL("ALTER TABLE {} DISABLE TRIGGER ALL").format(sql.Identifier(AUDIT)))


def test_the_app_role_cannot_turn_triggers_off_with_session_replication_role(app_role):
    with psycopg_as(app_role) as conn, conn.transaction(), pytest.raises(errors.InsufficientPrivilege):
        conn.execute("SET LOCAL session_replication_role = replica")


def test_setting_pgtrigger_ignore_as_the_app_role_lets_no_change_to_the_audit_trail_through(app_role, audit_event):
    events = AuditEvent.objects.filter(pk=audit_event.pk)
    with django_as(app_role):
        # The triggers would let these through; the grants do not.
        with pgtrigger.ignore("triage.AuditEvent:audit_no_update_or_delete"), pytest.raises(ProgrammingError) as update:
            events.update(event_type="rewritten")
        with pgtrigger.ignore("triage.AuditEvent:audit_no_update_or_delete"), pytest.raises(ProgrammingError) as delete:
            events.delete()

    assert isinstance(update.value.__cause__, errors.InsufficientPrivilege)
    assert isinstance(delete.value.__cause__, errors.InsufficientPrivilege)
    assert AuditEvent.objects.get().event_type == "ops.least_privilege_test"


def test_the_app_role_cannot_rewrite_the_migration_history(app_role):
    with psycopg_as(app_role) as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute("DELETE FROM django_migrations")


def test_the_app_role_appends_to_the_audit_chain_and_verifies_it(app_role):
    with django_as(app_role):
        for n in range(3):
            audit_record(by=SYSTEM, action=AuditAction.EXECUTE, event_type=f"ops.append_{n}")
        check = audit_verify()

    assert check.intact and check.events == 3


def test_the_served_app_takes_a_presentation_and_shows_it_as_the_app_role(
    app_role, intake_key, clinician_key, tmp_path
):
    db = connection.settings_dict
    url = f"postgres://{app_role}@{quote(db['HOST'], safe='')}:{db['PORT'] or 5432}/{db['NAME']}"

    with gunicorn(tmp_path / "gunicorn.log", DATABASE_URL=url) as base:
        ready = http("GET", f"{base}/readyz")
        created = http(
            "POST", f"{base}/api/v1/presentations/", make_payload(), {"Authorization": f"Api-Key {intake_key[1]}"}
        )
        presentation_id = json.loads(created[2])["id"]
        shown = http(
            "GET",
            f"{base}/api/v1/presentations/{presentation_id}/",
            headers={"Authorization": f"Api-Key {clinician_key[1]}"},
        )

    assert ready[0] == 200, ready
    assert created[0] == 201, created
    assert shown[0] == 200, shown
    assert audit_verify().intact


def test_a_clinician_logs_in_to_the_admin_queue_as_the_app_role(app_role, clinician_staff):
    browser = Client()
    with django_as(app_role):
        browser.post("/admin/login/", {"username": clinician_staff.username, "password": "wrong"})  # axes records it
        browser.post("/admin/login/", {"username": clinician_staff.username, "password": "a-long-test-password"})
        queue = browser.get("/admin/triage/presentation/")

    assert queue.status_code == 200


def test_the_worker_sweeps_and_attempts_an_alert_as_the_app_role(app_role, settings):
    settings.ALERT_ALLOW_INSECURE_URLS = True
    settings.ALERT_MAX_ATTEMPTS = 1  # dead-lettered at its first failure: no retry to wait for
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]  # closed when the block ends: the attempt is refused
    owner_runs(sql.SQL("TRUNCATE procrastinate_jobs, procrastinate_workers RESTART IDENTITY CASCADE"))
    endpoint_create(
        name="on-call",
        url=f"http://127.0.0.1:{port}/hook",
        events=["presentation.flagged"],
        levels=["emergency"],
        by=SYSTEM,
    )

    with django_as(app_role):
        presentation_create(
            payload=make_payload(symptoms=[symptom("slurred_speech", "sudden")]), client=None, by=SYSTEM
        )
        work()

    alert = Alert.objects.get()
    assert (alert.status, alert.attempts) == (Alert.Status.DEAD, 1)
    assert AuditEvent.objects.filter(event_type="alert.dead").exists()


def test_running_the_command_again_takes_back_a_privilege_granted_by_hand(app_role):
    owner_runs(
        sql.SQL("GRANT UPDATE, DELETE, TRUNCATE ON {} TO {}").format(sql.Identifier(AUDIT), sql.Identifier(app_role))
    )

    grant(app_role)

    held = owner_runs(
        sql.SQL(
            "SELECT privilege FROM unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) AS privilege "
            "WHERE has_table_privilege(%s, %s, privilege)"
        ),
        [app_role, AUDIT],
    )
    assert sorted(row[0] for row in held) == ["INSERT", "SELECT"]


def test_running_the_command_again_takes_back_superuser_and_role_creation(app_role):
    owner_runs(sql.SQL("ALTER ROLE {} SUPERUSER CREATEROLE").format(sql.Identifier(app_role)))

    grant(app_role)

    assert owner_runs(sql.SQL("SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = %s"), [app_role]) == [
        (False, False)
    ]


def test_the_command_refuses_a_role_that_would_inherit_what_it_withholds(app_role):
    owner_runs(sql.SQL("GRANT pg_write_all_data TO {}").format(sql.Identifier(app_role)))

    with pytest.raises(CommandError, match="member of pg_write_all_data"):
        grant(app_role)


def test_the_command_refuses_to_make_the_owner_the_app_role(transactional_db):
    with pytest.raises(CommandError, match="must not be the owner"):
        grant(connection.settings_dict["USER"])


def test_the_password_is_stored_hashed_from_the_environment(app_role, monkeypatch):
    monkeypatch.setenv("TEST_APP_DATABASE_PASSWORD", "a-long-app-password")

    grant(app_role, password_env="TEST_APP_DATABASE_PASSWORD")

    (stored,) = owner_runs(sql.SQL("SELECT rolpassword FROM pg_authid WHERE rolname = %s"), [app_role])[0]
    assert stored.startswith("SCRAM-SHA-256$")
