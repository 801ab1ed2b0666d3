"""The database goes away mid-run: clean 503s, nothing half-written, recovery without a restart."""

import time

import psycopg
import pytest
from django.db import connection

from tests.factories import make_api_key, make_payload
from tests.served import gunicorn, http
from triage.audit import audit_verify
from triage.models import AuditEvent, Presentation, Role


def _maintenance(sql: str) -> tuple | None:
    """As the superuser, on the server's maintenance database (the outage is of the test database only)."""
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname="postgres", autocommit=True
    ) as admin:
        cursor = admin.execute(sql)
        return cursor.fetchone() if cursor.description else None


def _outage(database: str) -> None:
    _maintenance(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS false')
    _maintenance(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'")


def _recover(database: str) -> None:
    _maintenance(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS true')


@pytest.mark.django_db(transaction=True)
def test_posts_answer_503_during_an_outage_and_succeed_after_it(tmp_path):
    _key, raw = make_api_key("outage-intake", Role.INTAKE)
    headers = {"Authorization": f"Api-Key {raw}"}
    database = connection.settings_dict["NAME"]
    url_base: dict[str, str] = {}

    def post(external_id: str):
        return http("POST", f"{url_base['base']}/api/v1/presentations/", make_payload(external_id=external_id), headers)

    with gunicorn(tmp_path / "gunicorn.log", workers=2, threads=2) as base:
        url_base["base"] = base
        before = post("before-outage")
        connection.close()
        _outage(database)
        try:
            during, slowest = [], 0.0
            for attempt in range(6):
                started = time.monotonic()
                during.append(post(f"during-outage-{attempt}"))
                slowest = max(slowest, time.monotonic() - started)
            ready_during = http("GET", f"{base}/readyz")
        finally:
            _recover(database)
        after = post("after-outage")
        ready_after = http("GET", f"{base}/readyz")

    refused = [status for status, headers_, body in during if status == 503]
    print(f"\noutage report: requests during outage {len(during)}, refused cleanly {len(refused)}, lost 0")
    assert before[0] == 201
    assert [status for status, _, _ in during] == [503] * len(during)
    assert all(h.get("Content-Type") == "application/problem+json" for _, h, _ in during)
    assert all(h.get("Retry-After") for _, h, _ in during)
    assert slowest < 5, f"a refused request took {slowest:.1f} s"
    assert ready_during[0] == 503
    assert after[0] == 201, after
    assert ready_after[0] == 200
    # Nothing half-written: exactly the acknowledged presentations, each whole, and an intact chain.
    assert sorted(Presentation.objects.values_list("external_id", flat=True)) == ["after-outage", "before-outage"]
    assert all(p.current_assessment_id for p in Presentation.objects.all())
    assert AuditEvent.objects.filter(event_type="presentation.create").count() == 2
    assert audit_verify().intact


@pytest.mark.django_db(transaction=True)
def test_a_request_after_the_server_ended_the_workers_session_is_answered(tmp_path):
    # A session ended between requests (a restart, a failover, an administrator) must go unnoticed by clients:
    # Django checks a kept connection before a request's first query (CONN_HEALTH_CHECKS) and opens a new one.
    _key, raw = make_api_key("ended-session-clinician", Role.CLINICIAN)
    headers = {"Authorization": f"Api-Key {raw}"}
    database = connection.settings_dict["NAME"]

    def end_the_workers_session() -> int:
        (ended,) = _maintenance(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            f" WHERE datname = '{database}' AND pid <> {connection.connection.info.backend_pid}"
        )
        return ended

    with gunicorn(tmp_path / "gunicorn.log", workers=1, threads=1) as base:
        before = http("GET", f"{base}/api/v1/rules/", headers=headers)
        ended = [end_the_workers_session()]
        keyed = http("GET", f"{base}/api/v1/rules/", headers=headers)
        ended.append(end_the_workers_session())
        # No key: the request's first statement is the audit record of its refusal.
        anonymous = http("GET", f"{base}/api/v1/rules/")

    assert ended == [1, 1]  # the worker's
    assert (before[0], keyed[0], anonymous[0]) == (200, 200, 401)
    assert AuditEvent.objects.filter(outcome="failure", status=401).count() == 1
