"""Client-side checks built from the published OpenAPI document alone."""

from functools import cache
from typing import Any

from drf_spectacular.generators import SchemaGenerator
from jsonschema import Draft202012Validator


@cache
def published_schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    root = {**schema, "components": published_schema()["components"]}
    return Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)


def request_errors(path: str, method: str, body: Any) -> list[str]:
    operation = published_schema()["paths"][path][method]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    return [error.message for error in _validator(schema).iter_errors(body)]


def assert_response_conforms(response: Any, path: str, method: str) -> None:
    """The response's status, content type and body are ones the schema publishes for this operation."""
    operation = published_schema()["paths"][path][method.lower()]
    documented = operation["responses"].get(str(response.status_code))
    assert documented is not None, f"{method} {path} does not document {response.status_code}"
    content_type = response["Content-Type"].split(";")[0]
    assert content_type in documented["content"], f"{content_type} not documented for {response.status_code}"
    schema = documented["content"][content_type]["schema"]
    errors = [error.message for error in _validator(schema).iter_errors(response.json())]
    assert not errors, errors
