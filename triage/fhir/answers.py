"""A QuestionnaireResponse to `twitch-intake` read back into the JSON API's request body, or every fault named.

Read against the Questionnaire's own items (triage.fhir.questionnaire), as strictly as the JSON API reads its
body: an unknown linkId or element, an answer of the wrong type, a code outside the answer set, a second answer to
a question that takes one are refused, never dropped. What the form leaves unanswered is left out of the body, so
the contract's defaults and its required fields apply exactly as they do to JSON. Faults are named by linkId (or by
the element's path, `QuestionnaireResponse.identifier`), with the repeat they are in.
"""

from typing import Any

from triage.fhir import CANONICAL
from triage.fhir.questionnaire import HELP, IDENTIFIER_FIELD, QUESTIONNAIRE_ID, QUESTIONNAIRE_URL, Question

RESOURCE = "QuestionnaireResponse"
PATIENT_REFERENCE_SYSTEM = f"{CANONICAL}/patient-reference"  # the intake form's pseudonymous id
# Elements read from the response; `id`, `meta`, `language` and `authored` are the envelope's, accepted and not
# kept (a server ignores a resource's id on create). Anything else (a narrative, extensions) is refused.
READ = ("resourceType", "identifier", "questionnaire", "status", "subject", "item")
ENVELOPE = ("id", "meta", "language", "authored")
ITEM_ELEMENTS = ("linkId", "text", "answer", "item")
VALUE_ELEMENT = {
    "boolean": "valueBoolean",
    "integer": "valueInteger",
    "decimal": "valueDecimal",
    "string": "valueString",
    "text": "valueString",
    "dateTime": "valueDateTime",
    "choice": "valueCoding",
}
CODING_ELEMENTS = ("system", "code", "display")

Faults = list[tuple[str, str]]  # (expression, message)


class InvalidResponse(ValueError):
    """A QuestionnaireResponse refused: `faults` are (expression, message) pairs, the expression a linkId or an
    element's path."""

    def __init__(self, faults: Faults) -> None:
        super().__init__(f"{len(faults)} faults")
        self.faults = faults


def response_body(response: Any, items: tuple[Question, ...], *, version: str) -> tuple[dict[str, Any], Faults]:
    """The JSON API's request body the response answers (what could be read of it), and the faults found on the
    way. `items` and `version` are the Questionnaire's it must answer."""
    faults: Faults = []
    if not isinstance(response, dict):
        return {}, [(RESOURCE, "Must be a QuestionnaireResponse resource (a JSON object).")]
    if response.get("resourceType") != RESOURCE:
        faults.append((f"{RESOURCE}.resourceType", f"Must be {RESOURCE}."))
    faults += [
        (f"{RESOURCE}.{name}", "Not read by this service: refused rather than ignored.")
        for name in response
        if name not in READ + ENVELOPE
    ]
    _check_questionnaire(response.get("questionnaire"), version, faults)
    if response.get("status") != "completed":
        faults.append((f"{RESOURCE}.status", "Must be completed: only a finished form is assessed."))
    body = _answers(response.get("item", []), items, RESOURCE, faults)
    external_id = _identifier(response.get("identifier"), faults)
    if external_id is not None:
        body[IDENTIFIER_FIELD] = external_id
    _check_subject(response.get("subject"), body.get("patient", {}).get("reference"), faults)
    return body, faults


def _check_questionnaire(given: Any, version: str, faults: Faults) -> None:
    canonical, _, answered_version = given.partition("|") if isinstance(given, str) else ("", "", "")
    # Its canonical URL, or where this service serves it: a relative reference, or the URL the form was fetched from.
    served = canonical == f"Questionnaire/{QUESTIONNAIRE_ID}" or (
        canonical.startswith(("http://", "https://")) and canonical.endswith(f"/fhir/Questionnaire/{QUESTIONNAIRE_ID}")
    )
    if canonical != QUESTIONNAIRE_URL and not served:
        faults.append((f"{RESOURCE}.questionnaire", f"Must be {QUESTIONNAIRE_URL} (optionally |{version})."))
    elif answered_version and answered_version != version:
        faults.append(
            (
                f"{RESOURCE}.questionnaire",
                f"Answers version {answered_version} of the form; the active rule set's is {version}: fetch it again.",
            )
        )


