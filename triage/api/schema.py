"""drf-spectacular extensions: the API key scheme, and strictness the DRF serializers cannot declare."""

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.openapi import AutoSchema


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
    """Request bodies refuse unknown fields."""

    target_class = "triage.api.serializers.StrictSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema: AutoSchema, direction: str) -> dict:
        return {**auto_schema._map_basic_serializer(self.target, direction), "additionalProperties": False}


class StrictCharFieldSchema(OpenApiSerializerFieldExtension):
    """Say in the schema which characters StrictCharField refuses, so clients can know before sending."""

    target_class = "triage.api.fields.StrictCharField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: AutoSchema, direction: str) -> dict:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        return {**schema, "pattern": self.target.allowed_pattern}
