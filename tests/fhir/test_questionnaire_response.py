"""POST /fhir/QuestionnaireResponse (and its $preview): a form's answers, read as strictly as the JSON API reads
its body, stored and assessed the same way, answered as a RiskAssessment."""

import copy
import json
from typing import Any

import pytest
from django.utils import timezone

from tests.factories import invalid_vignettes, make_payload, symptom, valid_vignettes
from tests.fhir.forms import QUESTIONNAIRE, fhir_post, fill_in, parsed
from triage.models import Alert, AuditEvent, Presentation, RuleSetRelease
from triage.rules.vocabulary import RECOMMENDATIONS

pytestmark = pytest.mark.django_db

CREATE, PREVIEW = "/fhir/QuestionnaireResponse", "/fhir/QuestionnaireResponse/$preview"


def served_form(api) -> dict[str, Any]:
    return api.get(QUESTIONNAIRE).json()


def level_of(risk: dict[str, Any]) -> str:
    return risk["prediction"][0]["qualitativeRisk"]["coding"][0]["code"]


def findings_of(risk: dict[str, Any]) -> set[str]:
    return {basis["identifier"]["value"] for basis in risk.get("basis", [])}


def issues_of(response) -> list[tuple[str, str]]:
    """(expression, diagnostics) of each issue of an OperationOutcome."""
    assert response["Content-Type"] == "application/fhir+json"
    outcome = parsed(response.json())
    return [((issue.expression or [""])[0], issue.diagnostics) for issue in outcome.issue]


def expressions_of(response) -> list[str]:
    return [expression for expression, _ in issues_of(response)]


# --- every public vignette, through the served form ------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "vignette"),
    [("2027.01", vignette) for vignette in valid_vignettes("2027.01")]
    + [("2026.11", vignette) for vignette in valid_vignettes("2026.11")],
    ids=lambda value: value["id"] if isinstance(value, dict) else value,
)
def test_each_valid_vignette_answered_through_the_form_gets_the_json_apis_assessment(intake_api, version, vignette):
    if version != "2027.01":
        RuleSetRelease.objects.create(version=version, approved_by="test", activated_at=timezone.now())
    expect = vignette["expect"]
    form_response = fill_in(served_form(intake_api), vignette["request"])

    response = fhir_post(intake_api, CREATE, form_response)

    assert response.status_code == 201, response.content
    risk = response.json()
    parsed(risk)
    assert level_of(risk) == expect["level"]
    assert findings_of(risk) == set(expect["findings"])
    mitigations = risk["mitigation"].split("\n")
    if "recommendations_in_order" in expect:  # 2027.01's vignettes give the order; 2026.11's the set
        assert mitigations == [RECOMMENDATIONS[code] for code in expect["recommendations_in_order"]]
    assert set(mitigations) == {RECOMMENDATIONS[code] for code in expect["recommendations"]}
    assert risk["method"]["coding"][0]["code"] == version
    as_json = intake_api.get(f"/api/v1/presentations/{risk['id']}/").json()
    assert as_json["external_id"] == vignette["request"]["external_id"]
    assert (as_json["assessment"]["level"], as_json["assessment"]["score"]) == (expect["level"], expect["score"])
    assert [finding["code"] for finding in as_json["assessment"]["findings"]] == [
        basis["identifier"]["value"] for basis in risk.get("basis", [])
    ]


@pytest.mark.parametrize("vignette", invalid_vignettes(), ids=lambda v: v["id"])
def test_each_invalid_vignette_sent_as_a_form_would_is_refused_naming_its_items(intake_api, vignette):
    form_response = fill_in(served_form(intake_api), vignette["request"], as_sent=True)

    response = fhir_post(intake_api, CREATE, form_response)

    assert response.status_code == vignette["expect"]["status"]
    expressions = expressions_of(response)
    for expected in vignette["expect"]["error_fields"]:
        assert any(e == expected or e.startswith(f"{expected}.") for e in expressions), expressions
    assert not Presentation.objects.exists()


# --- the RiskAssessment -------------------------------------------------------------------------------------------


def test_the_risk_assessment_says_who_when_how_what_why_and_what_to_do(intake_api):
    body = make_payload(external_id="fhir-1", symptoms=[symptom("slurred_speech", "sudden")])
    body["patient"]["reference"] = "pt-fhir-1"

    response = fhir_post(intake_api, CREATE, fill_in(served_form(intake_api), body))

    risk = response.json()
    presentation = Presentation.objects.get()
    assert response["Location"] == f"/fhir/RiskAssessment/{presentation.id}"
    assert (risk["id"], risk["status"]) == (str(presentation.id), "final")
    assert risk["subject"]["identifier"]["value"] == "pt-fhir-1"
    assert risk["occurrenceDateTime"].startswith(str(presentation.current_assessment.assessed_at.date()))
    assert "2027.01" in risk["method"]["text"]
    assert risk["prediction"][0]["qualitativeRisk"]["coding"][0]["display"] == "Emergency"
    findings = presentation.current_assessment.findings
    assert len(risk["note"]) == len(risk["basis"]) == len(findings)
    for note, finding in zip(risk["note"], findings, strict=True):
        assert finding["rationale"] in note["text"]
        assert all(source in note["text"] for source in finding["sources"])


