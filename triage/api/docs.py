"""The API's schema and documentation pages: served from this site only, with problem+json errors."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request

from triage.api.errors import PROBLEM_CONTENT_TYPE
from triage.api.renderers import FastJSONRenderer

# Redoc's bundle always adds Redocly's logo from its CDN to the side menu (no option turns it off), and
# Swagger UI can fetch a validator badge: images here come from this site (or data: URIs) only.
IMAGES_FROM_THIS_SITE = "img-src 'self' data:"


class _ProblemJsonErrors:
    """Errors as problem+json, as everywhere else: these views' own renderers write HTML or YAML."""

    def handle_exception(self, exc: Exception) -> Any:
        self.request.accepted_renderer, self.request.accepted_media_type = FastJSONRenderer(), PROBLEM_CONTENT_TYPE
        return super().handle_exception(exc)


class _ImagesFromThisSite:
    # In finalize_response, not get(): the pages' own get() carries extend_schema(exclude=True).
    def finalize_response(self, request: HttpRequest, response: HttpResponse, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Security-Policy"] = IMAGES_FROM_THIS_SITE
        return response


class FormatQueryNegotiation(DefaultContentNegotiation):
    """`?format=json` or `?format=yaml` picks the schema's format, as drf-spectacular documents (the API itself
    takes no `format` parameter: URL_FORMAT_OVERRIDE is off)."""

    def select_renderer(self, request: Request, renderers: list, format_suffix: str | None = None) -> tuple:
        return super().select_renderer(request, renderers, format_suffix or request.query_params.get("format"))


class SchemaView(_ProblemJsonErrors, SpectacularAPIView):
    content_negotiation_class = FormatQueryNegotiation


class RedocView(_ProblemJsonErrors, _ImagesFromThisSite, SpectacularRedocView):
    http_method_names = ["get", "head"]  # DRF's OPTIONS answer would need a template these pages do not have


class SwaggerView(_ProblemJsonErrors, _ImagesFromThisSite, SpectacularSwaggerView):
    http_method_names = ["get", "head"]
