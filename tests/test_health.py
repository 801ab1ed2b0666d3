"""The liveness and readiness probes."""

import pytest
from django.db import connection


def test_healthz_answers_without_touching_the_database(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_ready_when_the_database_is_migrated(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_readyz_answers_503_when_the_database_cannot_be_reached(client, django_db_blocker):
    original = connection.settings_dict.copy()
    connection.close()
    # A port nothing listens on: a real refused connection, not a mock.
    connection.settings_dict.update(HOST="127.0.0.1", PORT="1")
    try:
        with django_db_blocker.unblock():
            response = client.get("/readyz")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(original)

    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


@pytest.mark.django_db(transaction=True)
def test_readyz_answers_503_while_a_migration_is_pending(client):
    from django.core.management import call_command

    call_command("migrate", "triage", "zero", verbosity=0)
    try:
        response = client.get("/readyz")
    finally:
        call_command("migrate", verbosity=0)

    assert response.status_code == 503
    assert response.json()["database"] == "migrations pending"


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
@pytest.mark.parametrize("method", ["POST", "DELETE", "OPTIONS", "TRACE"])
def test_a_probe_answers_only_get_and_head(client, db, path, method):
    # A POST met the CSRF check first and was answered with an HTML 403; TRACE and OPTIONS answered 200.
    response = client.generic(method, path)

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response["Content-Type"] == "application/problem+json"
    assert client.head(path).status_code in (200, 503)
