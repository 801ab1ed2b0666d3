"""Every field of the intake contract (triage.contract) reaches the schema, the stored body and the retry comparison.

The fields are walked from the contract itself, and their starting values come from the published schema: a
field added there is checked here too, with nothing added here, and one that fails to reach any of the three
fails this test.
"""

import json
import types
import typing
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, Literal

import pytest
from django.utils import timezone
from pydantic import BaseModel

from tests.openapi import published_schema
from triage.contract import PresentationInput
from triage.models import Presentation

pytestmark = pytest.mark.django_db
URL = "/api/v1/presentations/"


def example(schema: dict, schemas: dict) -> Any:
    """A valid value for a JSON Schema of the contract, every optional part given: the published request
    schema's own enums, bounds and per-unit ranges (a measurement's value midway in its first unit's range)."""
    while "$ref" in schema or ("anyOf" in schema and "type" not in schema):
        if "$ref" in schema:
            schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
        else:
            schema = next(branch for branch in schema["anyOf"] if branch.get("type") != "null")
    if "enum" in schema:
        return schema["enum"][0]
    if schema.get("allOf") and "properties" not in schema and "type" not in schema:
        return example(schema["allOf"][0], schemas)
    kind = schema["type"]
    if kind == "object":
        value = {name: example(part, schemas) for name, part in schema["properties"].items()}
        for condition in schema.get("allOf", []):  # the plausible range of the unit chosen
            unit = condition["if"]["properties"]["unit"]["const"]
            if value.get("unit") == unit:
                bounds = condition["then"]["properties"]["value"]
                value["value"] = (bounds["minimum"] + bounds["maximum"]) / 2
        return value
    if kind == "array":
        return [example(schema["items"], schemas)]
    if kind == "boolean":
        return False
    if kind == "integer":
        return schema.get("minimum", 0) + 1
    if kind == "string" and schema.get("format") == "date-time":
        return (timezone.now() - timedelta(hours=1)).isoformat()
    if kind == "string":
        return "given"
    if kind == "number":
        return 1.0
    raise AssertionError(f"no example for {schema!r}: teach this test the new schema")


def _full() -> dict:
    schemas = published_schema()["components"]["schemas"]
    return {**example(schemas["PresentationInputRequest"], schemas), "external_id": "contract-0"}


FULL = _full()


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model an annotation holds (`Model`, `Model | None`, `list[Model]`), if any."""
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def leaves(model: type[BaseModel] = PresentationInput, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """(path, annotation) of every field that holds a value rather than an object; list items by index 0."""
    for name, field in model.model_fields.items():
        inner = _model_of(field.annotation)
        if inner is None:
            yield (*path, name), field.annotation
        elif typing.get_origin(field.annotation) is list:
            yield from leaves(inner, (*path, name, 0))
        else:
            yield from leaves(inner, (*path, name))


def other_value(annotation: Any, value: Any) -> Any:
    """A valid value of the annotation's type other than `value`."""
    if typing.get_origin(annotation) is typing.Annotated:
        return other_value(typing.get_args(annotation)[0], value)
    options = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return other_value(options[0], value)
    if typing.get_origin(annotation) is Literal:
        return next(option for option in options if option != value)
    if typing.get_origin(annotation) is list:
        return [other_value(options[0], value[0])]
    if annotation is bool:
        return not value
    if annotation is int:
        return value + 1
    if annotation is float:
        return value + 0.1
    if annotation is str and is_date_time(value):
        return (datetime.fromisoformat(value) - timedelta(minutes=1)).isoformat()
    if annotation is str:
        return value + "-changed"
    raise AssertionError(f"no other value for {annotation!r}: teach this test the new field type")


def is_date_time(value: str) -> bool:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def at(body: Any, path: tuple) -> Any:
    for part in path:
        body = body[part]
    return body


def changed(body: dict, path: tuple, value: Any) -> dict:
    body = json.loads(json.dumps(body))
    at(body, path[:-1])[path[-1]] = value
    return body


def schema_at(path: tuple) -> dict:
    """The published request schema's property at `path`, following $refs, anyOf and array items."""
    schemas = published_schema()["components"]["schemas"]
    node = schemas["PresentationInputRequest"]
    for part in path:
        node = _resolved(node, schemas)
        node = node["items"] if isinstance(part, int) else node["properties"][part]
    return _resolved(node, schemas)


def _resolved(node: dict, schemas: dict) -> dict:
    while True:
        if "$ref" in node:
            node = schemas[node["$ref"].rsplit("/", 1)[1]]
        elif "anyOf" in node and "type" not in node:
            node = next(branch for branch in node["anyOf"] if branch.get("type") != "null")
        elif "allOf" in node and "properties" not in node and "type" not in node and len(node["allOf"]) == 1:
            node = node["allOf"][0]
        else:
            return node


def post(api, body: dict) -> Any:
    return api.post(URL, json.dumps(body), content_type="application/json")


LEAVES = list(leaves())


def test_the_walk_finds_the_contracts_fields():
    paths = {".".join(map(str, path)) for path, _ in LEAVES}
    assert {"patient.age_years", "symptoms.0.onset", "measurements.serum_calcium.kind", "notes"} <= paths
    assert all(at(FULL, path) is not None for path, _ in LEAVES), "FULL must give every field"


@pytest.mark.parametrize(("path", "annotation"), LEAVES, ids=[".".join(map(str, p)) for p, _ in LEAVES])
def test_each_field_reaches_the_schema_the_stored_body_and_the_retry_comparison(intake_api, path, annotation):
    assert schema_at(path), f"{path} is not in the published request schema"

    value = other_value(annotation, at(FULL, path))
    base = {**FULL, "external_id": f"contract-{'.'.join(map(str, path))}"}
    sent = changed(base, path, value)
    created = post(intake_api, sent)
    assert created.status_code == 201, created.json()
    assert at(Presentation.objects.get(pk=created.json()["id"]).payload, path) == value  # stored
    assert at(created.json(), path) == value  # and shown

    assert post(intake_api, sent).status_code == 200  # the same body again is a retry
    # A changed field is not, but for the idempotency key itself, which makes it another presentation.
    expected = 201 if path == ("external_id",) else 409
    assert post(intake_api, changed(sent, path, at(base, path))).status_code == expected


def test_a_minimal_body_is_stored_with_every_field_its_defaults_filled_in(intake_api):
    minimal = {"external_id": "contract-minimal", "patient": FULL["patient"], "twitch": {"locations": ["eyelid"],
               "side": "left", "duration_days": 7}}  # fmt: skip

    stored = Presentation.objects.get(pk=post(intake_api, minimal).json()["id"]).payload

    for path, _ in LEAVES:
        container = stored
        for part in path[:-1]:
            if isinstance(part, int) or container.get(part) == {}:
                break  # an empty list, or measurements none of which was given: nothing to fill in
            container = container[part]
        else:
            assert path[-1] in container, f"{path} is missing from the stored body"
