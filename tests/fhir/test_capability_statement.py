"""GET /fhir/metadata: the CapabilityStatement lists exactly the FHIR interactions routed (walked here from
triage.api.fhir_urls, as the view walks them), and the facade's refusals outside its routes are FHIR too."""

import pytest

from tests.fhir.forms import parsed
from triage.api import fhir_urls

pytestmark = pytest.mark.django_db

URL = "/fhir/metadata"
FHIR = "application/fhir+json"

# What the facade routes today, written out once: the walk below must find exactly this.
ROUTED = {
    ("Questionnaire", "read"),
    ("CodeSystem", "read"),
    ("QuestionnaireResponse", "create"),
    ("QuestionnaireResponse", "$preview"),
    ("RiskAssessment", "read"),
    ("AuditEvent", "search-type"),
    ("AuditEvent", "read"),
}


@pytest.fixture
def statement(api_as, auditor_key) -> dict:
    response = api_as(auditor_key[1]).get(URL)
    assert response.status_code == 200, response.content
    return response.json()


def routed_interactions() -> list[tuple[str, str]]:
    """(type, interaction) for every route of the FHIR URLconf whose view names a FHIR type."""
    views = [getattr(pattern.callback, "view_class", None) for pattern in fhir_urls.urlpatterns]
    return [(view.fhir_type, view.fhir_interaction) for view in views if getattr(view, "fhir_type", "")]


def stated_interactions(statement: dict) -> list[tuple[str, str]]:
    """(type, interaction) for every interaction and operation (as `$name`) the statement lists."""
    stated = []
    for resource in statement["rest"][0]["resource"]:
        stated += [(resource["type"], interaction["code"]) for interaction in resource.get("interaction", [])]
        stated += [(resource["type"], f"${operation['name']}") for operation in resource.get("operation", [])]
    return stated


def resource_of(statement: dict, resource_type: str) -> dict:
    (resource,) = [resource for resource in statement["rest"][0]["resource"] if resource["type"] == resource_type]
    return resource


@pytest.mark.parametrize("role", ["intake", "clinician", "auditor"])
def test_every_role_reads_it_as_a_capability_statement(api_as, intake_key, clinician_key, auditor_key, role):
    raw = {"intake": intake_key[1], "clinician": clinician_key[1], "auditor": auditor_key[1]}[role]

    response = api_as(raw).get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == FHIR
    assert parsed(response.json()).get_resource_type() == "CapabilityStatement"


def test_it_states_fhir_r4_in_json(statement):
    assert (statement["fhirVersion"], statement["format"]) == ("4.0.1", ["json"])


def test_it_states_a_server_of_this_instance(statement):
    assert (statement["kind"], statement["status"]) == ("instance", "active")
    assert statement["rest"][0]["mode"] == "server"
    assert statement["implementation"]["url"] == "http://testserver/fhir/"


def test_the_walk_of_the_fhir_routes_finds_the_routed_interactions():
    # Guards the comparison below from passing vacuously: the walk sees every routed FHIR interaction.
    assert sorted(routed_interactions()) == sorted(ROUTED)


def test_it_lists_every_routed_interaction(statement):
    assert set(routed_interactions()) - set(stated_interactions(statement)) == set()


def test_it_lists_nothing_that_is_not_routed(statement):
    assert set(stated_interactions(statement)) - set(routed_interactions()) == set()


def test_it_lists_each_interaction_once(statement):
    stated = stated_interactions(statement)

    assert sorted(stated) == sorted(set(stated)) == sorted(ROUTED)


def test_it_lists_each_resource_type_once(statement):
    types = [resource["type"] for resource in statement["rest"][0]["resource"]]

    assert sorted(types) == sorted({resource_type for resource_type, _ in ROUTED})


def test_it_names_the_preview_operation_without_its_dollar(statement):
    (operation,) = resource_of(statement, "QuestionnaireResponse")["operation"]

    assert operation["name"] == "preview"
    assert operation["definition"].endswith("/OperationDefinition/QuestionnaireResponse-preview")


def test_it_lists_the_audit_event_searchs_parameters(statement):
    parameters = resource_of(statement, "AuditEvent")["searchParam"]

    assert sorted((parameter["name"], parameter["type"]) for parameter in parameters) == [
        ("date", "date"),
        ("entity", "reference"),
    ]


def test_only_the_audit_event_states_search_parameters(statement):
    searchable = [resource["type"] for resource in statement["rest"][0]["resource"] if "searchParam" in resource]

    assert searchable == ["AuditEvent"]


def test_an_unknown_fhir_path_is_a_404_operation_outcome(api_as, auditor_key):
    response = api_as(auditor_key[1]).get("/fhir/Patient/1")

    assert response.status_code == 404
    assert response["Content-Type"] == FHIR
    outcome = parsed(response.json())
    assert outcome.get_resource_type() == "OperationOutcome" and outcome.issue[0].code == "not-found"


def test_an_unknown_json_api_path_is_still_a_problem(api_as, auditor_key):
    response = api_as(auditor_key[1]).get("/api/v1/Patient/1")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_no_credentials_is_a_401_operation_outcome_asking_for_a_key(api_as):
    response = api_as(None).get(URL)

    assert response.status_code == 401
    assert response["Content-Type"] == FHIR
    assert response["WWW-Authenticate"] == "Api-Key"
    outcome = parsed(response.json())
    assert outcome.get_resource_type() == "OperationOutcome" and outcome.issue[0].code == "login"


def test_an_unknown_query_parameter_is_a_400_naming_it(api_as, auditor_key):
    response = api_as(auditor_key[1]).get(URL, {"colour": "blue"})

    assert response.status_code == 400
    assert response["Content-Type"] == FHIR
    assert [issue["expression"] for issue in response.json()["issue"]] == [["colour"]]
