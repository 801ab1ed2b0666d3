"""The audit trail in the admin, as a compliance officer reads it (issue 24, item 4): each event's page says when
(with its zone), what (in words) and where it sits in the hash chain; the list shows each patient reference; queue
and list pages record the patients they showed, so a search for a reference, and "who saw this patient", find
every page that showed them."""

import html
import json
import re

import pgtrigger
import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.factories import make_payload
from triage.audit import SYSTEM, audit_record
from triage.models import AuditAction, AuditEvent, Presentation
from triage.services import presentation_create, presentation_list_record, review_create

pytestmark = pytest.mark.django_db

QUEUE = "/admin/triage/presentation/"
AUDIT_LOG = "/admin/triage/auditevent/"


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def presentation_of(reference: str, external_id: str | None = None) -> Presentation:
    payload = make_payload(external_id=external_id or f"form-{reference}")
    payload["patient"]["reference"] = reference
    return presentation_create(payload=payload, client=None, by=SYSTEM)


def latest(event_type: str) -> AuditEvent:
    return AuditEvent.objects.filter(event_type=event_type).order_by("-sequence").first()


def heading(response) -> str:
    """The page's h1, as a reader hears it (tags dropped)."""
    match = re.search(r"<h1>(.*?)</h1>", response.content.decode(), re.DOTALL)
    assert match, "the page has no h1"
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1)))


def listed_sequences(response) -> list[int]:
    return [event.sequence for event in response.context["cl"].result_list]


def event_page(client: Client, event: AuditEvent):
    return client.get(f"{AUDIT_LOG}{event.pk}/change/")


@pytest.fixture
def superuser(db) -> User:
    return User.objects.create_superuser("boss", password="a-long-test-password")


# Recording which patients a page showed


def test_a_queue_page_records_each_presentation_it_showed_beside_its_patient_reference(clinician_staff):
    alpha, bravo = presentation_of("pt-alpha"), presentation_of("pt-bravo")

    logged_in(clinician_staff).get(QUEUE)

    detail = latest("presentation.admin_list").detail
    assert dict(zip(detail["ids"], detail["patient_references"], strict=True)) == {
        str(alpha.pk): "pt-alpha",
        str(bravo.pk): "pt-bravo",
    }


def test_an_api_list_page_records_each_presentation_it_showed_beside_its_patient_reference(clinician_api):
    alpha, bravo = presentation_of("pt-alpha"), presentation_of("pt-bravo")

    clinician_api.get("/api/v1/presentations/")

    detail = latest("presentation.list").detail
    assert dict(zip(detail["ids"], detail["patient_references"], strict=True)) == {
        str(alpha.pk): "pt-alpha",
        str(bravo.pk): "pt-bravo",
    }


def test_a_page_record_holds_ids_and_references_only(clinician_staff):
    presentation_of("pt-alpha")

    logged_in(clinician_staff).get(QUEUE)

    assert set(latest("presentation.admin_list").detail) == {"ids", "patient_references"}


def test_a_page_record_without_a_reference_for_each_id_is_refused_and_nothing_is_stored():
    alpha = presentation_of("pt-alpha")
    before = AuditEvent.objects.count()

    with pytest.raises(ValueError, match="one patient reference for each presentation id"):
        presentation_list_record(
            presentation_ids=[alpha.pk, alpha.pk], patient_references=["pt-alpha"], by=SYSTEM, event_type="x.list"
        )

    assert AuditEvent.objects.count() == before


# An event's page


def test_an_event_page_is_titled_with_its_sequence_event_type_and_action_in_words(auditor_staff, clinician_staff):
    presentation = presentation_of("pt-alpha")
    review_create(presentation=presentation, status="in_review", by=SYSTEM, reviewer=clinician_staff)
    review = latest("presentation.review")

    response = event_page(logged_in(auditor_staff), review)

    assert heading(response) == f"Audit event {review.sequence}: presentation.review (updated)"
    assert f"<title>Audit event {review.sequence}: presentation.review (updated) |" in response.content.decode()


def test_a_refused_requests_event_page_says_it_failed_and_with_which_status(auditor_staff, clinician_api):
    clinician_api.get("/api/v1/presentations/0190c0de-0000-7000-8000-000000000000/")
    refusal = AuditEvent.objects.get(outcome="failure")

    response = event_page(logged_in(auditor_staff), refusal)

    assert heading(response) == f"Audit event {refusal.sequence}: presentation.retrieve (read, failure 404)"


