"""A POST may take its API key from the worker's cache, saving the key's lookup; its write confirms the key instead.

Whatever happened to the key since it was cached (revoked, expired, given another role), the next POST stores
nothing, is refused 401 as a POST with a key read afresh would be, and the key leaves the cache.
"""

import contextlib
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Max
from django.test import override_settings
from django.utils import timezone

from tests.factories import make_payload
from tests.test_db import end_session, next_request
from triage import services
from triage.api import authentication
from triage.api.throttling import ApiKeyRateThrottle
from triage.audit import SYSTEM
from triage.models import ApiKey, AuditEvent, Presentation, Role
from triage.services import api_key_revoke

URL = "/api/v1/presentations/"


def post(client, external_id: str, **fields):
    return client.post(
        URL, json.dumps(make_payload(external_id=external_id, **fields)), content_type="application/json"
    )


def key_lookups() -> mock.MagicMock:
    return mock.patch("triage.api.authentication.api_key_for", wraps=authentication.api_key_for)


@contextlib.contextmanager
def statements_run() -> Iterator[list[str]]:
    """The SQL of every statement run inside the block."""
    statements: list[str] = []

    def capture(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        yield statements


def events_after(sequence: int | None) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(sequence__gt=sequence or 0).order_by("sequence"))


def last_sequence() -> int | None:
    return AuditEvent.objects.aggregate(last=Max("sequence"))["last"]


def assert_refused(response, sequence: int | None) -> None:
    """401 as for a key read afresh, and only the refusal recorded, in no key's name: none was authenticated."""
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"
    assert response.json()["detail"] == "Invalid or revoked API key."
    (refusal,) = events_after(sequence)
    assert (refusal.event_type, refusal.outcome, refusal.status) == ("presentation.create", "failure", 401)
    assert (refusal.agent_type, refusal.agent_name) == ("anonymous", "")


def revoke(api_key: ApiKey) -> None:
    api_key_revoke(name=api_key.name, by=SYSTEM)


def expire(api_key: ApiKey) -> None:
    ApiKey.objects.filter(pk=api_key.pk).update(expiry_date=timezone.now() - timedelta(seconds=1))


def change_role(api_key: ApiKey) -> None:
    ApiKey.objects.filter(pk=api_key.pk).update(role=Role.CLINICIAN)


@pytest.mark.django_db
def test_a_post_after_the_first_reads_no_key_and_is_one_statement(intake_api):
    assert post(intake_api, "first").status_code == 201

    with statements_run() as statements, key_lookups() as lookups:
        response = post(intake_api, "second")

    assert response.status_code == 201
    assert lookups.call_count == 0
    # The write alone, confirming the key, between the SAVEPOINT/RELEASE pair only the test's transaction adds.
    assert len(statements) == 3
    assert "key_id => %s, key_role => %s" in statements[1]


@pytest.mark.django_db
def test_reads_never_take_the_key_from_the_cache(intake_api, intake_key):
    assert post(intake_api, "cached").status_code == 201

    with key_lookups() as lookups:
        assert intake_api.get(URL).status_code == 200
    assert lookups.call_count == 1

    revoke(intake_key[0])
    assert intake_api.get(URL).status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("change", [revoke, expire, change_role])
def test_a_key_changed_since_it_was_cached_stores_nothing_and_is_refused(intake_api, intake_key, change):
    assert post(intake_api, "before").status_code == 201
    change(intake_key[0])
    sequence = last_sequence()

    response = post(intake_api, "after")

    assert_refused(response, sequence)
    assert not Presentation.objects.filter(external_id="after").exists()


@pytest.mark.django_db
def test_a_refused_key_leaves_the_cache(intake_api, intake_key):
    assert post(intake_api, "before").status_code == 201
    revoke(intake_key[0])
    assert post(intake_api, "refused").status_code == 401

    with key_lookups() as lookups:
        assert post(intake_api, "refused-again").status_code == 401

    assert lookups.call_count == 1  # read afresh, and found revoked


# What a POST sends that is refused before anything is stored: nothing appends, so nothing confirmed the key.
REFUSED_UNSTORED = {
    "an invalid body": ({"data": json.dumps({"external_id": "x"}), "content_type": "application/json"}, 400),
    "malformed JSON": ({"data": "{", "content_type": "application/json"}, 400),
    "a body that is not JSON": ({"data": "x", "content_type": "text/plain"}, 415),
}


# Inside the test's transaction (the refused confirmation rolls back to its savepoint), and in autocommit as
# requests run. (A parameter's own mark: a function's would win over it.)
IN_TRANSACTION = [pytest.param(sent, marks=pytest.mark.django_db, id=sent) for sent in REFUSED_UNSTORED]
IN_AUTOCOMMIT = pytest.param("an invalid body", marks=pytest.mark.django_db(transaction=True), id="autocommit")


@pytest.mark.parametrize("sent", [*IN_TRANSACTION, IN_AUTOCOMMIT])
def test_a_key_revoked_since_it_was_cached_is_refused_401_before_its_body_is_answered(intake_api, intake_key, sent):
    assert post(intake_api, "before").status_code == 201
    revoke(intake_key[0])
    sequence = last_sequence()

    response = intake_api.post(URL, **REFUSED_UNSTORED[sent][0])

    assert_refused(response, sequence)
    with key_lookups() as lookups:
        assert post(intake_api, "after").status_code == 401
    assert lookups.call_count == 1  # it left the cache: read afresh, and found revoked


