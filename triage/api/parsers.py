"""JSON request parsing with a size limit and no way to crash the worker."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.parsers import JSONParser

from triage.api.errors import RequestTooLarge

if TYPE_CHECKING:  # for annotations only: DRF's settings import this module
    from rest_framework.request import Request

MAX_BODY_BYTES = 64 * 1024


def _refuse_constant(name: str) -> None:
    raise ParseError(f"{name} is not valid JSON.")


def _refuse_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json keeps the last of a repeated key and drops the rest unseen: a red flag sent true, then false.
    for key, _ in pairs:
        if not key.isascii() and not _is_unicode(key):
            raise ParseError(f"The key {key!r} is not valid Unicode (a lone surrogate escape): no field is named so.")
    unique = dict(pairs)
    if len(unique) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ParseError(f"The key {key!r} is repeated in one object: send each key once.")
            seen.add(key)
    return unique


def _is_unicode(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


class StrictJSONParser(JSONParser):
    """Reads at most 64 KiB (413 beyond), refuses NaN/Infinity, repeated keys, invalid UTF-8, absurd nesting (400)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        if stream is None:
            raise ParseError("The request body is empty.")
        raw = stream.read(MAX_BODY_BYTES + 1)
        if len(raw) > MAX_BODY_BYTES:
            raise RequestTooLarge()
        try:
            return json.loads(
                raw.decode("utf-8"), parse_constant=_refuse_constant, object_pairs_hook=_refuse_repeated_keys
            )
        except UnicodeDecodeError as exc:
            raise ParseError("The request body is not valid UTF-8.") from exc
        except RecursionError as exc:
            raise ParseError("The request body is nested too deeply.") from exc
        except ValueError as exc:
            raise ParseError(f"Malformed JSON: {exc}") from exc


def json_body(request: Request) -> Any:
    """`request.data`, and 415 for a content type other than JSON even when the body is empty,
    where DRF, which parses no empty body, would give the view `{}`."""
    data = request.data
    if not data and request.content_type and request.negotiator.select_parser(request, request.parsers) is None:
        raise UnsupportedMediaType(request.content_type)
    return data
