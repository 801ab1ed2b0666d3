"""`make run`'s server, for real: gunicorn serving the app, fetched over loopback."""

import pytest

from tests.factories import make_api_key
from tests.served import gunicorn, http
from triage.models import Role


@pytest.mark.django_db(transaction=True)
def test_the_served_app_is_ready_and_serves_docs_and_catalogue(tmp_path):
    _api_key, raw_key = make_api_key("smoke-intake", Role.INTAKE)

    with gunicorn(tmp_path / "gunicorn.log") as base:
        ready = http("GET", f"{base}/readyz")
        docs = http("GET", f"{base}/api/docs/")
        asset = http("GET", f"{base}/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
        rules = http("GET", f"{base}/api/v1/rules/", headers={"Authorization": f"Api-Key {raw_key}"})
        anonymous = http("GET", f"{base}/api/v1/rules/")

    assert ready[0] == 200, ready
    assert docs[0] == 200 and b"swagger-ui" in docs[2]
    assert asset[0] == 200
    assert rules[0] == 200 and b'"ruleset_version":"2027.01"' in rules[2]
    assert anonymous[0] == 401