def test_an_event_page_shows_when_to_the_second_with_its_zone_and_its_place_in_the_chain(auditor_staff):
    presentation_of("pt-alpha")
    presentation_of("pt-bravo")
    second = latest("presentation.create")

    page = event_page(logged_in(auditor_staff), second).content.decode()

    assert f"<dt>Sequence number</dt><dd>{second.sequence}</dd>" in page
    assert f'<time datetime="{second.recorded.isoformat()}">{second.recorded:%Y-%m-%d %H:%M:%S} UTC</time>' in page
    assert f"<dt>Previous hash</dt><dd><code>{second.prev_hash}</code></dd>" in page
    assert f"<dt>Hash</dt><dd><code>{second.hash}</code></dd>" in page
    assert "<dt>Action</dt><dd>created (FHIR action code C)</dd>" in page
    assert "The hash matches this event's content" in page


def test_an_event_page_says_in_words_when_the_event_no_longer_matches_its_hash(auditor_staff):
    event = AuditEvent.objects.get(event_type="presentation.create", entity_id=str(presentation_of("pt-alpha").pk))
    with pgtrigger.ignore("triage.AuditEvent:audit_no_update_or_delete"):
        AuditEvent.objects.filter(pk=event.pk).update(agent_name="someone-else")

    page = event_page(logged_in(auditor_staff), event).content.decode()

    assert "The hash does not match this event's content" in page
    assert "The hash matches this event's content" not in page


def test_a_queue_pages_event_page_lists_each_presentation_beside_its_patient_reference(auditor_staff, clinician_staff):
    alpha = presentation_of("pt-alpha")
    logged_in(clinician_staff).get(QUEUE)

    page = event_page(logged_in(auditor_staff), latest("presentation.admin_list")).content.decode()

    table = page.split('<table id="presentations-shown">', 1)[1].split("</table>", 1)[0]
    assert '<th scope="col">Presentation id</th><th scope="col">Patient reference</th>' in table
    assert f"<td><bdi>{alpha.pk}</bdi></td>" in table
    assert f'<a href="{AUDIT_LOG}?patient=pt-alpha"><bdi>pt-alpha</bdi></a>' in table


def test_reading_an_event_page_is_itself_recorded(auditor_staff):
    presentation_of("pt-alpha")
    event = latest("presentation.create")

    event_page(logged_in(auditor_staff), event)

    read = latest("audit_event.read")
    assert (read.agent_name, read.detail) == (auditor_staff.username, {"sequences": [event.sequence]})


# The list


def test_the_list_is_titled_audit_trail(auditor_staff):
    response = logged_in(auditor_staff).get(AUDIT_LOG)

    assert heading(response) == "Audit trail"


def test_the_list_shows_the_time_to_the_second_with_its_zone_the_action_in_words_and_the_patient(auditor_staff):
    presentation = presentation_of("pt-alpha")
    created = AuditEvent.objects.get(event_type="presentation.create", entity_id=str(presentation.pk))

    page = logged_in(auditor_staff).get(AUDIT_LOG).content.decode()

    row = page.split(f">{created.sequence}</a></th>", 1)[1].split("</tr>", 1)[0]
    assert f"{created.recorded:%Y-%m-%d %H:%M:%S} UTC</time>" in row
    assert '<td class="field-action_in_words">created</td>' in row
    assert '<td class="field-patient"><bdi>pt-alpha</bdi></td>' in row
    assert '<th scope="col" class="sortable column-patient">' in page


def test_the_list_shows_a_queue_page_as_the_page_of_patients_it_was(auditor_staff, clinician_staff):
    presentation_of("pt-alpha")
    presentation_of("pt-bravo")
    logged_in(clinician_staff).get(QUEUE)
    queue_page = latest("presentation.admin_list")

    page = logged_in(auditor_staff).get(AUDIT_LOG).content.decode()

    row = page.split(f">{queue_page.sequence}</a></th>", 1)[1].split("</tr>", 1)[0]
    assert '<td class="field-patient">a page of 2</td>' in row


# Search by patient reference


