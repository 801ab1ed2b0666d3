"""GET /api/v1/presentations/ and /{id}/: queue order, filters, keyset pages, bounded query counts."""

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tests.factories import make_payload, make_presentation, symptom
from tests.openapi import assert_response_conforms
from triage.api.representations import presentation_body
from triage.audit import SYSTEM
from triage.models import Assessment, AuditEvent, Presentation
from triage.services import presentation_create, review_create

URL = "/api/v1/presentations/"

pytestmark = pytest.mark.django_db

EMERGENCY = {"symptoms": [symptom("slurred_speech", "sudden")]}  # 40
EMERGENCY_HIGHER = {"symptoms": [symptom("slurred_speech", "sudden"), symptom("seizure", "sudden")]}  # 80
URGENT = {"twitch_flag": "loss_of_facial_control"}  # 20
ROUTINE = {"twitch_flag": "spreading"}  # 5
SELF_CARE: dict = {}
MANY_FINDINGS = {
    "history": ["diabetes_treated"],
    "measurements": {"serum_calcium": {"value": 2.05, "unit": "mmol/L"}},
    "context": {"poor_sleep": True, "high_stress": True, "low_fluid_intake": True},
    "duration_days": 30,
    "spreading": True,
    "loss_of_facial_control": True,
}


def stored(client, name, kind, minutes_ago=0):
    kind = dict(kind)
    flag = kind.pop("twitch_flag", None)
    overrides = {flag: True} if flag else {}
    presentation = make_presentation(client=client, external_id=name, **kind, **overrides)
    presentation.received_at = timezone.now() - timedelta(minutes=minutes_ago)
    presentation.save(update_fields=["received_at"])
    return presentation


def external_ids(response) -> list[str]:
    return external_ids_of(response.json())


def external_ids_of(page: dict) -> list[str]:
    return [p["external_id"] for p in page["results"]]


def test_the_queue_is_most_urgent_first_then_oldest_whatever_the_score(clinician_api, intake_key):
    client = intake_key[0]
    stored(client, "self-care", SELF_CARE, minutes_ago=50)
    stored(client, "routine", ROUTINE, minutes_ago=40)
    stored(client, "urgent-new", URGENT, minutes_ago=1)
    stored(client, "urgent-old", URGENT, minutes_ago=30)
    stored(client, "emergency-40", EMERGENCY, minutes_ago=20)
    stored(client, "emergency-80", EMERGENCY_HIGHER, minutes_ago=10)

    response = clinician_api.get(URL)

    assert external_ids(response) == [
        "emergency-40",  # older than the case with more findings: first come, first served within a level
        "emergency-80",
        "urgent-old",
        "urgent-new",
        "routine",
        "self-care",
    ]
    assert_response_conforms(response, URL, "get")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("level=emergency", ["emergency"]),
        ("level=routine", ["routine"]),
        ("flagged=true", ["emergency", "urgent"]),
        ("flagged=false", ["routine", "self-care"]),
        ("review_status=in_review", ["urgent"]),
        ("review_status=pending", ["emergency", "routine", "self-care"]),
        ("flagged=true&review_status=pending", ["emergency"]),
    ],
)
def test_it_filters_the_queue(clinician_api, intake_key, clinician_key, query, expected):
    client = intake_key[0]
    stored(client, "emergency", EMERGENCY)
    urgent = stored(client, "urgent", URGENT)
    stored(client, "routine", ROUTINE)
    stored(client, "self-care", SELF_CARE)
    review_create(presentation=urgent, status="in_review", reviewed_by="dr-a", by=SYSTEM, reviewer=clinician_key[0])

    response = clinician_api.get(f"{URL}?{query}")

    assert response.status_code == 200
    assert external_ids(response) == expected


def test_it_filters_by_received_time(clinician_api, intake_key):
    stored(intake_key[0], "old", SELF_CARE, minutes_ago=120)
    stored(intake_key[0], "new", SELF_CARE, minutes_ago=5)
    boundary = (timezone.now() - timedelta(minutes=60)).isoformat().replace("+00:00", "Z")

    after = clinician_api.get(URL, {"received_after": boundary})
    before = clinician_api.get(URL, {"received_before": boundary})

    assert external_ids(after) == ["new"]
    assert external_ids(before) == ["old"]