# --- idempotency and audit, as the JSON API ------------------------------------------------------------------------


def test_a_retry_of_the_same_answers_is_the_stored_assessment_and_other_answers_are_a_conflict(intake_api):
    form = served_form(intake_api)
    first = fill_in(form, make_payload(external_id="form-7"))
    changed = fill_in(form, make_payload(external_id="form-7", symptoms=[symptom("vertigo", "gradual")]))

    created = fhir_post(intake_api, CREATE, first)
    retried = fhir_post(intake_api, CREATE, first)
    conflicting = fhir_post(intake_api, CREATE, changed)

    assert (created.status_code, retried.status_code) == (201, 200)
    assert retried.json() == created.json()
    assert conflicting.status_code == 409
    assert parsed(conflicting.json()).issue[0].code == "duplicate"
    assert Presentation.objects.count() == 1


def test_the_same_identifier_as_a_json_external_id_is_the_same_presentation(intake_api):
    body = make_payload(external_id="both-ways")
    posted = intake_api.post("/api/v1/presentations/", json.dumps(body), content_type="application/json")

    answered = fhir_post(intake_api, CREATE, fill_in(served_form(intake_api), body))

    assert answered.status_code == 200
    assert answered.json()["id"] == posted.json()["id"]


def test_it_appends_the_same_audit_events_as_the_json_api(intake_api, intake_key):
    form_response = fill_in(served_form(intake_api), make_payload(external_id="audited"))

    created = fhir_post(intake_api, CREATE, form_response)
    fhir_post(intake_api, CREATE, form_response)

    events = AuditEvent.objects.filter(entity_id=created.json()["id"]).order_by("sequence")
    assert [(event.event_type, event.agent_name) for event in events] == [
        ("presentation.create", intake_key[0].name),
        ("presentation.retry", intake_key[0].name),
    ]


# --- bad responses: a 400 OperationOutcome naming each item -----------------------------------------------------


@pytest.fixture
def good(intake_api) -> dict[str, Any]:
    body = make_payload(external_id="bad-1", symptoms=[symptom("headache", "gradual"), symptom("vertigo", "sudden")])
    return fill_in(served_form(intake_api), body)


def item(response: dict[str, Any], link_id: str) -> dict[str, Any]:
    """The answer item `link_id` of `response` (the first, for a repeat), searched depth first."""

    def search(items: list[dict[str, Any]]) -> dict[str, Any] | None:
        for one in items:
            if one["linkId"] == link_id:
                return one
            if (found := search(one.get("item", []))) is not None:
                return found
        return None

    found = search(response["item"])
    assert found is not None, link_id
    return found


def refused(api, response: dict[str, Any]) -> list[tuple[str, str]]:
    answer = fhir_post(api, CREATE, response)
    assert answer.status_code == 400, answer.content
    assert not Presentation.objects.exists()
    return issues_of(answer)


def test_an_unknown_link_id_is_named(intake_api, good):
    item(good, "patient")["item"].append({"linkId": "patient.nhs_number", "answer": [{"valueString": "9434765919"}]})

    assert [expression for expression, _ in refused(intake_api, good)] == ["patient.nhs_number"]


def test_an_answer_of_the_wrong_type_is_named(intake_api, good):
    item(good, "patient.age_years")["answer"] = [{"valueString": "forty"}]

    issues = refused(intake_api, good)

    assert [expression for expression, _ in issues] == ["patient.age_years"]
    assert "valueInteger" in issues[0][1]


def test_a_code_not_in_the_answer_set_is_named(intake_api, good):
    item(good, "twitch.side")["answer"][0]["valueCoding"]["code"] = "middle"

    issues = refused(intake_api, good)

    assert [expression for expression, _ in issues] == ["twitch.side"]
    assert "'middle' is not in the answer set" in issues[0][1]


def test_a_coding_from_another_system_is_refused(intake_api, good):
    item(good, "twitch.side")["answer"][0]["valueCoding"]["system"] = "http://snomed.info/sct"

    assert [expression for expression, _ in refused(intake_api, good)] == ["twitch.side"]


