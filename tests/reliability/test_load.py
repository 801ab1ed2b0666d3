"""8 intake clients post 200 presentations each, a fifth retried: nothing acknowledged is lost or doubled."""

import json
import threading
from collections import Counter

import pytest
from django.db import connection

from tests.factories import make_api_key, valid_vignettes
from tests.served import gunicorn, http
from triage.audit import audit_verify
from triage.models import AuditEvent, Presentation, Role

CLIENTS, POSTS_EACH, RETRY_EVERY = 8, 200, 5


def _payload(client: int, index: int) -> dict:
    vignette = valid_vignettes()[index % len(valid_vignettes())]["request"]
    return {**vignette, "external_id": f"load-{client}-{index}"}


@pytest.mark.django_db(transaction=True)
def test_every_acknowledged_presentation_is_stored_once_with_its_assessment_and_audit_event(tmp_path):
    keys = [make_api_key(f"load-intake-{n}", Role.INTAKE) for n in range(CLIENTS)]
    acknowledged: list[tuple[str, str, int]] = []  # (key name, external_id, status)
    failures: list[tuple[str, int]] = []
    sent = Counter()

    def client(number: int) -> None:
        api_key, raw = keys[number]
        headers = {"Authorization": f"Api-Key {raw}"}
        for index in range(POSTS_EACH):
            payload = _payload(number, index)
            for _attempt in range(2 if index % RETRY_EVERY == 0 else 1):
                status, _headers, _body = http("POST", f"{base}/api/v1/presentations/", payload, headers, timeout=30)
                sent[number] += 1
                if status in (200, 201):
                    acknowledged.append((api_key.name, payload["external_id"], status))
                else:
                    failures.append((payload["external_id"], status))

    with gunicorn(tmp_path / "gunicorn.log", workers=2, threads=4) as base:
        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        assert not any(thread.is_alive() for thread in threads), "a client is still waiting for its answers"

    connection.close()
    stored = list(Presentation.objects.values_list("client__name", "external_id", "id", "current_assessment_id"))
    stored_keys = Counter((name, external_id) for name, external_id, _, _ in stored)
    acknowledged_keys = {(name, external_id) for name, external_id, _ in acknowledged}
    create_events = Counter(
        AuditEvent.objects.filter(event_type="presentation.create").values_list("entity_id", flat=True)
    )
    duplicates = sum(count - 1 for count in stored_keys.values())
    lost = len(acknowledged_keys - set(stored_keys))
    report = {
        "requests sent": sum(sent.values()),
        "acknowledged": len(acknowledged),
        "stored": len(stored),
        "duplicates": duplicates,
        "lost": lost,
    }
    print(f"\nload report: {json.dumps(report)}")

    assert failures == []
    assert report["requests sent"] == CLIENTS * (POSTS_EACH + POSTS_EACH // RETRY_EVERY)
    assert report["acknowledged"] == report["requests sent"]
    assert Counter(status for *_, status in acknowledged) == {201: CLIENTS * POSTS_EACH, 200: CLIENTS * POSTS_EACH // 5}
    assert len(stored) == CLIENTS * POSTS_EACH
    assert duplicates == 0 and lost == 0
    assert all(assessment_id is not None for *_, assessment_id in stored)
    assert all(create_events[str(presentation_id)] == 1 for _, _, presentation_id, _ in stored)
    assert audit_verify().intact