def _identifier(given: Any, faults: Faults) -> Any:
    path = f"{RESOURCE}.identifier"
    if given is None:
        faults.append((path, "Required: its value is the idempotency key, unique per API key."))
        return None
    if not isinstance(given, dict) or "value" not in given:
        faults.append((path, "Must be an Identifier with a value."))
        return None
    faults += [(f"{path}.{name}", "Not read by this service.") for name in given if name not in ("system", "value")]
    return given["value"]


def _check_subject(given: Any, reference: Any, faults: Faults) -> None:
    """An optional subject must name the patient the answers do: by identifier, as the pseudonymous reference."""
    if given is None:
        return
    identifier = given.get("identifier") if isinstance(given, dict) else None
    value = identifier.get("value") if isinstance(identifier, dict) else None
    if (
        value is None
        or set(given) - {"identifier", "type"}
        or given.get("type", "Patient") != "Patient"
        or set(identifier) - {"system", "value"}
        or identifier.get("system", PATIENT_REFERENCE_SYSTEM) != PATIENT_REFERENCE_SYSTEM
    ):
        faults.append(
            (
                f"{RESOURCE}.subject",
                f"Must be a Patient by identifier (system {PATIENT_REFERENCE_SYSTEM}): the pseudonymous reference.",
            )
        )
    elif value != reference:
        faults.append((f"{RESOURCE}.subject", "Must be the same reference as the answer to patient.reference."))


def _answers(given: Any, items: tuple[Question, ...], parent: str, faults: Faults) -> dict[str, Any]:
    """The fields the answers to `items` give, keyed by field name."""
    if not isinstance(given, list):
        faults.append((parent, "Its items must be a list."))
        return {}
    by_link_id = {question.link_id: question for question in items}
    fields: dict[str, Any] = {}
    repeats: dict[str, int] = {}
    for item in given:
        link_id = item.get("linkId") if isinstance(item, dict) else None
        if _is_help(item, {parent}):  # a group's own help, among its items
            continue
        question = by_link_id.get(link_id) if isinstance(link_id, str) else None
        if question is None:
            faults.append((str(link_id) if isinstance(link_id, str) else parent, _unknown_item(link_id, items)))
            continue
        repeats[link_id] = repeats.get(link_id, 0) + 1
        if repeats[link_id] > 1 and not (question.repeats and question.type == "group"):
            once = "this group does not repeat" if question.type == "group" else "give its answers in one item"
            faults.append((link_id, f"Given more than once: {once}."))
            continue
        faults += [(link_id, f"The element {name!r} is not read here.") for name in item if name not in ITEM_ELEMENTS]
        where = f"repeat {repeats[link_id]} of {link_id}" if question.repeats else ""
        if question.type == "group":
            if "answer" in item:
                faults.append((link_id, "A group takes items, not answers."))
            inside: Faults = []
            group = _answers(item.get("item", []), question.items, link_id, inside)
            faults += [(expression, f"{message} ({where})" if where else message) for expression, message in inside]
            if question.repeats:
                fields.setdefault(question.name, []).append(group)
            else:
                fields[question.name] = group
        elif (value := _answer(item, question, faults)) is not None:
            fields[question.name] = value
    return fields


def _unknown_item(link_id: Any, items: tuple[Question, ...]) -> str:
    if not isinstance(link_id, str):
        return "Each item must be an object with a linkId."
    expected = ", ".join(question.link_id for question in items)
    return f"Unknown linkId {link_id!r}: not an item here (expected one of {expected})."


def _is_help(item: Any, owners: set[str]) -> bool:
    """A form that echoes the Questionnaire's help texts (display items) sends them unanswered: nothing to read."""
    if not isinstance(item, dict) or set(item) - {"linkId", "text"} or not isinstance(item.get("linkId"), str):
        return False
    return item["linkId"].endswith(HELP) and item["linkId"].removesuffix(HELP) in owners