def test_a_search_for_a_patient_reference_finds_the_queue_and_list_pages_that_showed_them(
    auditor_staff, clinician_staff, clinician_api
):
    alpha = presentation_of("pt-alpha")
    logged_in(clinician_staff).get(QUEUE)
    clinician_api.get("/api/v1/presentations/")
    presentation_of("pt-bravo")  # after both pages: they never showed pt-bravo
    logged_in(clinician_staff).get(f"{QUEUE}{alpha.pk}/change/")

    found = listed_sequences(logged_in(auditor_staff).get(AUDIT_LOG, {"q": "pt-alpha"}))

    naming_alpha = [
        latest("presentation.read"),
        latest("presentation.list"),
        latest("presentation.admin_list"),
        AuditEvent.objects.get(event_type="presentation.create", patient_reference="pt-alpha"),
    ]
    assert found == [event.sequence for event in naming_alpha]
    assert listed_sequences(logged_in(auditor_staff).get(AUDIT_LOG, {"q": "pt-bravo"})) == [
        AuditEvent.objects.get(event_type="presentation.create", patient_reference="pt-bravo").sequence
    ]


@pytest.mark.parametrize("term", ["pt-alph", "PT-ALPHA", "alpha", '"pt-alpha"', '["pt-alpha"]'])
def test_a_search_for_a_patient_reference_matches_it_exactly(auditor_staff, clinician_staff, term):
    presentation_of("pt-alpha")
    logged_in(clinician_staff).get(QUEUE)

    response = logged_in(auditor_staff).get(AUDIT_LOG, {"q": term})

    assert response.status_code == 200
    assert listed_sequences(response) == []


def test_a_search_still_finds_an_agent_an_entity_id_and_a_request_id(auditor_staff, clinician_staff):
    presentation = presentation_of("pt-alpha")
    logged_in(clinician_staff).get(f"{QUEUE}{presentation.pk}/change/", HTTP_X_REQUEST_ID="req-4711-abcd")
    read = latest("presentation.read")
    browser = logged_in(auditor_staff)

    assert read.sequence in listed_sequences(browser.get(AUDIT_LOG, {"q": clinician_staff.username}))
    assert read.sequence in listed_sequences(browser.get(AUDIT_LOG, {"q": str(presentation.pk)}))
    assert listed_sequences(browser.get(AUDIT_LOG, {"q": "req-4711-abcd"})) == [read.sequence]


def test_a_search_for_a_presentations_id_finds_the_pages_that_showed_it_also_those_recorded_with_ids_only(
    auditor_staff, clinician_staff
):
    alpha = presentation_of("pt-alpha")
    logged_in(clinician_staff).get(QUEUE)
    # A page as recorded before pages held patient references.
    audit_record(by=SYSTEM, action=AuditAction.READ, event_type="presentation.list", detail={"ids": [str(alpha.pk)]})

    found = listed_sequences(logged_in(auditor_staff).get(AUDIT_LOG, {"q": str(alpha.pk)}))

    assert found == [
        latest("presentation.list").sequence,
        latest("presentation.admin_list").sequence,
        latest("presentation.create").sequence,
    ]


# Who saw this patient


def test_who_saw_a_patient_lists_only_the_reads_that_showed_them(auditor_staff, clinician_staff, clinician_api):
    alpha, bravo = presentation_of("pt-alpha"), presentation_of("pt-bravo")
    queue = logged_in(clinician_staff)
    queue.get(QUEUE)  # shows both
    queue.get(f"{QUEUE}{bravo.pk}/change/")  # bravo only
    clinician_api.get(f"/api/v1/presentations/{alpha.pk}/")  # alpha only
    review_create(presentation=alpha, status="in_review", by=SYSTEM, reviewer=clinician_staff)  # an update, no read
    clinician_api.get("/api/v1/presentations/0190c0de-0000-7000-8000-000000000000/")  # a refused read

    api_read = AuditEvent.objects.get(event_type="presentation.read", entity_id=str(alpha.pk), outcome="success")

    response = logged_in(auditor_staff).get(AUDIT_LOG, {"patient": "pt-alpha"})

    assert listed_sequences(response) == [api_read.sequence, latest("presentation.admin_list").sequence]
    assert heading(response) == "Who saw patient pt-alpha"


