"""An integrator's view: the published schema accepts every valid vignette and describes the API."""

import pytest

from tests.factories import valid_vignettes
from tests.openapi import published_schema, request_errors
from triage.rules.vocabulary import SYMPTOMS

PRESENTATIONS = "/api/v1/presentations/"


@pytest.mark.parametrize("vignette", valid_vignettes(), ids=lambda v: v["id"])
def test_each_vignette_request_validates_against_the_published_request_schema(vignette):
    assert request_errors(PRESENTATIONS, "post", vignette["request"]) == []


@pytest.mark.parametrize(
    "bad",
    [
        {"external_id": "x"},
        {"external_id": "x", "patient": {"reference": "p", "age_years": "forty"}, "twitch": {}},
    ],
)
def test_the_published_request_schema_rejects_what_the_service_rejects(bad):
    assert request_errors(PRESENTATIONS, "post", bad)


def test_the_schema_forbids_unknown_fields_and_lists_every_code():
    components = published_schema()["components"]["schemas"]

    assert components["PresentationInputRequest"]["additionalProperties"] is False
    assert components["SymptomCodeEnum"]["enum"] == list(SYMPTOMS)  # the 44 codes of rule set 2027.01
    assert len(SYMPTOMS) == 44
    assert components["SymptomRequest"]["required"] == ["code", "onset"]
    assert components["Symptom"]["required"] == ["code", "onset", "resolved"]  # always in an answer


def test_every_operation_declares_the_api_key_scheme_and_problem_responses():
    schema = published_schema()

    assert schema["components"]["securitySchemes"]["ApiKeyAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": schema["components"]["securitySchemes"]["ApiKeyAuth"]["description"],
    }
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert {"ApiKeyAuth": []} in operation["security"], (method, path)
            if path.startswith("/fhir/"):  # the FHIR facade's refusals are OperationOutcomes
                outcome = operation["responses"]["401"]["content"]["application/fhir+json"]
                assert outcome["schema"]["properties"]["resourceType"]["const"] == "OperationOutcome", (method, path)
                continue
            problem = operation["responses"]["401"]["content"]["application/problem+json"]
            assert problem["schema"]["$ref"].endswith("Problem"), (method, path)