def test_a_presentation_received_at_the_boundary_is_after_it_not_before_it(clinician_api, intake_key):
    # Half-open: consecutive windows (after=T1&before=T2, then after=T2&before=T3) list each presentation once.
    at_boundary = stored(intake_key[0], "at-boundary", SELF_CARE)
    boundary = at_boundary.received_at.isoformat()

    after = clinician_api.get(URL, {"received_after": boundary})
    before = clinician_api.get(URL, {"received_before": boundary})

    assert external_ids(after) == ["at-boundary"]
    assert external_ids(before) == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("level=critical", "level"),
        ("flagged=maybe", "flagged"),
        ("flagged=True", "flagged"),
        ("flagged=1", "flagged"),
        ("review_status=done", "review_status"),
        ("received_after=yesterday", "received_after"),
        ("received_after=0001-01-01T00:00:00%2B05:00", "received_after"),  # before year 1 in UTC
        ("received_before=9999-12-31T23:59:59-05:00", "received_before"),  # after year 9999 in UTC
        ("page_size=0", "page_size"),
        ("page_size=201", "page_size"),
        ("page_size=ten", "page_size"),
        ("page_size=%C2%B2", "page_size"),  # "²": a digit to str.isdigit(), not to int() (was a 500)
        ("page_size=%D9%A3", "page_size"),  # Arabic-Indic 3: int() reads it, the contract's digits are ASCII
        ("flaged=true", "flaged"),
        ("level=urgent&level=emergency", "level"),  # one would be applied, the other dropped
        ("flagged=true&flagged=true", "flagged"),
    ],
)
def test_it_rejects_bad_or_unknown_query_parameters(clinician_api, query, field):
    response = clinician_api.get(f"{URL}?{query}")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]]
    assert_response_conforms(response, URL, "get")


def _cursor(position: str) -> str:
    return base64.urlsafe_b64encode(position.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "0",
        "bm9wZQ",
        # A rank past the column's range would be compared as numeric, scanning the table past its index.
        _cursor(f"99999999999999999999|2026-01-01T00:00:00+00:00|{uuid.UUID(int=0)}"),
        _cursor(f"32768|2026-01-01T00:00:00+00:00|{uuid.UUID(int=0)}"),
        _cursor(f"-1|2026-01-01T00:00:00+00:00|{uuid.UUID(int=0)}"),
        _cursor(f"٣|2026-01-01T00:00:00+00:00|{uuid.UUID(int=0)}"),  # Arabic-Indic 3, which int() reads
    ],
)
def test_a_cursor_the_server_did_not_issue_points_at_no_page(clinician_api, cursor):
    response = clinician_api.get(URL, {"cursor": cursor})

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert_response_conforms(response, URL, "get")


def test_a_cursor_with_an_offset_postgresql_cannot_hold_is_read_in_utc(clinician_api):
    # Python accepts offsets up to ±23:59, PostgreSQL only ±15:59: this was a 500.
    position = f"0|2026-01-01T00:00:00+20:00|{uuid.UUID(int=0)}"
    cursor = base64.urlsafe_b64encode(position.encode()).decode()

    response = clinician_api.get(URL, {"cursor": cursor})

    assert response.status_code == 200


def test_pages_follow_each_other_without_gaps_or_repeats(clinician_api, intake_key):
    for index in range(7):
        stored(intake_key[0], f"p{index}", [SELF_CARE, ROUTINE, URGENT, EMERGENCY][index % 4], minutes_ago=index)
    everything = external_ids(clinician_api.get(URL, {"page_size": 100}))

    seen, url = [], f"{URL}?page_size=3"
    while url:
        page = clinician_api.get(url).json()
        seen += [p["external_id"] for p in page["results"]]
        url = page["next"]

    assert seen == everything
    assert len(seen) == 7


def test_presentations_tied_on_rank_and_time_are_paged_in_id_order_once_each(clinician_api, intake_key):
    moment = timezone.now() - timedelta(minutes=5)
    tied = [stored(intake_key[0], f"tied-{index}", ROUTINE) for index in range(5)]
    Presentation.objects.filter(pk__in=[p.pk for p in tied]).update(received_at=moment)

    seen, url = [], f"{URL}?page_size=2"
    while url:
        page = clinician_api.get(url).json()
        seen += [p["id"] for p in page["results"]]
        url = page["next"]

    assert seen == sorted(str(p.pk) for p in tied)


def test_an_intake_clients_filtered_pages_hold_its_own_matches_only(intake_api, intake_key, other_intake_key):
    for index in range(5):
        stored(intake_key[0], f"mine-urgent-{index}", URGENT, minutes_ago=index)
        stored(other_intake_key[0], f"theirs-urgent-{index}", URGENT, minutes_ago=index)
        stored(intake_key[0], f"mine-routine-{index}", ROUTINE, minutes_ago=index)

    seen, url = [], f"{URL}?page_size=2&level=urgent"
    while url:
        page = intake_api.get(url).json()
        seen += external_ids_of(page)
        url = page["next"]

    assert seen == [f"mine-urgent-{index}" for index in reversed(range(5))]


def test_a_page_does_not_shift_when_new_presentations_arrive(clinician_api, intake_key):
    for index in range(4):
        stored(intake_key[0], f"routine-{index}", ROUTINE, minutes_ago=10 + index)
    first = clinician_api.get(URL, {"page_size": 2}).json()

    stored(intake_key[0], "late-emergency", EMERGENCY)
    second = clinician_api.get(first["next"]).json()

    assert [p["external_id"] for p in first["results"]] == ["routine-3", "routine-2"]
    assert [p["external_id"] for p in second["results"]] == ["routine-1", "routine-0"]


