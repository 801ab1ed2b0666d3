"""Rendered responses are freed by reference counting, not left to the cyclic garbage collector."""

import gc
import weakref

import pytest
from rest_framework.test import APIRequestFactory

from tests.factories import make_presentation
from triage.api.views import PresentationViewSet, RuleCatalogueView

pytestmark = pytest.mark.django_db


@pytest.fixture
def collector_off():
    gc.collect()
    gc.disable()
    yield
    gc.enable()


def released_by_reference_counting(view, raw_key: str, path: str) -> bool:
    request = APIRequestFactory().get(path, HTTP_AUTHORIZATION=f"Api-Key {raw_key}", secure=True)
    response = view(request)
    response.render()
    assert response.status_code == 200
    assert response.content.startswith(b"{")
    released = weakref.ref(response)
    del response
    return released() is None


def test_a_queue_page_and_its_data_are_freed_once_rendered(clinician_key, intake_key, collector_off):
    make_presentation(client=intake_key[0])
    list_view = PresentationViewSet.as_view({"get": "list"})

    assert released_by_reference_counting(list_view, clinician_key[1], "/api/v1/presentations/?flagged=false")


def test_the_rule_catalogue_is_freed_once_rendered(clinician_key, collector_off):
    assert released_by_reference_counting(RuleCatalogueView.as_view(), clinician_key[1], "/api/v1/rules/")
