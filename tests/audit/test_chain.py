"""The chain: append-only in the database, verifiable, tamper-evident, fork-free under concurrency."""

import hashlib
import io
import itertools
import json
import threading
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError
from rest_framework.test import APIClient

from tests.factories import make_api_key, make_payload, make_presentation
from triage import services
from triage.audit import CONTENT_FIELDS, GENESIS_HASH, SYSTEM, audit_record, audit_verify, content_digest, event_hash
from triage.models import AuditAction, AuditEvent, Presentation, Role

TABLE = AuditEvent._meta.db_table


def some_events(count: int) -> list[AuditEvent]:
    """Record `count` events; return them as stored, in chain order."""
    for n in range(count):
        audit_record(by=SYSTEM, action=AuditAction.EXECUTE, event_type="test.event", detail={"n": n})
    return list(AuditEvent.objects.filter(event_type="test.event").order_by("sequence"))


def verify(**options: str) -> str:
    out = io.StringIO()
    call_command("verify_audit", stdout=out, **options)
    return out.getvalue()


# --- append-only --------------------------------------------------------------------

ATTEMPTS = {
    "UPDATE": lambda: _sql(f"UPDATE {TABLE} SET event_type = 'edited'"),
    "DELETE": lambda: _sql(f"DELETE FROM {TABLE}"),
    "TRUNCATE": lambda: _sql(f"TRUNCATE {TABLE}"),
    "queryset.update()": lambda: AuditEvent.objects.update(outcome="failure"),
    "queryset.delete()": lambda: AuditEvent.objects.all().delete(),
    "instance.save()": lambda: _resave(),
}


def _sql(statement: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement)


def _resave() -> None:
    event = AuditEvent.objects.first()
    event.event_type = "edited"
    event.save()


@pytest.mark.django_db
@pytest.mark.parametrize("attempt", ATTEMPTS, ids=list(ATTEMPTS))
def test_the_database_refuses_to_change_history(attempt):
    some_events(3)

    with pytest.raises(DatabaseError, match="Cannot"), transaction.atomic():
        ATTEMPTS[attempt]()

    assert AuditEvent.objects.count() == 3
    assert not AuditEvent.objects.filter(event_type="edited").exists()
    assert audit_verify().intact


# --- verification -------------------------------------------------------------------


@pytest.mark.django_db
def test_an_intact_chain_verifies_and_reports_its_head():
    events = some_events(5)

    output = verify()

    assert "5 events verified" in output
    assert events[-1].hash in output
    assert events[0].prev_hash == GENESIS_HASH
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(events))


@pytest.mark.django_db
def test_an_empty_chain_verifies():
    assert audit_verify().events == 0


def _unprotected(statement: str, params: list | None = None) -> None:
    """As a superuser who switched the protection off: what an attacker with the keys could do."""
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
        cursor.execute(statement, params or [])
        cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")


def _forge_after(events: list[AuditEvent]) -> None:
    forged = AuditEvent(**{f.attname: getattr(events[-1], f.attname) for f in AuditEvent._meta.fields})
    forged.pk, forged.sequence, forged.event_type = None, events[-1].sequence + 1, "forged"
    forged.prev_hash = "f" * 64  # the forger cannot know what to chain to without rewriting the head copy
    forged.hash = event_hash(forged)
    _unprotected(
        f"INSERT INTO {TABLE} (sequence, recorded, action, event_type, outcome, status, agent_type, agent_name,"
        " agent_role, client_ip, user_agent, entity_type, entity_id, patient_reference, request_id, detail,"
        " prev_hash, hash) SELECT %s, recorded, action, %s, outcome, status, agent_type, agent_name, agent_role,"
        f" client_ip, user_agent, entity_type, entity_id, patient_reference, request_id, detail, %s, %s FROM {TABLE}"
        " WHERE sequence = %s",
        [forged.sequence, forged.event_type, forged.prev_hash, forged.hash, events[-1].sequence],
    )


