"""drf-spectacular extensions: the API key scheme, and strictness the serializers cannot declare."""

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.openapi import AutoSchema

from triage.rules.measurements import LIMITS


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "triage.api.authentication.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema: object) -> dict:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`: the word Api-Key, a space, then the key from `manage.py create_api_key`.",
        }


class StrictSerializerSchema(OpenApiSerializerExtension):
    """Request bodies refuse unknown fields, and measurement values have per-unit plausible ranges."""

    target_class = "triage.api.serializers.StrictSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema: AutoSchema, direction: str) -> dict:
        schema = {**auto_schema._map_basic_serializer(self.target, direction), "additionalProperties": False}
        measurement = getattr(self.target, "measurement", "")
        if measurement:
            schema["allOf"] = [
                {
                    "if": {"properties": {"unit": {"const": unit}}, "required": ["unit"]},
                    "then": {
                        "properties": {"value": {"minimum": limits.plausible_min, "maximum": limits.plausible_max}}
                    },
                }
                for unit, limits in LIMITS[measurement].items()
            ]
        return schema


class StrictCharFieldSchema(OpenApiSerializerFieldExtension):
    """Say in the schema which characters StrictCharField refuses, so clients can know before sending."""

    target_class = "triage.api.fields.StrictCharField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: AutoSchema, direction: str) -> dict:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        return {**schema, "pattern": self.target.allowed_pattern}


class UniqueCodeListSchema(OpenApiSerializerFieldExtension):
    """Code lists hold each code at most once."""

    target_class = "triage.api.serializers.UniqueCodeListField"

    def map_serializer_field(self, auto_schema: AutoSchema, direction: str) -> dict:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        return {**schema, "uniqueItems": True}
