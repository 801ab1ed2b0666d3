"""Closed by default, walked from the URLconf: every routed method of the API has a row in the role matrix, every
read of patient data is audited, and an action nobody was given roles for is refused to all and fails the checks."""

import io
import json
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db.models import Model
from django.urls import include, path, reverse
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from tests.api.test_roles import CALLERS, MATRIX
from tests.factories import make_payload, make_presentation
from triage.api.views import PresentationViewSet
from triage.checks import Route, routes, unmapped_actions
from triage.models import AuditAction, AuditEvent, Presentation

API_PREFIX = "api/v1/"
API_PREFIXES = (API_PREFIX, "fhir/")  # the JSON API and its FHIR facade
# The rule catalogue and the FHIR form's definitions are the same for everyone; every other GET shows patient data
# and must record who read what.
NOT_PATIENT_DATA = {
    ("api:rules", "GET"),
    ("fhir:metadata", "GET"),
    ("fhir:questionnaire", "GET"),
    ("fhir:code-system", "GET"),
}
KEYED_ROLES = ("intake", "clinician", "auditor")


def routed_methods(view: Callable[..., Any]) -> set[str]:
    """The methods a route answers with a handler of its own: a viewset's routed actions, an APIView's methods.

    HEAD answers as GET does and OPTIONS is DRF's metadata action, so neither has a row in the matrix.
    """
    if hasattr(view, "actions"):
        methods = view.actions
    else:
        methods = [method for method in view.cls.http_method_names if hasattr(view.cls, method)]
    return {method.upper() for method in methods} - {"HEAD", "OPTIONS"}


def api_routes() -> list[Route]:
    return [route for route in routes() if route.path.startswith(API_PREFIXES)]


def api_methods() -> set[tuple[str, str]]:
    """Every (route name, method) the API answers, walked from the URLconf."""
    return {(route.name, method) for route in api_routes() for method in routed_methods(route.view)}


def test_every_api_route_is_a_drf_view():
    # A plain Django view would escape DRF's default permission (closed to all) and this walk alike.
    assert [route.path for route in api_routes() if not hasattr(route.view, "cls")] == []


def test_every_routed_method_of_the_api_has_a_row_in_the_role_matrix():
    # Equal, not a subset: a row for a route that is gone would test nothing.
    assert api_methods() == set(MATRIX)


# --- Every read of patient data is audited --------------------------------------------------------------------------

PATIENT_DATA_READS = [
    (route, method)
    for route in api_routes()
    for method in sorted(routed_methods(route.view))
    if method == "GET" and (route.name, method) not in NOT_PATIENT_DATA
]


def first_role_answered_200(route_name: str, method: str) -> str:
    statuses = dict(zip(CALLERS, MATRIX[route_name, method], strict=True))
    return next(role for role in KEYED_ROLES if statuses[role] == 200)


def lookup(route: Route, row: Model) -> str:
    """The value that names `row` in the route's path and in its audit events (a presentation's id, an event's
    sequence): the viewset's `lookup_field`."""
    return str(getattr(row, getattr(route.view.cls, "lookup_field", "pk")))


def named_in(event: AuditEvent) -> set[str]:
    """What an event names: its entity, or the presentation ids or event sequences of the page it records."""
    return {event.entity_id, *map(str, event.detail.get("ids", ())), *map(str, event.detail.get("sequences", ()))}


def reads_naming(value: str, since: int) -> list[AuditEvent]:
    """Successful read events appended after `since` that name `value`."""
    events = AuditEvent.objects.filter(sequence__gt=since, action=AuditAction.READ, outcome="success")
    return [event for event in events if value in named_in(event)]


def head() -> int:
    return AuditEvent.objects.values_list("sequence", flat=True).first() or 0  # newest first (Meta.ordering)


@pytest.fixture
def keys(intake_key, clinician_key, auditor_key) -> dict[str, tuple[Any, str]]:
    return {"intake": intake_key, "clinician": clinician_key, "auditor": auditor_key}


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "method"), PATIENT_DATA_READS, ids=[r.name for r, _ in PATIENT_DATA_READS])
def test_every_read_of_patient_data_appends_a_read_event_naming_what_was_read(api_as, keys, route, method):
    presentation = make_presentation(client=keys["intake"][0])
    stored = {
        Presentation: presentation,
        AuditEvent: AuditEvent.objects.get(entity_id=presentation.id, event_type="presentation.create"),
    }
    row = stored[route.view.cls.queryset.model]
    role = first_role_answered_200(route.name, method)
    url = reverse(route.name, args=[lookup(route, row)] if "<" in route.path else None)
    since = head()

    response = api_as(keys[role][1]).get(url)

    assert response.status_code == 200, response.content
    assert [event.agent_name for event in reads_naming(lookup(route, row), since)] == [keys[role][0].name]


@pytest.mark.django_db
def test_a_retry_answered_with_the_stored_presentation_appends_a_read_event(intake_api, intake_key):
    presentation = make_presentation(client=intake_key[0])
    since = head()

    response = intake_api.post(
        reverse("api:presentation-list"), json.dumps(make_payload()), content_type="application/json"
    )

    assert response.status_code == 200, response.content
    assert [event.event_type for event in reads_naming(str(presentation.id), since)] == ["presentation.retry"]


# --- An action nobody was given roles for ---------------------------------------------------------------------------


class PresentationViewSetWithAnExport(PresentationViewSet):
    """A newcomer's @action, routed but left out of permission_by_action."""

    @action(detail=False, methods=["get"])
    def export(self, request: Request) -> Response:
        return Response({"presentations": "every one"})


def urlconf_with_an_unmapped_action() -> ModuleType:
    router = SimpleRouter(use_regex_path=False)
    router.register("presentations", PresentationViewSetWithAnExport, basename="presentation")
    urlconf = ModuleType("urls_with_an_unmapped_action")
    urlconf.urlpatterns = [path(API_PREFIX, include((router.urls, "api")))]
    return urlconf


@pytest.fixture
def unmapped_action(settings) -> str:
    settings.ROOT_URLCONF = urlconf_with_an_unmapped_action()  # the setting_changed signal clears the URL caches
    return reverse("api:presentation-export")


@pytest.mark.django_db
@pytest.mark.parametrize("role", KEYED_ROLES)
def test_an_action_missing_from_the_map_is_refused_to_every_role(api_as, keys, unmapped_action, role):
    response = api_as(keys[role][1]).get(unmapped_action)

    assert response.status_code == 403
    assert response.json()["detail"] == "No role may do this."


def test_the_walk_finds_the_new_action_the_matrix_lacks(unmapped_action):
    assert api_methods() - set(MATRIX) == {("api:presentation-export", "GET")}


def test_the_system_check_names_an_action_missing_from_the_map(unmapped_action):
    errors = unmapped_actions()

    assert [(error.id, error.obj) for error in errors] == [
        ("triage.E001", f"{__name__}.PresentationViewSetWithAnExport")
    ]
    assert "'export'" in errors[0].msg
    with pytest.raises(SystemCheckError, match=r"triage\.E001"):
        call_command("check", stdout=io.StringIO(), stderr=io.StringIO())


def test_the_system_check_passes_the_api_as_routed():
    assert unmapped_actions() == []
    call_command("check", stdout=io.StringIO(), stderr=io.StringIO())