TAMPERING = {
    # name: (what the attacker does to events 1..6, the first sequence verify_audit must name)
    "edit one row": (lambda e: _unprotected(f"UPDATE {TABLE} SET outcome = 'failure' WHERE sequence = 3"), 3),
    "delete one row": (lambda e: _unprotected(f"DELETE FROM {TABLE} WHERE sequence = 4"), 4),
    "swap two rows": (
        lambda e: _unprotected(
            f"UPDATE {TABLE} SET sequence = -2 WHERE sequence = 2;"
            f"UPDATE {TABLE} SET sequence = 2 WHERE sequence = 5;"
            f"UPDATE {TABLE} SET sequence = 5 WHERE sequence = -2"
        ),
        2,
    ),
    "insert a forged row": (_forge_after, 7),
}


@pytest.mark.django_db
@pytest.mark.parametrize("tampering", TAMPERING, ids=list(TAMPERING))
def test_verify_audit_catches_tampering_and_names_the_first_bad_sequence(tampering):
    events = some_events(6)
    assert audit_verify().intact
    tamper, first_bad = TAMPERING[tampering]

    tamper(events)

    with pytest.raises(CommandError, match=f"broken at sequence {first_bad}:"):
        verify()


@pytest.mark.django_db
@pytest.mark.parametrize("sequence", [0, -1])
def test_verify_audit_catches_an_event_numbered_outside_the_chain(sequence):
    # INSERT alone is enough: the triggers refuse only UPDATE, DELETE and TRUNCATE.
    events = some_events(3)
    AuditEvent.objects.create(
        **{f.attname: getattr(events[0], f.attname) for f in AuditEvent._meta.fields if f.attname != "id"}
        | {"sequence": sequence, "agent_name": "framed", "hash": "f" * 64}
    )

    with pytest.raises(CommandError, match=f"broken at sequence {sequence}: an event numbered below 1"):
        verify()


@pytest.mark.django_db
def test_verify_audit_prints_an_anchor_that_catches_a_chain_cut_short_later():
    events = some_events(6)
    anchor = verify().rsplit("anchor ", 1)[1].strip()
    assert anchor == f"6:{events[-1].hash}"

    _unprotected(f"DELETE FROM {TABLE} WHERE sequence >= 5")

    assert "intact" in verify()  # a chain cut at its end looks whole without the anchor
    with pytest.raises(CommandError, match="broken at sequence 5: the chain ends before the anchor"):
        verify(anchor=anchor)


@pytest.mark.django_db
def test_verify_audit_catches_a_chain_that_no_longer_holds_its_anchor():
    events = some_events(4)

    with pytest.raises(CommandError, match="broken at sequence 3: the hash differs from the anchor's"):
        verify(anchor=f"3:{'a' * 64}")
    assert "intact: 4 events" in verify(anchor=f"3:{events[2].hash}")


@pytest.mark.django_db
def test_verify_audit_holds_an_empty_chains_anchor_to_zeros():
    assert "anchor 0:" + "0" * 64 in verify()

    with pytest.raises(CommandError, match="broken at sequence 0: an empty chain's anchor is all zeros"):
        verify(anchor=f"0:{'a' * 64}")


@pytest.mark.django_db
@pytest.mark.parametrize("anchor", ["6", "six:abc", f"6:{'A' * 64}", f"-1:{'a' * 64}"])
def test_verify_audit_refuses_an_anchor_it_did_not_print(anchor):
    with pytest.raises(CommandError, match="--anchor takes SEQUENCE:HASH"):
        verify(anchor=anchor)


# --- the change and its event are one transaction ------------------------------------


@pytest.mark.django_db
def test_a_failed_audit_write_undoes_the_change(monkeypatch):
    def broken_audit(**kwargs):
        raise DatabaseError("audit store unavailable")

    monkeypatch.setattr(services, "audit_record", broken_audit)

    with pytest.raises(DatabaseError):
        services.presentation_create(payload=make_payload(), client=None, by=SYSTEM)

    assert Presentation.objects.count() == 0


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_no_event_and_no_gap():
    some_events(2)

    with pytest.raises(RuntimeError), transaction.atomic():
        make_presentation(external_id="doomed")
        raise RuntimeError("the request failed after the event was written")

    some_events(1)
    assert list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True)) == [1, 2, 3]
    assert audit_verify().intact


