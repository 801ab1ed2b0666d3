"""GET /fhir/Questionnaire/twitch-intake and its CodeSystems: the intake contract as a form, generated, never
written by hand, and following the active rule set."""

from typing import Any

import pytest
from django.utils import timezone

from tests.fhir.forms import QUESTIONNAIRE, parsed
from triage.contract import PresentationInput
from triage.models import RuleSetRelease
from triage.rules import RULESETS
from triage.rules.vocabulary import HISTORY, LOCATIONS, SYMPTOMS

pytestmark = pytest.mark.django_db


def items_by_link_id(items: list[dict[str, Any]], *, types: frozenset[str] | None = None) -> dict[str, dict[str, Any]]:
    """Every item under `items` by linkId (the questions and groups; `types` to choose others, e.g. display)."""
    found = {}
    for item in items:
        if item["type"] in (types or ANSWERED):
            found[item["linkId"]] = item
        found |= items_by_link_id(item.get("item", []), types=types)
    return found


ANSWERED = frozenset({"group", "boolean", "integer", "decimal", "string", "text", "dateTime", "choice"})


def contract_paths(schema: dict[str, Any], defs: dict[str, Any], prefix: str = "") -> dict[str, bool]:
    """Every field path of the contract's JSON Schema (its published form), with whether it is required."""
    paths = {}
    for name, field in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        paths[path] = name in schema.get("required", [])
        field = next((part for part in field.get("anyOf", [field]) if part.get("type") != "null"), field)
        field = field.get("items", field) if field.get("type") == "array" else field
        if "$ref" in field:
            paths |= contract_paths(defs[field["$ref"].rpartition("/")[2]], defs, f"{path}.")
    return paths


@pytest.fixture
def questionnaire(intake_api) -> dict[str, Any]:
    response = intake_api.get(QUESTIONNAIRE)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/fhir+json"
    return response.json()


def test_it_is_a_valid_fhir_questionnaire_of_the_active_rule_set(questionnaire):
    form = parsed(questionnaire)

    assert form.id == "twitch-intake"
    assert form.status == "active"
    assert form.version == "2027.01"


def test_every_field_of_the_contract_is_an_item_named_by_its_path_and_required_as_the_contract_says(questionnaire):
    schema = PresentationInput.model_json_schema()
    expected = contract_paths(schema, schema["$defs"])
    expected.pop("external_id")  # the QuestionnaireResponse's identifier, not a question

    items = items_by_link_id(questionnaire["item"])

    assert set(items) == set(expected)
    assert {link_id: item["required"] for link_id, item in items.items()} == expected


def test_symptoms_are_a_repeating_group_whose_onset_and_resolution_follow_the_chosen_symptom(questionnaire):
    items = items_by_link_id(questionnaire["item"])

    assert (items["symptoms"]["type"], items["symptoms"]["repeats"]) == ("group", True)
    assert [item["linkId"] for item in items["symptoms"]["item"] if item["type"] in ANSWERED] == [
        "symptoms.code",
        "symptoms.onset",
        "symptoms.resolved",
    ]
    assert "enableWhen" not in items["symptoms.code"]
    for follower in ("symptoms.onset", "symptoms.resolved"):
        assert items[follower]["enableWhen"] == [
            {"question": "symptoms.code", "operator": "exists", "answerBoolean": True}
        ]


def test_each_measurement_is_a_group_of_its_value_and_unit(questionnaire):
    items = items_by_link_id(questionnaire["item"])

    for measurement in ("serum_calcium", "blood_glucose", "serum_magnesium"):
        group = items[f"measurements.{measurement}"]
        assert group["type"] == "group"
        assert items[f"measurements.{measurement}.value"]["type"] == "decimal"
        assert [
            option["valueCoding"]["code"] for option in items[f"measurements.{measurement}.unit"]["answerOption"]
        ] == [
            "mmol/L",
            "mg/dL",
        ]


def test_answer_options_carry_the_codes_and_titles_of_the_vocabulary(questionnaire):
    items = items_by_link_id(questionnaire["item"])

    for link_id, vocabulary in (("symptoms.code", SYMPTOMS), ("history", HISTORY), ("twitch.locations", LOCATIONS)):
        options = [option["valueCoding"] for option in items[link_id]["answerOption"]]
        assert [(coding["code"], coding["display"]) for coding in options] == list(vocabulary.items())
    assert items["history"]["repeats"] is True
    assert items["twitch.locations"]["repeats"] is True


