"""Logs carry no patient data: a crash logs its stack trace, never the request body."""

import json
import logging

import pytest
from django.test import Client

from tests.factories import make_payload, symptom
from tests.served import gunicorn, http
from triage import services

pytestmark = pytest.mark.django_db

NOTES = "She is frightened it is a tumour like her mother's"
PATIENT = "pt-private-0042"


def test_an_exception_in_a_view_logs_a_stack_trace_without_the_request_body(caplog, intake_key, monkeypatch):
    def crash(**kwargs):
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(services, "presentation_submit", crash)
    payload = make_payload(notes=NOTES, symptoms=[symptom("slurred_speech", "sudden")])
    payload["patient"]["reference"] = PATIENT
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Api-Key {intake_key[1]}")
    caplog.set_level(logging.DEBUG)

    response = client.post("/api/v1/presentations/", json.dumps(payload), content_type="application/json")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert NOTES not in response.content.decode()
    formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
    logged = "\n".join(formatter.format(record) for record in caplog.records)
    assert "Traceback" in logged and "RuntimeError: engine exploded" in logged
    assert NOTES not in logged and PATIENT not in logged and "slurred_speech" not in logged


@pytest.mark.django_db(transaction=True)
def test_the_access_log_has_each_path_as_sent_but_no_query_string_or_referer(tmp_path):
    # Admin searches and audit filters put patient references in query strings, and links carry them on.
    log = tmp_path / "gunicorn.log"
    with gunicorn(log, access_log=True) as base:
        status, _, _ = http(
            "GET", f"{base}/api/v1/audit-events/?patient_reference={PATIENT}",
            headers={"Referer": f"{base}/admin/triage/presentation/?q={PATIENT}", "X-Request-ID": "log-check-1"},
        )  # fmt: skip

        forged, _, _ = http("GET", f"{base}/api/v1/x%0a10.0.0.9%20FORGED")

    assert (status, forged) == (401, 404)
    logged = log.read_text()
    assert '"GET /api/v1/audit-events/ HTTP/1.1" 401' in logged and "log-check-1" in logged
    assert PATIENT not in logged
    # A sent %0a stays as sent: decoded, it would have begun a log line of the client's writing.
    assert '"GET /api/v1/x%0a10.0.0.9%20FORGED HTTP/1.1" 404' in logged
    assert not any(line.startswith("10.0.0.9") for line in logged.splitlines())