# --- concurrency --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_audited_requests_never_fork_or_gap_the_chain():
    threads_count, requests_each = 8, 100
    _clinician, raw = make_api_key("clinician-load", Role.CLINICIAN)
    presentation = make_presentation(external_id="shared")
    before = AuditEvent.objects.count()
    failures: list[int] = []

    def reader() -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
        try:
            for _ in range(requests_each):
                status = client.get(f"/api/v1/presentations/{presentation.id}/").status_code
                if status != 200:
                    failures.append(status)
        finally:
            connection.close()

    threads = [threading.Thread(target=reader) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(thread.is_alive() for thread in threads), "a reader is still waiting for its answers"
    events = list(AuditEvent.objects.order_by("sequence").values_list("sequence", "prev_hash"))
    sequences = [sequence for sequence, _ in events]
    prev_hashes = [prev_hash for _, prev_hash in events]
    assert failures == []
    assert len(events) - before == threads_count * requests_each
    assert sequences == list(range(1, len(events) + 1)), "gaps"
    assert len(set(prev_hashes)) == len(prev_hashes), "forks"
    assert audit_verify().intact


CONTENTS = [
    {"n": 1, "ids": ["a", "b"]},
    {"text": "é ü 中 😀 \U0010ffff \x7f \x80", "control": '\x00\x01\n\t\x1f"\\'},
    {"nested": {"z": [True, None, {"b": -1, "a": 2**63 - 1}]}, "": ""},
    {"big": 2**70},  # beyond 64 bits
    {"float": 1e-07, "also": [0.1, 1e16]},
    {1: "a key that is not a string"},
    {"ü": 1, "u": 2, "\U00010000": 3, "\uffff": 4},  # key order by code point
]


@pytest.mark.parametrize("detail", CONTENTS, ids=range(len(CONTENTS)))
def test_the_content_digest_is_the_sha256_of_canonical_json_as_json_dumps_writes_it(detail):
    # The digests of events already stored were taken over json.dumps's bytes: any other writer must match them.
    content = dict.fromkeys(CONTENT_FIELDS, "") | {
        "recorded": datetime(2026, 11, 27, 23, 59, 59, 123456, tzinfo=UTC), "status": 201, "detail": detail,
    }  # fmt: skip
    canonical = {**content, "recorded": "2026-11-27T23:59:59.123456+00:00"}
    expected = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    assert content_digest(content) == hashlib.sha256(expected.encode()).hexdigest()


CHANGED_BY_JSONB = {
    "a float": {"f": 0.5},
    "a float written with an exponent, nested": {"deep": [{"x": 1e16}]},
    "an integer beyond 64 bits": {"big": 2**64},
    "a negative integer beyond 64 bits": {"small": -(2**63) - 1},
    "keys that are not strings": {"m": {2: "a", 10: "b"}},  # sorted as numbers, read back as text: "10" < "2"
}


@pytest.mark.django_db
@pytest.mark.parametrize("detail", CHANGED_BY_JSONB.values(), ids=list(CHANGED_BY_JSONB))
def test_an_audit_detail_that_jsonb_would_change_is_refused_and_nothing_is_stored(detail):
    before = AuditEvent.objects.count()

    with pytest.raises(ValueError, match="would not verify"):
        audit_record(by=SYSTEM, action=AuditAction.CREATE, event_type="test.detail", detail=detail)

    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_an_audit_detail_at_the_edges_of_what_it_takes_comes_back_the_same_and_verifies():
    detail = {"edges": [2**64 - 1, -(2**63), 0, True, None, "é 😀"], "nested": {"a": [1, {"b": "c"}]}}

    audit_record(by=SYSTEM, action=AuditAction.CREATE, event_type="test.detail", detail=detail)

    assert AuditEvent.objects.get(event_type="test.detail").detail == detail
    assert audit_verify().intact
