"""The clinicians' review queue and case page in Django admin (server side; the browser suite drives it too)."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import make_payload, make_presentation, symptom
from triage.audit import SYSTEM
from triage.models import AuditEvent, Presentation, Review, RuleSetRelease
from triage.services import presentation_create, presentation_read_record, review_create

pytestmark = pytest.mark.django_db

QUEUE = "/admin/triage/presentation/"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def queue_ids(response) -> list[str]:
    return [str(p.pk) for p in response.context["cl"].result_list]


def test_the_queue_lists_the_most_urgent_first_with_pending_counts(clinician_staff):
    routine = make_presentation(external_id="routine", spreading=True)
    emergency = make_presentation(external_id="emergency", symptoms=[symptom("slurred_speech", "sudden")])
    urgent = make_presentation(external_id="urgent", loss_of_facial_control=True)

    response = logged_in(clinician_staff).get(QUEUE)

    assert response.status_code == 200
    assert queue_ids(response) == [str(emergency.pk), str(urgent.pk), str(routine.pk)]
    assert response.context["pending"] == {"emergency": 1, "urgent": 1}
    html = response.content.decode()
    assert 'class="level-badge level-emergency"' in html
    assert "Possible stroke or TIA" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("flagged__exact=1", {"emergency", "urgent"}),
        ("level__exact=1", {"routine"}),
        ("q=urgent", {"urgent"}),
        ("q=EMERG", {"emergency"}),  # the beginning of an external id, any case
        ("q=ergency", set()),  # not the middle of one
    ],
)
def test_the_queue_filters_and_searches(clinician_staff, query, expected):
    make_presentation(external_id="routine", spreading=True)
    make_presentation(external_id="emergency", symptoms=[symptom("slurred_speech", "sudden")])
    make_presentation(external_id="urgent", loss_of_facial_control=True)

    response = logged_in(clinician_staff).get(f"{QUEUE}?{query}")

    assert {p.external_id for p in response.context["cl"].result_list} == expected


# The 13 queries a queue page costs, whatever its size: session, user, pending counts, the active release, alerts
# waiting, alert jobs not yet fanned out, the worker's heartbeat, permissions (twice), the capped count, the page
# with its assessments and latest reviewers, the user's roles for the audit record, the audit append.
QUEUE_BUDGET = 13


@pytest.mark.parametrize("rows", [1, 50])
def test_a_queue_page_keeps_to_its_query_budget_whatever_its_size(clinician_staff, django_assert_max_num_queries, rows):
    for index in range(rows):
        presentation = make_presentation(external_id=f"p{index}", symptoms=[symptom("headache", "gradual")])
        review_create(
            presentation=presentation,
            status="reviewed",
            disposition="self_care_advice_given",
            by=SYSTEM,
            reviewer=clinician_staff,
        )
    client = logged_in(clinician_staff)

    with django_assert_max_num_queries(QUEUE_BUDGET):
        response = client.get(f"{QUEUE}?all=")

    shown = response.context["cl"].result_list
    assert len(shown) == rows
    assert {row.last_reviewer for row in shown} == {clinician_staff.username}


def test_the_case_page_shows_the_submission_the_assessment_and_its_evidence(clinician_staff):
    presentation = make_presentation(
        symptoms=[symptom("double_vision", "gradual")],
        measurements={"serum_calcium": {"value": 2.05, "unit": "mmol/L"}},
        notes="Worse in the evenings.",
    )

    html = logged_in(clinician_staff).get(f"{QUEUE}{presentation.pk}/change/").content.decode()

    for expected in [
        "Double vision: Gradual",
        "Serum calcium: 2.05 mmol/L (total)",
        "Worse in the evenings.",
        "Possible brainstem signs",
        "Low calcium",
        "measurements.serum_calcium",
        "Low levels of calcium can cause muscle weakness",  # S06's text
        "Same-day medical assessment",
        "Record review",
        "presentation.read",
    ]:
        assert expected in html, expected


def test_a_review_from_the_case_page_is_recorded_and_shown_in_the_queue(clinician_staff):
    presentation = make_presentation()
    client = logged_in(clinician_staff)

    response = client.post(
        f"{QUEUE}{presentation.pk}/review/",
        {"status": "reviewed", "disposition": "self_care_advice_given", "note": "Call back"},
    )

    assert response.status_code == 302
    review = Review.objects.get(presentation=presentation)
    assert (review.status, review.reviewer_user, review.note) == ("reviewed", clinician_staff, "Call back")
    queue = client.get(QUEUE)
    row = queue.context["cl"].result_list[0]
    assert (row.review_status, row.last_reviewer) == ("reviewed", "dr-queue")


def test_an_invalid_review_records_nothing(clinician_staff):
    presentation = make_presentation()

    browser = logged_in(clinician_staff)
    browser.post(f"{QUEUE}{presentation.pk}/review/", {"status": "done"})
    # 2027.01: closing a case needs a coded disposition, and "no action needed" a reason.
    closed = browser.post(f"{QUEUE}{presentation.pk}/review/", {"status": "reviewed"}, follow=True)
    no_reason = browser.post(
        f"{QUEUE}{presentation.pk}/review/", {"status": "reviewed", "disposition": "no_action_needed"}, follow=True
    )
    free_text = browser.post(
        f"{QUEUE}{presentation.pk}/review/", {"status": "reviewed", "disposition": "Reassured"}, follow=True
    )

    assert "Required when the status is reviewed" in closed.content.decode()
    assert "Required with the disposition no_action_needed" in no_reason.content.decode()
    assert "Select a valid choice" in free_text.content.decode()
    assert not Review.objects.exists()


def test_a_review_note_with_a_bidirectional_override_or_zero_width_character_records_nothing(clinician_staff):
    presentation = make_presentation()
    browser = logged_in(clinician_staff)

    for text in ("call \u202eback", "call\u200bback"):
        answer = browser.post(
            f"{QUEUE}{presentation.pk}/review/",
            {"status": "reviewed", "disposition": "self_care_advice_given", "note": text},
            follow=True,
        )
        assert "invisible formatting characters" in answer.content.decode()

    assert not Review.objects.exists()


@pytest.mark.parametrize("page", ["add/", "{id}/delete/"], ids=["add", "delete"])
def test_a_clinician_cannot_add_or_delete_presentations(clinician_staff, page):
    presentation = make_presentation()

    response = logged_in(clinician_staff).get(QUEUE + page.format(id=presentation.pk))

    assert response.status_code == 403
    assert Presentation.objects.count() == 1


@pytest.mark.parametrize("model", ["presentation", "auditevent"])
def test_there_is_no_history_page_to_name_a_patient_unaudited(clinician_staff, auditor_staff, model):
    # Nothing is changed through these pages; the history page titled the object with its patient reference.
    presentation = make_presentation()
    event = AuditEvent.objects.order_by("sequence").first()
    user, object_id = (clinician_staff, presentation.pk) if model == "presentation" else (auditor_staff, event.pk)

    response = logged_in(user).get(f"/admin/triage/{model}/{object_id}/history/")

    assert response.status_code == 404
    assert presentation.patient_reference not in response.content.decode()


def test_a_review_posted_for_an_id_that_is_not_one_is_a_404(clinician_staff):
    response = logged_in(clinician_staff).post(f"{QUEUE}not-a-uuid/review/", {"status": "reviewed"})

    assert response.status_code == 404
    assert not Review.objects.exists()


def test_a_clinician_cannot_change_a_presentation_by_posting_the_form(clinician_staff):
    presentation = make_presentation()

    response = logged_in(clinician_staff).post(f"{QUEUE}{presentation.pk}/change/", {"age_years": 99})

    assert response.status_code == 403
    presentation.refresh_from_db()
    assert presentation.age_years == 45


def test_an_auditor_sees_the_audit_log_but_not_the_queue(auditor_staff):
    client = logged_in(auditor_staff)

    assert client.get("/admin/triage/auditevent/").status_code == 200
    assert client.get(QUEUE).status_code == 403


def test_an_auditor_cannot_record_a_review(auditor_staff):
    presentation = make_presentation()

    response = logged_in(auditor_staff).post(f"{QUEUE}{presentation.pk}/review/", {"status": "reviewed"})

    assert response.status_code == 403
    assert not Review.objects.exists()


def test_nobody_can_change_the_audit_log_in_the_admin(auditor_staff):
    make_presentation()
    client = logged_in(auditor_staff)

    assert client.get("/admin/triage/auditevent/add/").status_code == 403
    assert client.get("/admin/triage/auditevent/1/delete/").status_code == 403


@pytest.mark.parametrize(("path", "status"), [("/admin/auth/user/", 403), ("/admin/no-such-page/", 404)])
def test_the_admin_answers_its_errors_with_pages_not_json(clinician_staff, path, status):
    response = logged_in(clinician_staff).get(path)

    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")


def test_a_refused_admin_page_is_recorded(clinician_staff):
    presentation = make_presentation()

    assert logged_in(clinician_staff).get("/admin/auth/user/").status_code == 403
    assert logged_in(clinician_staff).get(f"{QUEUE}{presentation.pk}/delete/").status_code == 403

    refusals = AuditEvent.objects.filter(outcome="failure").order_by("sequence")
    assert [(e.event_type, e.status, e.agent_name, e.entity_id) for e in refusals] == [
        ("admin.auth_user_changelist", 403, clinician_staff.username, ""),
        ("admin.triage_presentation_delete", 403, clinician_staff.username, str(presentation.pk)),
    ]


def test_the_queue_tells_cases_apart_by_their_patient_reference(clinician_staff):
    for reference in ("pt-alpha", "pt-bravo"):
        payload = make_payload(external_id=reference)
        payload["patient"]["reference"] = reference
        presentation_create(payload=payload, client=None, by=SYSTEM)

    html = logged_in(clinician_staff).get(QUEUE).content.decode()

    assert "pt-alpha" in html and "pt-bravo" in html


def test_a_refused_admin_page_with_an_id_longer_than_any_is_recorded_not_a_500(clinician_staff):
    response = logged_in(clinician_staff).get(f"{QUEUE}{'a' * 100}/delete/")

    assert response.status_code == 403
    refusal = AuditEvent.objects.get(outcome="failure")
    assert refusal.entity_id == "a" * 64  # the column's width


def test_an_audit_events_page_offers_no_history_link(auditor_staff):
    make_presentation()
    event = AuditEvent.objects.order_by("sequence").first()

    html = logged_in(auditor_staff).get(f"/admin/triage/auditevent/{event.pk}/change/").content.decode()

    assert event.event_type in html
    assert "/history/" not in html


def audit_history_shown(response) -> list[tuple[int, str]]:
    """The case page's audit history as drawn: (sequence, event type) a row."""
    table = response.content.decode().split('<table class="audit-history">', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>\s*<td>(\d+)</td>(?:\s*<td>.*?</td>){2}\s*<td>([a-z_.]+)</td>", table)
    return [(int(sequence), event_type) for sequence, event_type in rows]


def test_the_case_page_shows_its_audit_history_a_page_at_a_time_newest_first(clinician_staff):
    presentation = make_presentation()
    for _ in range(60):  # with its creation and the page's own read, 62 events
        presentation_read_record(presentation=presentation, by=SYSTEM)
    browser = logged_in(clinician_staff)

    first = browser.get(f"{QUEUE}{presentation.pk}/change/")
    newest = list(AuditEvent.objects.filter(entity_id=str(presentation.pk)).order_by("-sequence"))
    nonsense = browser.get(f"{QUEUE}{presentation.pk}/change/", {"audit_page": "x\x01"})

    assert [sequence for sequence, _ in audit_history_shown(first)] == [event.sequence for event in newest[:25]]
    assert "Events 1 to 25 of 62, newest first" in first.content.decode()
    assert 'rel="next"' in first.content.decode() and 'rel="prev"' not in first.content.decode()
    assert nonsense.status_code == 200 and len(audit_history_shown(nonsense)) == 25


def test_the_case_pages_last_audit_page_ends_with_the_presentations_creation(clinician_staff):
    presentation = make_presentation()
    for _ in range(30):
        presentation_read_record(presentation=presentation, by=SYSTEM)

    last = logged_in(clinician_staff).get(f"{QUEUE}{presentation.pk}/change/", {"audit_page": 2})

    shown = audit_history_shown(last)
    assert len(shown) == 32 - 25 and shown[-1][1] == "presentation.create"


def test_the_queue_names_the_active_rule_set_and_who_approved_it(clinician_staff):
    from tests.rulesets.test_release import impact_report
    from triage.rules import NEWEST
    from triage.rulesets import ruleset_activate

    browser = logged_in(clinician_staff)
    before = browser.get(QUEUE).content.decode()
    RuleSetRelease.objects.create(version="2026.11", approved_by="test", activated_at="2026-11-01T00:00:00Z")
    ruleset_activate(version=NEWEST, approved_by="Dr Safety", report=impact_report(NEWEST))
    after = browser.get(QUEUE).content.decode()

    assert f"Rule set <strong>{NEWEST}</strong> is active" in before
    assert f"Rule set <strong>{NEWEST}</strong> is active: approved by <bdi>Dr Safety</bdi>" in after
    assert "(was 2026.11)" in after


def test_last_known_well_is_shown_beside_the_level_in_the_queue_and_on_the_case_page(clinician_staff):
    when = (timezone.now() - timedelta(hours=2)).isoformat(timespec="seconds")
    presentation = presentation_create(payload={**make_payload(), "last_known_well": when}, client=None, by=SYSTEM)
    browser = logged_in(clinician_staff)

    queue = browser.get(QUEUE).content.decode()
    case = browser.get(f"{QUEUE}{presentation.pk}/change/").content.decode()

    assert f'<td class="field-last_known_well">{when}</td>' in queue
    assert f"<dt>Last known well</dt><dd>{when}</dd>" in case


def test_the_queue_shows_how_long_each_pending_case_has_waited_and_marks_those_past_their_threshold(
    clinician_staff, settings
):
    settings.ALERT_ESCALATE_EMERGENCY_MINUTES = 15
    emergency = {"symptoms": [symptom("slurred_speech", "sudden")]}
    overdue = make_presentation(external_id="overdue", **emergency)
    in_time = make_presentation(external_id="in-time", **emergency)
    taken_up = make_presentation(external_id="taken-up", **emergency)
    for presentation, minutes in ((overdue, 20), (in_time, 5), (taken_up, 60)):
        presentation.received_at = timezone.now() - timedelta(minutes=minutes, seconds=30)
        presentation.save(update_fields=["received_at"])
    Presentation.objects.filter(pk=taken_up.pk).update(review_status="in_review")

    page = logged_in(clinician_staff).get(QUEUE).content.decode()
    waiting = sorted(re.findall(r'class="field-waiting">(.*?)</td>', page))

    # Oldest first within the level; in review, nobody is waiting for it.
    assert waiting == sorted(['<strong class="overdue">20 min (past 15 min)</strong>', "5 min", "-"])


@pytest.mark.parametrize(("days", "shown"), [(1, "1 day<"), (2, "2 days<"), (0, "0 days<")])
def test_the_case_page_counts_days_in_words_that_agree(clinician_staff, days, shown):
    presentation = make_presentation(duration_days=days)

    html = logged_in(clinician_staff).get(f"{QUEUE}{presentation.pk}/change/").content.decode()

    assert f"<dt>Duration</dt><dd>{shown}/dd>" in html
