"""Logs carry no patient data: a crash logs its stack trace, never the request body."""

import io
import json
import logging

import pytest
from django.test import Client

from tests.factories import make_api_key, make_payload, symptom
from tests.served import gunicorn, http
from triage import services
from triage.logs import JsonLines, RequestContext

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


def json_lines(text: str) -> list[dict]:
    """Every line of a log, each of which must be one JSON object."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_each_request_is_one_json_line_naming_its_id_key_status_and_duration(intake_key):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLines())
    handler.addFilter(RequestContext())
    logging.getLogger().addHandler(handler)
    client = Client(HTTP_AUTHORIZATION=f"Api-Key {intake_key[1]}", HTTP_X_REQUEST_ID="log-json-1")
    try:
        response = client.post(
            f"/api/v1/presentations/?note={PATIENT}",
            json.dumps(make_payload(notes=NOTES)),
            content_type="application/json",
        )
    finally:
        logging.getLogger().removeHandler(handler)

    assert response.status_code == 201
    lines = json_lines(stream.getvalue())
    (request_line,) = [line for line in lines if line["logger"] == "triage.requests"]
    assert {key: request_line[key] for key in ("request_id", "method", "path", "status", "api_key")} == {
        "request_id": "log-json-1",
        "method": "POST",
        "path": "/api/v1/presentations/",
        "status": 201,
        "api_key": intake_key[0].name,
    }
    assert request_line["duration_ms"] > 0 and request_line["time"].endswith("+00:00")
    assert PATIENT not in stream.getvalue() and NOTES not in stream.getvalue()


@pytest.mark.django_db(transaction=True)
def test_every_line_the_served_app_writes_is_json_without_patient_data(tmp_path):
    log = tmp_path / "gunicorn.log"
    _key, raw = make_api_key("json-log-intake", "intake")
    payload = make_payload(notes=NOTES)
    payload["patient"]["reference"] = PATIENT
    with gunicorn(log) as base:
        created, _, _ = http(
            "POST", f"{base}/api/v1/presentations/", body=payload, headers={"Authorization": f"Api-Key {raw}"},
        )  # fmt: skip
        refused, _, _ = http("GET", f"{base}/api/v1/audit-events/?patient_reference={PATIENT}")

    assert (created, refused) == (201, 401)
    lines = json_lines(log.read_text())  # gunicorn's own lines too
    assert {line["logger"] for line in lines} >= {"gunicorn.error", "triage.requests", "django.request"}
    requests = [line for line in lines if line["logger"] == "triage.requests"]
    assert [(line["method"], line["status"], line["api_key"]) for line in requests if line["path"] != "/healthz"] == [
        ("POST", 201, "json-log-intake"),
        ("GET", 401, None),
    ]
    assert PATIENT not in log.read_text() and NOTES not in log.read_text()
