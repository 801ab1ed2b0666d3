"""The OpenAPI schema documents the FHIR facade as FHIR JSON, with examples a form really sends."""

import pytest

from tests.fhir.forms import fhir_post, parsed
from tests.openapi import published_schema
from triage.api.fhir_urls import urlpatterns

FHIR = "application/fhir+json"


def operations() -> dict[tuple[str, str], dict]:
    return {
        (path, method): operation
        for path, methods in published_schema()["paths"].items()
        if path.startswith("/fhir/")
        for method, operation in methods.items()
    }


def test_every_fhir_route_is_documented_as_fhir_json():
    documented = operations()

    assert len(documented) == len(urlpatterns) == 8
    for (path, method), operation in documented.items():
        assert operation["tags"] == ["fhir"], path
        for status, response in operation["responses"].items():
            assert list(response["content"]) == [FHIR], (path, method, status)
        if method == "post":
            assert list(operation["requestBody"]["content"]) == [FHIR], path


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/fhir/QuestionnaireResponse", "/fhir/QuestionnaireResponse/$preview"])
def test_each_documented_form_gets_the_documented_risk_assessment(intake_api, path):
    operation = operations()[path, "post"]
    requests = operation["requestBody"]["content"][FHIR]["examples"]
    status = "201" if path.endswith("QuestionnaireResponse") else "200"
    answers = operation["responses"][status]["content"][FHIR]["examples"]
    assert len(requests) == 3

    for name, example in requests.items():
        response = fhir_post(intake_api, path, parsed(example["value"]) and example["value"])

        assert response.status_code == int(status), response.content
        documented = answers[name]["value"]
        for element in ("prediction", "basis", "note", "mitigation", "method", "subject", "status"):
            assert response.json()[element] == documented[element], (name, element)