def _answer(item: dict[str, Any], question: Question, faults: Faults) -> Any:
    """The field's value from the item's answers (a list for a repeating question), or None when unanswered."""
    link_id = question.link_id
    if "item" in item and not (
        isinstance(item["item"], list) and all(_is_help(child, {link_id}) for child in item["item"])
    ):
        faults.append((link_id, "A question takes answers, not items."))
    answers = item.get("answer", [])
    if not isinstance(answers, list):
        faults.append((link_id, "Its answers must be a list."))
        return None
    if not answers:
        return None
    if len(answers) > 1 and not question.repeats:
        faults.append((link_id, "Takes one answer."))
        return None
    values = [_value(answer, question, faults) for answer in answers]
    if any(value is _REFUSED for value in values):
        return None
    return values if question.repeats else values[0]


_REFUSED = object()


def _value(answer: Any, question: Question, faults: Faults) -> Any:
    link_id, element = question.link_id, VALUE_ELEMENT[question.type]
    if not isinstance(answer, dict) or list(answer) != [element]:
        given = ", ".join(answer) if isinstance(answer, dict) and answer else "nothing"
        faults.append((link_id, f"Must be answered with {element} alone (type {question.type}), not {given}."))
        return _REFUSED
    value = answer[element]
    if value is None:
        faults.append((link_id, "Must not be null: leave the item out to leave it unanswered."))
        return _REFUSED
    if question.type != "choice":
        return value  # its type and range are the contract's to check, as for JSON
    if not isinstance(value, dict) or set(value) - set(CODING_ELEMENTS) or not isinstance(value.get("code"), str):
        faults.append((link_id, "Must be a Coding with a code from the answer options."))
        return _REFUSED
    if value.get("system") != question.code_system_url:
        faults.append((link_id, f"The Coding's system must be {question.code_system_url}."))
        return _REFUSED
    titles = dict(question.codes)
    if value["code"] not in titles:
        faults.append((link_id, f"The code {value['code']!r} is not in the answer set."))
        return _REFUSED
    if value.get("display", titles[value["code"]]) != titles[value["code"]]:  # which did the person choose?
        faults.append((link_id, f"The display contradicts the code {value['code']!r}: {titles[value['code']]!r}."))
        return _REFUSED
    return value["code"]


def link_id_of(loc: tuple[Any, ...]) -> tuple[str, str]:
    """A contract error's location (`("symptoms", 1, "onset")`) as the item it is about (`symptoms.onset`), and
    the repeat it is in ("repeat 2 of symptoms"), if any."""
    if loc[:1] == (IDENTIFIER_FIELD,):
        return f"{RESOURCE}.identifier.value", ""
    names: list[str] = []
    where = []
    for part in loc:
        if isinstance(part, int):  # an index into the list the names so far lead to
            where.append(f"repeat {part + 1} of {'.'.join(names)}")
        else:
            names.append(str(part))
    return ".".join(names) or RESOURCE, ", ".join(where)


def questionnaire_response(body: dict[str, Any], items: tuple[Question, ...], *, version: str) -> dict[str, Any]:
    """The QuestionnaireResponse a form sends for `body` (the JSON API's request body): the API docs' examples."""
    return {
        "resourceType": RESOURCE,
        "identifier": {"value": body[IDENTIFIER_FIELD]},
        "questionnaire": f"{QUESTIONNAIRE_URL}|{version}",
        "status": "completed",
        "item": _items_for(body, items),
    }


def _items_for(values: dict[str, Any], items: tuple[Question, ...]) -> list[dict[str, Any]]:
    answered: list[dict[str, Any]] = []
    for question in items:
        value = values.get(question.name)
        if value in (None, [], {}):
            continue
        each = value if question.repeats else [value]
        if question.type == "group":
            answered += [{"linkId": question.link_id, "item": _items_for(one, question.items)} for one in each]
        else:
            answered.append({"linkId": question.link_id, "answer": [_answer_for(question, one) for one in each]})
    return answered


def _answer_for(question: Question, value: Any) -> dict[str, Any]:
    if question.type == "choice":
        coding = {"system": question.code_system_url, "code": value, "display": dict(question.codes)[value]}
        return {"valueCoding": coding}
    return {VALUE_ELEMENT[question.type]: value}
