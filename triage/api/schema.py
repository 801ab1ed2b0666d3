"""drf-spectacular extension: the API key scheme."""

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
)


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
