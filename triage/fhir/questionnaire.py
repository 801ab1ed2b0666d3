"""The intake Questionnaire and its CodeSystems, generated from the contract and the rule set that will read it.

Every field of `PresentationInput` but `external_id` (a QuestionnaireResponse's `identifier`) becomes an item
whose linkId is its dotted path: a nested model is a group, a list of models a repeating group, a list of codes a
repeating choice. Codes are the active rule set's own (`triage.rulesets.ruleset_reads`), so the form never offers
what would be refused; a field added to the contract appears here with nothing else to change.
"""

import types
from dataclasses import dataclass, replace
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from triage.contract import CodeTitles, PresentationInput
from triage.fhir import CANONICAL
from triage.rules import RuleSet
from triage.rulesets import ruleset_reads

QUESTIONNAIRE_ID = "twitch-intake"
QUESTIONNAIRE_URL = f"{CANONICAL}/Questionnaire/{QUESTIONNAIRE_ID}"
IDENTIFIER_FIELD = "external_id"  # QuestionnaireResponse.identifier: the idempotency key, not a question
LONG_TEXT = 255  # longer strings are free text (`text`), shorter ones a line (`string`)
EXTENSION = "http://hl7.org/fhir/StructureDefinition/"
HELP = ".help"  # a help text's linkId: its item's, then this (no field of the contract is named `help`)
HELP_CONTROL = {
    "url": f"{EXTENSION}questionnaire-itemControl",
    "valueCodeableConcept": {"coding": [{"system": "http://hl7.org/fhir/questionnaire-item-control", "code": "help"}]},
}


@dataclass(frozen=True)
class Question:
    """One item of the Questionnaire, as generated and as answers are read against it."""

    link_id: str
    text: str
    type: str  # FHIR's item type: group, boolean, integer, decimal, string, text, dateTime, choice
    required: bool
    repeats: bool
    items: tuple["Question", ...] = ()
    codes: tuple[tuple[str, str], ...] = ()  # a choice's (code, title), in vocabulary order
    minimum: int | None = None
    maximum: int | None = None
    max_length: int | None = None
    enabled_by: str | None = None  # the linkId whose answer makes this one relevant
    help: str | None = None  # the contract's description of the field, shown beside it

    @property
    def name(self) -> str:
        """The contract's field name: the linkId's last part."""
        return self.link_id.rpartition(".")[2]

    @property
    def code_system_id(self) -> str:
        return self.link_id.replace(".", "-").replace("_", "-")  # FHIR ids: letters, digits, '-' and '.'

    @property
    def code_system_url(self) -> str:
        return code_system_url(self.code_system_id)


@cache
def questions(ruleset: RuleSet) -> tuple[Question, ...]:
    """The Questionnaire's items for `ruleset`, in the contract's field order."""
    reads = ruleset_reads(ruleset)
    return tuple(
        _question(name, field, "", reads)
        for name, field in PresentationInput.model_fields.items()
        if name != IDENTIFIER_FIELD
    )


def _question(name: str, field: FieldInfo, prefix: str, reads: dict[str, tuple[str, ...]]) -> Question:
    link_id = f"{prefix}{name}"
    kind, metadata = _unwrapped(field.annotation, list(field.metadata))
    repeats = get_origin(kind) is list
    if repeats:
        kind, metadata = _unwrapped(get_args(kind)[0], metadata)
    common = {
        "link_id": link_id,
        "text": _in_words(name),
        "required": field.is_required(),
        "repeats": repeats,
        "help": field.description,
    }
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        items = [
            _question(child, child_field, f"{link_id}.", reads)
            for child, child_field in kind.model_fields.items()
            if link_id not in reads or child in reads[link_id]  # a group's fields the rule set reads
        ]
        if repeats:  # a repeating group: each answer's details make sense once its first (its code) is given
            key = replace(items[0], text=common["text"].removesuffix("s"))  # "Symptom", not "Code"
            items = [key, *(replace(question, enabled_by=key.link_id) for question in items[1:])]
        return Question(type="group", items=tuple(items), **common)
    if get_origin(kind) is Literal:
        titles = next(item for item in metadata if isinstance(item, CodeTitles)).titles
        offered = reads.get(link_id, get_args(kind))
        return Question(type="choice", codes=tuple(pair for pair in titles if pair[0] in offered), **common)
    bounds = {type(item): item for item in metadata if isinstance(item, annotated_types.BaseMetadata)}
    if kind is bool:
        return Question(type="boolean", **common)
    if kind is int:
        return Question(
            type="integer",
            minimum=getattr(bounds.get(annotated_types.Ge), "ge", None),
            maximum=getattr(bounds.get(annotated_types.Le), "le", None),
            **common,
        )
    if kind is float:
        return Question(type="decimal", **common)
    if any(
        isinstance(item, FieldInfo) and (item.json_schema_extra or {}).get("format") == "date-time" for item in metadata
    ):
        return Question(type="dateTime", **common)
    if kind is not str:  # a type added to the contract that no item type here renders: say so, never guess
        raise TypeError(f"No Questionnaire item type for {link_id} ({kind!r}): add one in triage.fhir.questionnaire.")
    max_length = getattr(bounds.get(annotated_types.MaxLen), "max_length", None)
    text_type = "text" if max_length and max_length > LONG_TEXT else "string"
    return Question(type=text_type, max_length=max_length, **common)