def test_one_presentation_comes_with_its_assessment(clinician_api, intake_key):
    presentation = stored(intake_key[0], "one", EMERGENCY)

    response = clinician_api.get(f"{URL}{presentation.id}/")

    assert response.status_code == 200
    assert response.json()["assessment"]["level"] == "emergency"
    assert response.json()["symptoms"] == [{"code": "slurred_speech", "onset": "sudden", "resolved": False}]
    assert_response_conforms(response, f"{URL}{{id}}/", "get")


def test_a_malformed_id_is_a_404(clinician_api):
    response = clinician_api.get(f"{URL}not-a-uuid/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


# Query budgets per request, a little above what each costs now (a page or one presentation 6 queries when the
# key's last-used time is written, else 5; a POST 9, counting the SAVEPOINT/RELEASE of the test's own transaction;
# two of each are the rate limits' shared counts, ADR 0016). Page sizes and findings are varied under one budget:
# a query per row or per finding breaks it.
READ_BUDGET = 8
POST_BUDGET = 11


@pytest.mark.parametrize("page_size", [1, 50])
def test_a_list_page_keeps_to_the_read_budget_whatever_its_size(
    clinician_api, intake_key, django_assert_max_num_queries, page_size
):
    for index in range(60):
        presentation_create(payload=_payload(index), client=intake_key[0], by=SYSTEM)

    with django_assert_max_num_queries(READ_BUDGET):
        response = clinician_api.get(URL, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size


def test_one_presentation_keeps_to_the_read_budget(clinician_api, intake_key, django_assert_max_num_queries):
    presentation = stored(intake_key[0], "one", EMERGENCY_HIGHER)

    with django_assert_max_num_queries(READ_BUDGET):
        response = clinician_api.get(f"{URL}{presentation.id}/")

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("kind", "least_findings"), [(SELF_CARE, 1), (EMERGENCY_HIGHER | MANY_FINDINGS, 10)], ids=["one", "ten or more"]
)
def test_a_post_keeps_to_its_query_budget_whatever_it_finds(
    intake_api, django_assert_max_num_queries, kind, least_findings
):
    payload = make_payload(**kind)

    with django_assert_max_num_queries(POST_BUDGET):
        response = intake_api.post(URL, json.dumps(payload), content_type="application/json")

    assert response.status_code == 201
    assert len(response.json()["assessment"]["findings"]) >= least_findings


def _payload(index: int) -> dict:
    return make_payload(external_id=f"bulk-{index}", symptoms=[symptom("headache", "gradual")])


def test_a_queue_item_and_a_single_presentation_are_the_body_a_post_answers(clinician_api, intake_key):
    # Reads show rows loaded back from the database; a POST's answer is written from the model instances it stored.
    posted = [
        stored(intake_key[0], "emergency", EMERGENCY_HIGHER),
        stored(
            intake_key[0],
            "with-everything",
            {"symptoms": [symptom("headache", "gradual")], "history": ["diabetes_treated"]},
        ),
    ]

    items = clinician_api.get(URL).json()["results"]

    assert len(items) == len(posted)
    for item in items:
        stored_instance = Presentation.objects.select_related("current_assessment").get(pk=item["id"])
        assert item == clinician_api.get(f"{URL}{item['id']}/").json() == presentation_body(stored_instance)
        assert item["assessment"]["findings"], "a fragment must carry the findings, not drop them"


@pytest.mark.parametrize(
    ("moment", "written"),
    [
        (datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "2026-01-02T03:04:05Z"),  # Python leaves out zero microseconds
        (datetime(2026, 1, 2, 3, 4, 5, 120000, tzinfo=UTC), "2026-01-02T03:04:05.120000Z"),
        (datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC), "2026-01-02T03:04:05.123456Z"),
    ],
)
def test_reads_write_times_as_a_posts_answer_does(clinician_api, intake_key, moment, written):
    # Reads show times loaded back from PostgreSQL; a POST's answer, the ones it stored.
    presentation = presentation_create(
        payload=make_payload(external_id="timed"), client=intake_key[0], received_at=moment, by=SYSTEM
    )

    (item,) = clinician_api.get(URL).json()["results"]
    alone = clinician_api.get(f"{URL}{presentation.id}/").json()

    assert item["received_at"] == item["assessment"]["assessed_at"] == written
    assert item == alone == presentation_body(presentation)


@pytest.mark.parametrize("path", ["", "{id}/"])
def test_a_stored_row_the_representation_refuses_is_a_server_error_not_a_bad_request(clinician_api, path):
    # The client sent nothing wrong: a row written past the contract (a retired code, say) is the server's fault,
    # and what was not shown is not recorded as read.
    presentation = make_presentation()
    Assessment.objects.filter(pk=presentation.current_assessment_id).update(recommendations=["retired_code"])
    clinician_api.raise_request_exception = False
    reads_before = AuditEvent.objects.filter(action="read").count()

    response = clinician_api.get(URL + path.format(id=presentation.id))

    assert response.status_code == 500
    assert AuditEvent.objects.filter(action="read").count() == reads_before
