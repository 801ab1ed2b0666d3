"""Every route, walked from the URLconf: no answer may be kept by a browser or a proxy (`Cache-Control: no-store`),
and pages carry a strict Content-Security-Policy."""

import re

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import URLResolver, get_resolver

from tests.factories import make_payload, make_presentation
from triage.models import AuditEvent

pytestmark = pytest.mark.django_db


def routes(patterns: list | None = None, prefix: str = "") -> list[str]:
    """Every route of the URLconf, as written (`api/v1/presentations/<uuid:pk>/`)."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            found += routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            found.append(prefix + str(pattern.pattern))
    return found


@pytest.fixture
def paths(intake_key) -> list[str]:
    """A concrete path for each route, its placeholders filled with rows that exist."""
    presentation = make_presentation(client=intake_key[0])
    event = AuditEvent.objects.order_by("sequence").first()
    boss = User.objects.create_superuser("boss", password="a-long-test-password")
    group = Group.objects.create(name="a-group")
    ids = {"presentation": presentation.pk, "auditevent": event.pk, "user": boss.pk, "group": group.pk}

    def filled(route: str) -> str:
        model = next((name for name in ids if f"/{name}/" in route), "")
        route = re.sub(r"<uuid:pk>", str(presentation.pk), route)
        route = re.sub(r"<int:pk>", str(event.pk), route)
        route = re.sub(r"<(path:object_id|id)>", str(ids.get(model, 1)), route)
        route = route.replace("<path:content_type_id>", "1").replace("<fhir_id:pk>", "twitch-intake")
        route = re.sub(r"\^\(\?P<app_label>[a-z_|]+\)/\$", "triage/", route).replace("(?P<url>.*)$", "nowhere/")
        assert "<" not in route and "(" not in route, route
        return "/" + route

    return [filled(route) for route in routes()]


@pytest.fixture
def callers(api_as, intake_key, clinician_key, auditor_key) -> list[Client]:
    superuser = Client()
    superuser.force_login(User.objects.get(username="boss"))
    return [api_as(None), api_as(intake_key[1]), api_as(clinician_key[1]), api_as(auditor_key[1]), superuser]


def test_no_answer_on_any_route_may_be_stored_by_a_browser_or_proxy(paths, callers):
    answers = {
        (path, index, method): getattr(caller, method)(path)
        for path in paths
        for index, caller in enumerate(callers)
        for method in ("get", "post")
    }
    _anonymous, intake, clinician, auditor, _superuser = callers
    event_path = next(path for path in paths if re.fullmatch(r"/api/v1/audit-events/\d+/", path))
    presentation_path = next(path for path in paths if re.fullmatch(r"/api/v1/presentations/[0-9a-f-]+/", path))
    answers |= {  # the writes, with bodies, and the audit event as FHIR
        "create": intake.post("/api/v1/presentations/", make_payload(external_id="new"), format="json"),
        "review": clinician.post(
            f"{presentation_path}review/", {"status": "in_review", "reviewed_by": "s-1"}, format="json"
        ),
        "fhir": auditor.get(f"{event_path}?format=fhir"),
        "unknown": clinician.get("/api/v1/presentations/00000000-0000-0000-0000-000000000000/"),
    }

    stored = {
        key: answer.get("Cache-Control")
        for key, answer in answers.items()
        if "no-store" not in answer.get("Cache-Control", "")
    }
    assert stored == {}
    assert len(paths) >= 60  # every route of the URLconf, the admin's included
    assert {answer.status_code for answer in answers.values()} >= {200, 201, 302, 401, 403, 404, 405}


def test_patient_data_answers_say_no_store(clinician_api):
    presentation = make_presentation()

    response = clinician_api.get(f"/api/v1/presentations/{presentation.id}/")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_admin_pages_carry_a_strict_content_security_policy(clinician_staff):
    presentation = make_presentation()
    browser = Client()
    browser.force_login(clinician_staff)

    for path in (
        "/admin/login/",
        "/admin/triage/presentation/",
        f"/admin/triage/presentation/{presentation.pk}/change/",
    ):
        policy = dict(
            directive.strip().split(" ", 1) for directive in browser.get(path)["Content-Security-Policy"].split(";")
        )
        assert policy["default-src"] == "'none'"
        assert policy["script-src"] == policy["style-src"] == "'self'"  # no inline script or style
        assert policy["frame-ancestors"] == "'none'" and policy["form-action"] == "'self'"


def test_the_api_docs_keep_their_own_policy(db):
    response = Client().get("/api/docs/")

    assert response["Content-Security-Policy"] == "img-src 'self' data:"