def test_a_missing_required_item_is_named(intake_api, good):
    patient = item(good, "patient")
    patient["item"] = [one for one in patient["item"] if one["linkId"] != "patient.age_years"]

    assert refused(intake_api, good) == [("patient.age_years", "This field is required.")]


def test_a_missing_symptom_onset_is_named_with_its_repeat(intake_api, good):
    repeats = [one for one in good["item"] if one["linkId"] == "symptoms"]
    repeats[1]["item"] = [one for one in repeats[1]["item"] if one["linkId"] != "symptoms.onset"]

    assert refused(intake_api, good) == [("symptoms.onset", "This field is required. (repeat 2 of symptoms)")]


def test_every_fault_is_named_at_once(intake_api, good):
    item(good, "patient.age_years")["answer"] = [{"valueInteger": 200}]
    item(good, "twitch.side")["answer"] = [{"valueBoolean": True}]
    good["item"].append({"linkId": "diagnosis", "answer": [{"valueString": "stroke"}]})

    assert sorted(expression for expression, _ in refused(intake_api, good)) == [
        "diagnosis",
        "patient.age_years",
        "twitch.side",
    ]


def test_two_answers_to_a_question_that_takes_one_are_refused(intake_api, good):
    side = item(good, "twitch.side")
    side["answer"] = side["answer"] * 2

    assert [expression for expression, _ in refused(intake_api, good)] == ["twitch.side"]


def test_a_question_answered_twice_is_refused(intake_api, good):
    good["item"].append(copy.deepcopy(item(good, "patient")))

    assert [expression for expression, _ in refused(intake_api, good)] == ["patient"]


@pytest.mark.parametrize(
    ("element", "value", "expression"),
    [
        ("extension", [{"url": "http://example.org/consent", "valueBoolean": True}], "QuestionnaireResponse.extension"),
        ("modifierExtension", [{"url": "http://example.org/x"}], "QuestionnaireResponse.modifierExtension"),
        ("status", "in-progress", "QuestionnaireResponse.status"),
        ("questionnaire", "http://example.org/Questionnaire/other", "QuestionnaireResponse.questionnaire"),
        ("identifier", None, "QuestionnaireResponse.identifier"),
        ("subject", {"identifier": {"value": "pt-someone-else"}}, "QuestionnaireResponse.subject"),
        ("resourceType", "Observation", "QuestionnaireResponse.resourceType"),
    ],
)
def test_an_element_it_cannot_honour_is_refused_not_ignored(intake_api, good, element, value, expression):
    if value is None:
        del good[element]
    else:
        good[element] = value

    assert expression in [found for found, _ in refused(intake_api, good)]


def test_answers_to_an_older_version_of_the_form_are_refused(intake_api, good):
    good["questionnaire"] = good["questionnaire"].replace("|2027.01", "|2026.11")

    issues = refused(intake_api, good)

    assert issues[0][0] == "QuestionnaireResponse.questionnaire"
    assert "fetch it again" in issues[0][1]


@pytest.mark.parametrize("body", ["[]", "null", '"text"', "{}", '{"resourceType": "QuestionnaireResponse"}'])
def test_a_body_that_is_no_questionnaire_response_is_a_400_operation_outcome(intake_api, body):
    response = intake_api.post(CREATE, data=body, content_type="application/fhir+json")

    assert response.status_code == 400
    assert expressions_of(response)


def test_a_body_that_is_not_json_is_a_415_operation_outcome(intake_api, good):
    response = intake_api.post(CREATE, data="<QuestionnaireResponse/>", content_type="application/fhir+xml")

    assert response.status_code == 415
    assert parsed(response.json()).issue[0].code == "not-supported"


# --- the sandbox -------------------------------------------------------------------------------------------------


def test_the_preview_scores_as_a_create_would_and_stores_nothing(intake_api, good):
    previewed = fhir_post(intake_api, PREVIEW, good)

    assert previewed.status_code == 200, previewed.content
    risk = previewed.json()
    parsed(risk)
    assert "id" not in risk and risk["status"] == "preliminary"
    assert not Presentation.objects.exists() and not Alert.objects.exists()
    assert AuditEvent.objects.filter(event_type="assessment.preview", patient_reference="").count() == 1
    created = fhir_post(intake_api, CREATE, good).json()
    assert {key: created[key] for key in ("prediction", "basis", "note", "mitigation", "method", "subject")} == {
        key: risk[key] for key in ("prediction", "basis", "note", "mitigation", "method", "subject")
    }


def test_the_preview_refuses_what_a_create_refuses(intake_api, good):
    item(good, "twitch.side")["answer"][0]["valueCoding"]["code"] = "middle"

    response = fhir_post(intake_api, PREVIEW, good)

    assert response.status_code == 400
    assert expressions_of(response) == ["twitch.side"]


