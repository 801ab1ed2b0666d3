"""X-Request-ID: honoured when well-formed, generated otherwise, returned, and recorded."""

import pytest

from tests.factories import make_presentation
from triage.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_given_request_id_is_returned_and_recorded(clinician_api, intake_key):
    presentation = make_presentation(client=intake_key[0])

    response = clinician_api.get(f"/api/v1/presentations/{presentation.id}/", HTTP_X_REQUEST_ID="req-123.abc")

    assert response["X-Request-ID"] == "req-123.abc"
    assert AuditEvent.objects.order_by("-sequence").first().request_id == "req-123.abc"


@pytest.mark.parametrize("given", [None, "", "has spaces", "x" * 200, "bad\nheader"])
def test_a_missing_or_malformed_request_id_is_replaced(client, given):
    headers = {} if given is None else {"HTTP_X_REQUEST_ID": given}

    response = client.get("/healthz", **headers)

    assert response["X-Request-ID"] != given
    assert len(response["X-Request-ID"]) == 32