def test_who_saw_a_patient_names_each_viewer_with_how_often_first_and_last(
    auditor_staff, clinician_staff, clinician_api
):
    alpha = presentation_of("pt-alpha")
    queue = logged_in(clinician_staff)
    queue.get(QUEUE)
    queue.get(f"{QUEUE}{alpha.pk}/change/")
    clinician_api.get(f"/api/v1/presentations/{alpha.pk}/")
    by_clinician = AuditEvent.objects.filter(agent_name=clinician_staff.username, action="R").order_by("sequence")

    response = logged_in(auditor_staff).get(AUDIT_LOG, {"patient": "pt-alpha"})

    viewers = [(v["agent_name"], v["agent_role"], v["reads"]) for v in response.context["viewers"]]
    assert viewers == [("clinician-test", "clinician", 1), (clinician_staff.username, "clinician", 2)]
    table = response.content.decode().split('<section id="patient-viewers"', 1)[1].split("</section>", 1)[0]
    assert f'<th scope="row"><bdi>{clinician_staff.username}</bdi></th>' in table
    assert f"{by_clinician.first().recorded:%Y-%m-%d %H:%M:%S} UTC" in table
    assert f"{by_clinician.last().recorded:%Y-%m-%d %H:%M:%S} UTC" in table


def test_who_saw_a_patient_nobody_saw_says_so(auditor_staff):
    presentation_of("pt-alpha")

    response = logged_in(auditor_staff).get(AUDIT_LOG, {"patient": "pt-alpha"})

    assert listed_sequences(response) == []
    assert "No recorded read showed this patient." in response.content.decode()


def test_who_saw_a_patient_names_them_on_each_queue_page_that_showed_them(auditor_staff, clinician_staff):
    presentation_of("pt-alpha")
    presentation_of("pt-bravo")
    logged_in(clinician_staff).get(QUEUE)

    page = logged_in(auditor_staff).get(AUDIT_LOG, {"patient": "pt-bravo"}).content.decode()

    assert '<td class="field-patient"><bdi>pt-bravo</bdi>, on a page of 2</td>' in page


def test_who_saw_a_patient_isolates_the_reference_in_the_heading(auditor_staff):
    reference = "pt-\u202eevil"  # a right-to-left override, as a client could send it

    page = logged_in(auditor_staff).get(AUDIT_LOG, {"patient": reference}).content.decode()

    assert f"<h1>Who saw patient <bdi>{reference}</bdi></h1>" in page


# As sent, percent-encoded: quotes, JSON syntax, a backslash, a lone surrogate (invalid UTF-8), a long value.
@pytest.mark.parametrize("value", ["%27", "%22%5D", "%5C", "%25", "x" * 3000, "%ED%A0%80", "%7B%22a%22%3A1%7D", "-1"])
def test_no_patient_value_makes_who_saw_answer_500(auditor_staff, value):
    presentation_of("pt-alpha")
    client = Client(raise_request_exception=False)
    client.force_login(auditor_staff)

    response = client.get(f"{AUDIT_LOG}?patient={value}")

    assert response.status_code == 200
    assert listed_sequences(response) == []


def test_the_case_page_links_to_who_saw_this_patient_for_those_who_may_read_the_trail(superuser, clinician_staff):
    presentation = presentation_of("pt-alpha")
    link = f'<a href="{AUDIT_LOG}?patient=pt-alpha">Who saw this patient</a>'

    assert link in logged_in(superuser).get(f"{QUEUE}{presentation.pk}/change/").content.decode()
    assert link not in logged_in(clinician_staff).get(f"{QUEUE}{presentation.pk}/change/").content.decode()


def test_an_events_page_links_to_who_saw_its_patient(auditor_staff):
    presentation_of("pt:a.b")
    created = latest("presentation.create")

    page = event_page(logged_in(auditor_staff), created).content.decode()

    assert f'<a href="{AUDIT_LOG}?patient=pt%3Aa.b">who saw this patient</a>' in page


def test_the_detail_of_an_event_page_is_shown_as_json_values(auditor_staff):
    presentation_of("pt-alpha")
    created = latest("presentation.create")

    page = event_page(logged_in(auditor_staff), created).content.decode()

    for key, value in created.detail.items():
        shown = value if isinstance(value, str) else json.dumps(value)
        assert f"<dt><code>{key}</code></dt><dd><bdi>{html.escape(shown)}</bdi></dd>" in page