def test_a_null_answer_is_refused_not_read_as_unanswered(intake_api, good):
    twitch = item(good, "twitch")
    twitch["item"].append({"linkId": "twitch.loss_of_facial_control", "answer": [{"valueBoolean": None}]})

    assert [expression for expression, _ in refused(intake_api, good)] == ["twitch.loss_of_facial_control"]


def test_a_display_that_contradicts_its_code_is_refused(intake_api, good):
    item(good, "twitch.side")["answer"][0]["valueCoding"]["display"] = "Right"  # the code says left

    issues = refused(intake_api, good)

    assert [expression for expression, _ in issues] == ["twitch.side"]
    assert "contradicts" in issues[0][1]


@pytest.mark.parametrize(
    "subject",
    [
        {"type": "Group", "identifier": {"value": "pt-1"}},
        {"identifier": {"system": "http://example.org/mrn", "value": "pt-1"}},
        {"reference": "Patient/123"},
    ],
)
def test_a_subject_other_than_the_pseudonymous_patient_is_refused(intake_api, good, subject):
    good["subject"] = subject

    assert "QuestionnaireResponse.subject" in [expression for expression, _ in refused(intake_api, good)]


def test_a_narrative_is_refused_rather_than_dropped(intake_api, good):
    good["text"] = {"status": "generated", "div": "<div xmlns='http://www.w3.org/1999/xhtml'>chest pain</div>"}

    assert [expression for expression, _ in refused(intake_api, good)] == ["QuestionnaireResponse.text"]


def test_a_repeated_symptom_is_named_as_repeated(intake_api, good):
    repeats = [one for one in good["item"] if one["linkId"] == "symptoms"]
    good["item"].append(copy.deepcopy(repeats[0]))

    assert refused(intake_api, good) == [("symptoms.code", "Repeated symptom. (repeat 3 of symptoms)")]


def test_a_conflict_is_recorded_as_the_json_apis_refusal(intake_api):
    form = served_form(intake_api)
    fhir_post(intake_api, CREATE, fill_in(form, make_payload(external_id="form-9")))

    fhir_post(intake_api, CREATE, fill_in(form, make_payload(external_id="form-9", history=["prior_stroke"])))

    assert AuditEvent.objects.filter(event_type="presentation.create", status=409).count() == 1


@pytest.mark.parametrize("path", ["/fhir/RiskAssessment/%00", "/fhir/CodeSystem/a%00b", "/fhir/Questionnaire/a b"])
def test_an_id_that_is_no_fhir_id_is_a_404_operation_outcome(clinician_api, path):
    response = clinician_api.get(path)

    assert response.status_code == 404
    assert parsed(response.json()).issue[0].code == "not-found"


@pytest.mark.parametrize(
    "questionnaire",
    [
        "http://twitch-triage.invalid/fhir/Questionnaire/twitch-intake",
        "Questionnaire/twitch-intake",
        "http://testserver/fhir/Questionnaire/twitch-intake|2027.01",
    ],
)
def test_the_form_is_named_by_its_canonical_url_or_where_it_is_served(intake_api, good, questionnaire):
    good["questionnaire"] = questionnaire

    assert fhir_post(intake_api, CREATE, good).status_code == 201


@pytest.mark.parametrize(
    "questionnaire",
    ["http://example.org/fhir/Questionnaire/other-form", "twitch-intake", "ftp://x/fhir/Questionnaire/twitch-intake"],
)
def test_another_form_is_refused(intake_api, good, questionnaire):
    good["questionnaire"] = questionnaire

    assert [expression for expression, _ in refused(intake_api, good)] == ["QuestionnaireResponse.questionnaire"]


def test_help_texts_a_form_echoes_unanswered_are_read_as_nothing(intake_api, good):
    item(good, "patient.reference")["item"] = [{"linkId": "patient.reference.help", "text": "A pseudonymous id"}]
    good["item"].append({"linkId": "symptoms.help"})  # a group's help, outside its group: not its place
    repeats = [one for one in good["item"] if one["linkId"] == "symptoms"]
    repeats[0]["item"].append({"linkId": "symptoms.help", "text": "Every symptom of the last 7 days"})

    assert [expression for expression, _ in refused(intake_api, good)] == ["symptoms.help"]
    good["item"].pop()
    assert fhir_post(intake_api, CREATE, good).status_code == 201


def test_a_help_text_given_an_answer_is_refused(intake_api, good):
    item(good, "patient.reference")["item"] = [{"linkId": "patient.reference.help", "answer": [{"valueString": "x"}]}]

    assert [expression for expression, _ in refused(intake_api, good)] == ["patient.reference"]
