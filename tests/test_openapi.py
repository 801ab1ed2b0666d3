"""The OpenAPI schema and its docs pages, served offline."""

import re

import pytest
from django.core.management import call_command

EXTERNAL_URL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


def test_the_schema_validates_without_warnings(tmp_path, db):
    # Raises on any warning or on an invalid OpenAPI document.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))

    assert "/api/v1/rules/" in (tmp_path / "schema.yaml").read_text()


def test_the_schema_is_served_without_credentials(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    assert response.json()["info"]["title"] == "twitch-triage API"


@pytest.mark.parametrize(
    ("query", "content_type"),
    [
        ("?format=json", "application/vnd.oai.openapi+json"),
        ("?format=yaml", "application/vnd.oai.openapi"),
        ("", "application/vnd.oai.openapi"),
    ],
)
def test_the_format_parameter_chooses_the_schemas_format(client, db, query, content_type):
    # As drf-spectacular documents it; ?format=json answered YAML before issue 21.
    response = client.get(f"/api/schema/{query}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    if "json" in query:
        assert response.json()["openapi"].startswith("3.1")


def test_an_unknown_schema_format_is_a_404_problem(client, db):
    response = client.get("/api/schema/?format=xml")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_the_docs_pages_load_nothing_from_another_site(client, page):
    response = client.get(page)

    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/" in html
    assert not EXTERNAL_URL.search(html), EXTERNAL_URL.search(html)


@pytest.mark.parametrize(
    ("method", "path", "headers", "status"),
    [
        ("OPTIONS", "/api/docs/", {}, 405),  # was a 500: DRF's answer needs a template the page has not
        ("DELETE", "/api/redoc/", {}, 405),
        ("POST", "/api/schema/", {}, 405),  # was YAML labelled problem+json
        ("GET", "/api/docs/", {"HTTP_ACCEPT": "application/xml"}, 406),  # was plain text
    ],
)
def test_the_schema_and_docs_pages_answer_errors_in_problem_json(client, db, method, path, headers, status):
    response = client.generic(method, path, **headers)

    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == status
