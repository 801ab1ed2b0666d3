"""Serializer fields that never coerce: a string is not a number, "true" is not a boolean.

DRF's stock fields are lenient on purpose (form input); a triage request that
says `"age_years": "forty"` or `"spreading": "maybe"` must fail, not be guessed.
"""

import math
from datetime import UTC
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from triage.text import REFUSED_MESSAGE, has_refused_characters, refused_character_class


class StrictBooleanField(serializers.BooleanField):
    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data: Any) -> bool:
        if data is True or data is False:
            return data
        self.fail("invalid")


class StrictIntegerField(serializers.IntegerField):
    default_error_messages = {"invalid": "Must be a whole number."}

    def to_internal_value(self, data: Any) -> int:
        # JSON has one number type: 38.0 is the integer 38 (as JSON Schema agrees); 38.5 and "38" are not.
        if isinstance(data, float) and data.is_integer():
            data = int(data)
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        self.run_validators(data)
        return data


class StrictNumberField(serializers.FloatField):
    default_error_messages = {"invalid": "Must be a finite number."}

    def to_internal_value(self, data: Any) -> float | int:
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        try:
            finite = math.isfinite(data)
        except OverflowError:  # an integer too large for a float: JSON allows it, no measurement is that big
            finite = False
        if not finite:
            self.fail("invalid")
        return data


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