@pytest.mark.django_db
@pytest.mark.parametrize("sent", REFUSED_UNSTORED, ids=str)
def test_a_live_cached_key_is_confirmed_by_one_statement_before_its_body_is_refused(intake_api, sent):
    assert post(intake_api, "before").status_code == 201

    with statements_run() as statements, key_lookups() as lookups:
        response = intake_api.post(URL, **REFUSED_UNSTORED[sent][0])

    assert response.status_code == REFUSED_UNSTORED[sent][1]
    assert lookups.call_count == 0
    # The confirmation alone, between the SAVEPOINT/RELEASE pair only the test's transaction adds.
    assert len(statements) == 3
    assert statements[1].startswith("SELECT triage_api_key_confirm(")


@pytest.mark.django_db
def test_a_throttled_post_with_a_cached_key_runs_no_statement(intake_api, monkeypatch):
    # A 429 tells nothing of the request, and a client sending too fast must not cost the database a statement.
    cache.clear()
    monkeypatch.setitem(ApiKeyRateThrottle.THROTTLE_RATES, "api_key", "1/min")
    monkeypatch.setattr(ApiKeyRateThrottle, "timer", lambda _throttle: 1_800_000_010.0)  # within one window
    assert post(intake_api, "first").status_code == 201

    with statements_run() as statements:
        response = post(intake_api, "second")

    assert response.status_code == 429
    assert statements == []


# In autocommit, as requests run, and inside a caller's transaction: the refused append must not take the
# refusal's record down with it.
RESENT = {"a retry": {}, "a conflicting id": {"notes": "changed"}}
RESENT_IN_EITHER_MODE = [
    pytest.param(resent, reason, marks=pytest.mark.django_db(transaction=autocommit), id=f"{reason}, {mode}")
    for reason, resent in RESENT.items()
    for autocommit, mode in ((True, "autocommit"), (False, "in a transaction"))
]


@pytest.mark.parametrize(("resent", "reason"), RESENT_IN_EITHER_MODE)
def test_a_key_revoked_since_it_was_cached_learns_nothing_of_a_stored_presentation(
    intake_api, intake_key, resent, reason
):
    assert post(intake_api, "stored").status_code == 201
    revoke(intake_key[0])
    sequence = last_sequence()

    # The stored presentation is read and compared (with_defaults), then its answer refused.
    with mock.patch("triage.services.with_defaults", wraps=services.with_defaults) as compared:
        response = post(intake_api, "stored", **resent)

    assert compared.call_count == 2, reason
    assert_refused(response, sequence)


@pytest.mark.django_db(transaction=True)
def test_a_post_waiting_on_the_chain_behind_a_revocation_is_refused(intake_api, intake_key):
    # The key is confirmed once the append holds the chain's lock, which the revocation holds until it commits.
    assert post(intake_api, "before").status_code == 201
    revoked, release = threading.Event(), threading.Event()

    def revoke_and_wait() -> None:
        try:
            with transaction.atomic():
                revoke(intake_key[0])
                revoked.set()
                release.wait(5)
        finally:
            connection.close()  # this thread's own

    revoker = threading.Thread(target=revoke_and_wait)
    revoker.start()
    assert revoked.wait(5)
    threading.Timer(0.5, release.set).start()  # while the POST below waits on the chain's lock

    response = post(intake_api, "after")
    revoker.join()

    assert response.status_code == 401
    assert not Presentation.objects.filter(external_id="after").exists()


@pytest.mark.django_db
@override_settings(AUDIT_HASH_CHAIN=False)
def test_unchained_appends_confirm_the_key_too(intake_api, intake_key):
    assert post(intake_api, "before").status_code == 201
    revoke(intake_key[0])

    assert post(intake_api, "after").status_code == 401
    assert not Presentation.objects.filter(external_id="after").exists()


@pytest.mark.django_db(transaction=True)
def test_a_cached_key_post_on_a_connection_the_server_ended_is_stored_on_a_new_one(intake_api):
    assert post(intake_api, "before").status_code == 201
    ended = connection.connection.info.backend_pid
    next_request()
    end_session(ended)

    # The write is the check: Django's own (a SELECT 1 of its own) never runs, nor does a key lookup.
    wrapper = type(connections[DEFAULT_DB_ALIAS])
    unchecked = mock.patch.object(wrapper, "is_usable", autospec=True, side_effect=AssertionError("Django's check"))
    with unchecked, key_lookups() as lookups:
        response = post(intake_api, "after")

    assert response.status_code == 201
    assert lookups.call_count == 0
    assert connection.connection.info.backend_pid != ended
    assert Presentation.objects.filter(external_id="after").count() == 1


@pytest.mark.django_db
def test_a_repeated_refusal_left_unrecorded_still_confirms_a_cached_key(intake_api, intake_key):
    assert post(intake_api, "stored").status_code == 201
    assert [post(intake_api, "stored", notes="changed").status_code for _ in range(2)] == [409, 409]  # both recorded
    revoke(intake_key[0])
    sequence = last_sequence()

    response = post(intake_api, "stored", notes="changed")  # the third: a repeat the trail does not record

    assert_refused(response, sequence)
