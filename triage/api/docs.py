"""The API's documentation pages, served from this site only."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

# Redoc's bundle always adds Redocly's logo from its CDN to the side menu (no option turns it off), and
# Swagger UI can fetch a validator badge: images here come from this site (or data: URIs) only.
IMAGES_FROM_THIS_SITE = "img-src 'self' data:"


def _images_from_this_site(response: HttpResponse) -> HttpResponse:
    response["Content-Security-Policy"] = IMAGES_FROM_THIS_SITE
    return response


class RedocView(SpectacularRedocView):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return _images_from_this_site(super().get(request, *args, **kwargs))


class SwaggerView(SpectacularSwaggerView):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return _images_from_this_site(super().get(request, *args, **kwargs))