def _unwrapped(annotation: Any, metadata: list[Any]) -> tuple[Any, list[Any]]:
    """The type under `Optional[...]` and `Annotated[...]`, with the metadata gathered on the way."""
    while True:
        if get_origin(annotation) is Annotated:
            annotation, *more = get_args(annotation)
            metadata = [*metadata, *more, *(m for item in more if isinstance(item, FieldInfo) for m in item.metadata)]
        elif get_origin(annotation) in (Union, types.UnionType):
            annotation = next(arg for arg in get_args(annotation) if arg is not type(None))
        else:
            return annotation, metadata


WORDS = {"_years": " (years)", "_days": " (days)"}


def _in_words(name: str) -> str:
    for suffix, unit in WORDS.items():
        if name.endswith(suffix):
            name = name.removesuffix(suffix) + unit
    return name.replace("_", " ").capitalize()


def walk(items: tuple[Question, ...]) -> list[Question]:
    """Every question under `items`, depth first."""
    return [found for question in items for found in (question, *walk(question.items))]


# --- as FHIR resources --------------------------------------------------------------------------------------------


def questionnaire_resource(ruleset: RuleSet) -> dict[str, Any]:
    """The Questionnaire `twitch-intake` of `ruleset`'s version."""
    return {
        "resourceType": "Questionnaire",
        "id": QUESTIONNAIRE_ID,
        "url": QUESTIONNAIRE_URL,
        "version": ruleset.version,
        "name": "TwitchIntake",
        "title": "Facial and muscle twitch intake",
        "status": "active",
        "subjectType": ["Patient"],
        "description": (
            f"Generated from the intake contract and rule set {ruleset.version}. Each item's linkId is the JSON "
            "API's field path; QuestionnaireResponse.identifier is the idempotency key (the JSON API's "
            "external_id). Decision support for clinicians, not a diagnosis."
        ),
        "item": [_item(question) for question in questions(ruleset)],
    }


def _item(question: Question) -> dict[str, Any]:
    item: dict[str, Any] = {
        "linkId": question.link_id,
        "text": question.text,
        "type": question.type,
        "required": question.required,
        "repeats": question.repeats,
    }
    extensions = [
        {"url": f"{EXTENSION}{name}", "valueInteger": value}
        for name, value in (("minValue", question.minimum), ("maxValue", question.maximum))
        if value is not None
    ]
    if extensions:
        item["extension"] = extensions
    if question.max_length is not None:
        item["maxLength"] = question.max_length
    if question.enabled_by:
        item["enableWhen"] = [{"question": question.enabled_by, "operator": "exists", "answerBoolean": True}]
    if question.codes:
        item["answerOption"] = [
            {"valueCoding": {"system": question.code_system_url, "code": code, "display": title}}
            for code, title in question.codes
        ]
    children = [_item(child) for child in question.items]
    if question.help:  # shown as the item's help (SDC's itemControl "help"); a display item is never answered
        children.insert(
            0,
            {
                "linkId": f"{question.link_id}{HELP}",
                "text": question.help,
                "type": "display",
                "extension": [HELP_CONTROL],
            },
        )
    if children:
        item["item"] = children
    return item


def code_system_url(code_system_id: str) -> str:
    return f"{CANONICAL}/CodeSystem/{code_system_id}"


def code_systems(ruleset: RuleSet) -> dict[str, dict[str, Any]]:
    """The CodeSystem of every choice of the Questionnaire, by id."""
    return {
        question.code_system_id: code_system_resource(
            question.code_system_id, question.text, question.codes, version=ruleset.version
        )
        for question in walk(questions(ruleset))
        if question.type == "choice"
    }


def code_system_resource(
    code_system_id: str, title: str, concepts: tuple[tuple[str, str], ...], *, version: str
) -> dict[str, Any]:
    return {
        "resourceType": "CodeSystem",
        "id": code_system_id,
        "url": code_system_url(code_system_id),
        "version": version,
        "name": "".join(part.capitalize() for part in code_system_id.split("-")),
        "title": title,
        "status": "active",
        "caseSensitive": True,
        "content": "complete",
        "count": len(concepts),
        "concept": [{"code": code, "display": display} for code, display in concepts],
    }
