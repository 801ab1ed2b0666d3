"""What a FHIR form vendor does, in the tests: fill the served Questionnaire in from an intake body, walking the
Questionnaire's items (their linkIds, types and answer options), never our Python types; and parse what the
service serves with the `fhir.resources` R4B models."""

import json
from typing import Any

from fhir.resources.R4B import get_fhir_model_class

QUESTIONNAIRE = "/fhir/Questionnaire/twitch-intake"
VALUE = {
    "boolean": "valueBoolean",
    "integer": "valueInteger",
    "decimal": "valueDecimal",
    "string": "valueString",
    "text": "valueString",
    "dateTime": "valueDateTime",
}


def parsed(resource: dict[str, Any]) -> Any:
    """`resource` as its fhir.resources R4B model: raises if it is not a valid resource of its type."""
    return get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def fill_in(questionnaire: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """A QuestionnaireResponse answering `questionnaire` with `body`'s values (the JSON API's request body).

    Every value of the body must find its item: a field the form lacks fails here, not silently.
    """
    unanswered = dict(body)
    identifier = unanswered.pop("external_id")
    items = _answer(questionnaire["item"], unanswered)
    assert unanswered == {}, f"No item of the Questionnaire takes {sorted(unanswered)}"
    return {
        "resourceType": "QuestionnaireResponse",
        "identifier": {"system": "urn:example:intake-form", "value": identifier},
        "questionnaire": f"{questionnaire['url']}|{questionnaire['version']}",
        "status": "completed",
        "item": items,
    }


def _answer(items: list[dict[str, Any]], values: dict[str, Any]) -> list[dict[str, Any]]:
    """The answer items for `values` (one level of the body), consuming what they answer from it."""
    answered = []
    for item in items:
        name = item["linkId"].rpartition(".")[2]
        if name not in values:
            continue
        value = values.pop(name)
        if item["type"] == "group":
            for one in value if item.get("repeats") else [value]:
                rest = dict(one)
                answered.append({"linkId": item["linkId"], "item": _answer(item.get("item", []), rest)})
                assert rest == {}, f"No item of {item['linkId']} takes {sorted(rest)}"
        elif value is not None:
            given = value if item.get("repeats") else [value]
            answered.append({"linkId": item["linkId"], "answer": [_value(item, one) for one in given]})
    return answered


def _value(item: dict[str, Any], value: Any) -> dict[str, Any]:
    if item["type"] == "choice":
        codings = [option["valueCoding"] for option in item["answerOption"]]
        coding = next((coding for coding in codings if coding["code"] == value), None)
        assert coding is not None, f"{value!r} is not an answer option of {item['linkId']}"
        return {"valueCoding": coding}
    return {VALUE[item["type"]]: value}


def fhir_post(api: Any, path: str, resource: Any) -> Any:
    return api.post(path, data=json.dumps(resource), content_type="application/fhir+json")
