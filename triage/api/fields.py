"""Serializer fields that never coerce: a string is not a number, "true" is not a boolean.

DRF's stock fields are lenient on purpose (form input); a triage request that
says `"age_years": "forty"` or `"spreading": "maybe"` must fail, not be guessed.
"""

from datetime import UTC
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from triage.text import REFUSED_MESSAGE, has_refused_characters, refused_character_class


class StrictCharField(serializers.CharField):
    """Text that is really text: no numbers, no control or invisible formatting characters (triage.text), valid
    Unicode, no padding trimmed away."""

    default_error_messages = {"invalid": "Must be a string.", "control": REFUSED_MESSAGE}

    def __init__(self, *, allow_line_breaks: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("trim_whitespace", False)
        self.allow_line_breaks = allow_line_breaks
        super().__init__(**kwargs)

    @property
    def allowed_pattern(self) -> str:
        """The same rule as a JSON Schema pattern (lone surrogates aside, which no JSON document holds)."""
        return f"^[^{refused_character_class(allow_line_breaks=self.allow_line_breaks)}]*$"

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        if has_refused_characters(data, allow_line_breaks=self.allow_line_breaks):
            self.fail("control")
        return data


class CodeField(serializers.ChoiceField):
    """One code from a fixed vocabulary, matched exactly."""

    default_error_messages = {"invalid_choice": "Unknown code {input!r}."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str) or data not in self.choices:
            self.fail("invalid_choice", input=data if isinstance(data, str) else type(data).__name__)
        return data


@extend_schema_field(OpenApiTypes.BOOL)
class QueryBooleanField(serializers.Field):
    """A query parameter that is exactly `true` or `false`: anything else is a 400, never silently ignored."""

    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data: Any) -> bool:
        if data in ("true", "false"):
            return data == "true"
        self.fail("invalid")


class QueryDateTimeField(serializers.DateTimeField):
    """An ISO 8601 time with any offset, in UTC (PostgreSQL refuses offsets beyond ±15:59)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(default_timezone=UTC, **kwargs)