def test_each_answer_option_comes_from_a_code_system_the_service_serves(intake_api, questionnaire):
    choices = [item for item in items_by_link_id(questionnaire["item"]).values() if item["type"] == "choice"]
    assert len(choices) == 12  # three of them the units of the three measurements

    for item in choices:
        systems = {option["valueCoding"]["system"] for option in item["answerOption"]}
        assert len(systems) == 1
        (system,) = systems
        response = intake_api.get(f"/fhir/CodeSystem/{system.rpartition('/')[2]}")
        assert response.status_code == 200, system
        code_system = parsed(response.json())
        assert code_system.url == system
        assert [(concept.code, concept.display) for concept in code_system.concept] == [
            (option["valueCoding"]["code"], option["valueCoding"]["display"]) for option in item["answerOption"]
        ]


def test_numbers_say_their_range_and_text_its_length(questionnaire):
    items = items_by_link_id(questionnaire["item"])

    age = {
        extension["url"].rpartition("/")[2]: extension["valueInteger"]
        for extension in items["patient.age_years"]["extension"]
    }
    assert age == {"minValue": 0, "maxValue": 120}
    assert (items["notes"]["type"], items["notes"]["maxLength"]) == ("text", 2000)
    assert items["last_known_well"]["type"] == "dateTime"


def test_it_changes_when_the_active_rule_set_changes(intake_api):
    RuleSetRelease.objects.create(version="2026.11", approved_by="test", activated_at=timezone.now())

    older = intake_api.get(QUESTIONNAIRE).json()

    items = items_by_link_id(older["item"])
    assert older["version"] == "2026.11"
    assert [option["valueCoding"]["code"] for option in items["symptoms.code"]["answerOption"]] == list(
        RULESETS["2026.11"].symptoms
    )
    assert "context.stopped_heavy_drinking" not in items  # 2027.01's, unread by 2026.11
    assert "measurements.serum_magnesium" not in items
    code_system = intake_api.get("/fhir/CodeSystem/symptoms-code").json()
    assert (code_system["version"], code_system["count"]) == ("2026.11", len(RULESETS["2026.11"].symptoms))


def test_an_unknown_questionnaire_or_code_system_is_a_404_operation_outcome(intake_api):
    for path in ("/fhir/Questionnaire/other-form", "/fhir/CodeSystem/no-such-codes"):
        response = intake_api.get(path)

        assert response.status_code == 404
        assert response["Content-Type"] == "application/fhir+json"
        assert parsed(response.json()).issue[0].code == "not-found"


def test_the_result_code_systems_hold_the_levels_rules_and_recommendations(intake_api):
    levels = parsed(intake_api.get("/fhir/CodeSystem/triage-level").json())
    rules = parsed(intake_api.get("/fhir/CodeSystem/rule").json())
    recommendations = parsed(intake_api.get("/fhir/CodeSystem/recommendation").json())

    assert [concept.code for concept in levels.concept] == ["self_care", "routine", "urgent", "emergency"]
    assert [concept.code for concept in rules.concept] == [rule.code for rule in RULESETS["2027.01"].rules]
    assert [concept.code for concept in recommendations.concept] == list(RULESETS["2027.01"].recommendations)


def test_the_contracts_descriptions_are_shown_as_help_beside_their_items(questionnaire):
    help_texts = items_by_link_id(questionnaire["item"], types=frozenset({"display"}))

    assert help_texts["patient.reference.help"]["text"].startswith("A pseudonymous id; never a name")
    assert (
        help_texts["measurements.blood_glucose.help"]["text"]
        == "Taken within the last 24 hours; where several were taken, the lowest."
    )
    assert all(
        item["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == "help" for item in help_texts.values()
    )
    assert items_by_link_id(questionnaire["item"])["symptoms.code"]["text"] == "Symptom"


@pytest.mark.parametrize(
    ("query", "accept", "status"),
    [
        ("?_format=json", "", 200),
        ("?_format=application/fhir%2Bjson", "", 200),
        ("", "application/json", 200),
        ("", "application/fhir+json;q=0.9, text/html", 200),
        ("?_format=xml", "", 406),
        ("", "application/fhir+xml", 406),
    ],
)
def test_it_answers_fhir_json_to_whoever_takes_it_and_406_to_an_xml_client(intake_api, query, accept, status):
    headers = {"HTTP_ACCEPT": accept} if accept else {}

    response = intake_api.get(f"{QUESTIONNAIRE}{query}", **headers)

    assert response.status_code == status
    assert response["Content-Type"] == "application/fhir+json"
