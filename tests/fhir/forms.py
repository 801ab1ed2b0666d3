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


def fill_in(questionnaire: dict[str, Any], body: dict[str, Any], *, as_sent: bool = False) -> dict[str, Any]:
    """A QuestionnaireResponse answering `questionnaire` with `body`'s values (the JSON API's request body).

    Every value of the body must find its item: a field the form lacks fails here, not silently. `as_sent`: what a
    careless form would send for a bad body instead (a field the form lacks as an item named by its path, a code
    it does not offer in a Coding of its system), for the service to refuse.
    """
    unanswered = dict(body)
    identifier = unanswered.pop("external_id")
    items = _answer(questionnaire["item"], unanswered, as_sent=as_sent)
    if as_sent:
        items += _unknown_items(unanswered, "")
    else:
        assert unanswered == {}, f"No item of the Questionnaire takes {sorted(unanswered)}"
    return {
        "resourceType": "QuestionnaireResponse",
        "identifier": {"system": "urn:example:intake-form", "value": identifier},
        "questionnaire": f"{questionnaire['url']}|{questionnaire['version']}",
        "status": "completed",
        "item": items,
    }


def _answer(items: list[dict[str, Any]], values: dict[str, Any], *, as_sent: bool) -> list[dict[str, Any]]:
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
                inner = _answer(item.get("item", []), rest, as_sent=as_sent)
                if as_sent:
                    inner += _unknown_items(rest, f"{item['linkId']}.")
                else:
                    assert rest == {}, f"No item of {item['linkId']} takes {sorted(rest)}"
                answered.append({"linkId": item["linkId"], "item": inner})
        elif value is not None:
            given = value if item.get("repeats") else [value]
            answered.append({"linkId": item["linkId"], "answer": [_value(item, one, as_sent) for one in given]})
    return answered


def _value(item: dict[str, Any], value: Any, as_sent: bool) -> dict[str, Any]:
    if item["type"] == "choice":
        codings = [option["valueCoding"] for option in item["answerOption"]]
        coding = next((coding for coding in codings if coding["code"] == value), None)
        if coding is None and as_sent:
            return {"valueCoding": {"system": codings[0]["system"], "code": value}}
        assert coding is not None, f"{value!r} is not an answer option of {item['linkId']}"
        return {"valueCoding": coding}
    return {VALUE[item["type"]]: value}


def _unknown_items(values: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    return [
        {"linkId": f"{prefix}{name}", "answer": [{"valueString": json.dumps(value)}]} for name, value in values.items()
    ]


def fhir_post(api: Any, path: str, resource: Any) -> Any:
    return api.post(path, data=json.dumps(resource), content_type="application/fhir+json")
