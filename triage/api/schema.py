"""drf-spectacular extensions: the API key scheme, and pydantic models as request and response schemas."""

from drf_spectacular.contrib.pydantic import PydanticExtension
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import ResolvedComponent
from pydantic.json_schema import model_json_schema


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


class PydanticSchema(PydanticExtension):
    """drf-spectacular's pydantic support, but a request's schema in validation mode and a response's in
    serialization mode, each with its own components: a field with a default is optional in a request and always
    present in a response (`json_schema_serialization_defaults_required`). The contrib extension takes
    serialization mode for both, and shares the nested components between them."""

    priority = 1  # before the contrib extension

    def map_serializer(self, auto_schema: object, direction: str) -> dict:
        request = direction == "request"
        suffix = "Request" if request else ""  # as COMPONENT_SPLIT_REQUEST names the outermost
        schema = model_json_schema(
            self.target,
            ref_template="#/components/schemas/{model}" + suffix,
            mode="validation" if request else "serialization",
        )
        for name, sub_schema in schema.pop("$defs", {}).items():
            component = ResolvedComponent(
                name=name + suffix, type=ResolvedComponent.SCHEMA, object=name + suffix, schema=sub_schema
            )
            auto_schema.registry.register_on_missing(component)
        return schema


def fhir_operation_paths(result: dict, generator: object, request: object, public: bool) -> dict:
    """A POSTPROCESSING_HOOK: drf-spectacular reads each route as a regex and drops its `$`, so that
    `QuestionnaireResponse/$preview` would be documented without FHIR's operation marker. Put it back."""
    from triage.api.fhir_urls import urlpatterns  # the URLconf imports the views, which import this module

    marked = {str(route.pattern) for route in urlpatterns if "$" in str(route.pattern)}
    renamed = {f"/fhir/{route.replace('$', '')}": f"/fhir/{route}" for route in marked}
    result["paths"] = {renamed.get(path, path): operations for path, operations in result["paths"].items()}
    return result
