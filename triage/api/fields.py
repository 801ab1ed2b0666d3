"""Query parameter fields that never guess: `flagged=maybe` is a 400, not false; any time offset is read in UTC."""

from datetime import UTC
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


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
