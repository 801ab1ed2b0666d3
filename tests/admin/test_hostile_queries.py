"""No query string makes the admin answer 500; a server error that does happen is recorded in the audit trail."""

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.factories import make_presentation
from triage import selectors
from triage.api.representations import rule_catalogue_body
from triage.models import AuditEvent

pytestmark = pytest.mark.django_db

QUEUE = "/admin/triage/presentation/"
AUDIT_LOG = "/admin/triage/auditevent/"
# As sent, percent-encoded: a NUL, a NUL inside text, invalid UTF-8 (a surrogate), and values no field can hold.
HOSTILE_VALUES = ["%00", "a%00b", "%ED%A0%80", "x" * 3000, "-1", "9" * 40, "2026-13-45", "%25", "'", "1e999", ""]
# The changelists' own parameters, beside their filters: search, ordering, page, show all, the error flag.
CHANGELIST_PARAMETERS = {"q", "o", "p", "all", "e", "_changelist_filters"}


def logged_in(user) -> Client:
    client = Client(raise_request_exception=False)  # a 500 is answered as in production, not raised here
    client.force_login(user)
    return client


def filter_parameters(client: Client, changelist: str) -> set[str]:
    """Every query parameter the changelist's own filter links use."""
    html = client.get(changelist).content.decode()
    links = [part.split('"', 1)[0] for part in html.split('href="?')[1:]]
    return {name for link in links for name, _ in parse_qsl(urlsplit("?" + link.replace("&amp;", "&")).query)}


@pytest.fixture
def superuser(db) -> User:
    return User.objects.create_superuser("boss", password="a-long-test-password")


@pytest.mark.parametrize(
    ("role", "changelist", "nul_parameter"),
    [
        ("clinician_staff", QUEUE, "review_status__exact"),
        ("auditor_staff", AUDIT_LOG, "action__exact"),
        ("superuser", "/admin/auth/user/", "is_staff__exact"),
        ("superuser", "/admin/axes/accessattempt/", "q"),
    ],
)
def test_no_filter_value_makes_a_changelist_answer_500(request, role, changelist, nul_parameter):
    make_presentation()
    client = logged_in(request.getfixturevalue(role))
    parameters = filter_parameters(client, changelist)
    assert len(parameters) >= 3  # the filters were found

    answers = {
        (name, value): client.get(f"{changelist}?{name}={value}").status_code
        for name in sorted(parameters | CHANGELIST_PARAMETERS)
        for value in HOSTILE_VALUES
    }

    assert set(answers.values()) <= {200, 302, 400}, {k: v for k, v in answers.items() if v >= 500}
    assert answers[(nul_parameter, "%00")] == 400


def test_a_nul_in_a_search_is_a_400_page_for_people(clinician_staff):
    response = logged_in(clinician_staff).get(QUEUE, {"q": "pt\x00"})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_a_server_error_is_answered_500_and_recorded(clinician_staff, monkeypatch):
    def broken() -> dict[str, int]:
        raise RuntimeError("a bug")

    monkeypatch.setattr(selectors, "pending_flagged_counts", broken)

    response = logged_in(clinician_staff).get(QUEUE)

    assert response.status_code == 500
    event = AuditEvent.objects.get(outcome="failure")
    assert (event.status, event.event_type) == (500, "admin.triage_presentation_changelist")
    assert event.agent_name == clinician_staff.username


def test_a_server_error_in_the_api_is_recorded_too(clinician_key, monkeypatch):
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(selectors, "rule_catalogue", broken)
    rule_catalogue_body.cache_clear()  # shaped once per process: an earlier test may have shaped it already
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Api-Key {clinician_key[1]}")

    response = client.get("/api/v1/rules/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    event = AuditEvent.objects.get(outcome="failure")
    assert (event.status, event.event_type) == (500, "api.rules")
    rule_catalogue_body.cache_clear()
