"""The quick content negotiation answers exactly as DRF's own does."""

import pytest
from django.http import Http404
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.test import APIRequestFactory

from triage.api.fhir import FhirJSONRenderer
from triage.api.negotiation import QuickContentNegotiation
from triage.api.renderers import FastJSONRenderer

RENDERER_LISTS = [[FastJSONRenderer], [FastJSONRenderer, FhirJSONRenderer], [FhirJSONRenderer, FastJSONRenderer]]
MEDIA_TYPES = [
    "*/*", "application/json", "application/fhir+json", "application/*", "text/html", "text/*",
    "application/json; indent=4", "application/json;q=0.5", "*/*;q=0.1", "", " ", "garbage",
]  # fmt: skip


def negotiated(negotiator_class: type, accept: str | None, renderer_classes: list[type], suffix: str | None):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(APIRequestFactory().get("/api/v1/rules/", **headers))
    try:
        renderer, media_type = negotiator_class().select_renderer(request, [cls() for cls in renderer_classes], suffix)
    except NotAcceptable:
        return "406"
    except Http404:  # a format suffix no renderer has
        return "404"
    return type(renderer), media_type


@pytest.mark.parametrize("renderer_classes", RENDERER_LISTS)
@pytest.mark.parametrize("accept", [None, *MEDIA_TYPES])
@pytest.mark.parametrize("suffix", [None, "json", "fhir"])
def test_quick_negotiation_answers_as_drf_does(renderer_classes, accept, suffix):
    expected = negotiated(DefaultContentNegotiation, accept, renderer_classes, suffix)

    assert negotiated(QuickContentNegotiation, accept, renderer_classes, suffix) == expected


@given(
    accept=st.lists(st.sampled_from(MEDIA_TYPES), min_size=1, max_size=3).map(", ".join),
    renderer_classes=st.sampled_from(RENDERER_LISTS),
)
def test_quick_negotiation_answers_as_drf_does_for_lists_of_types(accept, renderer_classes):
    expected = negotiated(DefaultContentNegotiation, accept, renderer_classes, None)

    assert negotiated(QuickContentNegotiation, accept, renderer_classes, None) == expected


def test_the_api_negotiates_quickly():
    assert api_settings.DEFAULT_CONTENT_NEGOTIATION_CLASS is QuickContentNegotiation
