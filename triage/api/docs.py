"""The API's documentation pages, served from this site only."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

# Redoc's bundle always adds Redocly's logo from its CDN to the side menu (no option turns it off), and
# Swagger UI can fetch a validator badge: images here come from this site (or data: URIs) only.
IMAGES_FROM_THIS_SITE = "img-src 'self' data:"


class _ImagesFromThisSite:
    # In finalize_response, not get(): the pages' own get() carries extend_schema(exclude=True).
    def finalize_response(self, request: HttpRequest, response: HttpResponse, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Security-Policy"] = IMAGES_FROM_THIS_SITE
        return response


class RedocView(_ImagesFromThisSite, SpectacularRedocView):
    pass


class SwaggerView(_ImagesFromThisSite, SpectacularSwaggerView):
    pass
