"""GET /fhir/AuditEvent: the auditor searches the audit trail by `date` and `entity`, a searchset Bundle newest
first, paged by its `next` link; each entry read again at its fullUrl; every search itself audited."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tests.factories import make_payload, make_presentation
from tests.fhir.forms import parsed
from triage.models import AuditEvent

pytestmark = pytest.mark.django_db

URL = "/fhir/AuditEvent"
FHIR = "application/fhir+json"


@pytest.fixture
def auditor_api(api_as, auditor_key):
    return api_as(auditor_key[1])


def instant(moment: datetime, offset: timedelta = timedelta(0)) -> str:
    """A FHIR instant to the microsecond, in UTC (`…Z`) or at `offset` (`…+02:00`)."""
    if not offset:
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return moment.astimezone(timezone.get_fixed_timezone(offset)).isoformat(timespec="microseconds")


def submitted(intake_api) -> str:
    """A presentation POSTed by the intake client (its events recorded in a request), by its id."""
    response = intake_api.post(
        "/api/v1/presentations/", data=json.dumps(make_payload()), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def sequences_in(bundle: dict) -> list[int]:
    return [int(entry["resource"]["id"]) for entry in bundle["entry"]]


def link(bundle: dict, relation: str) -> str | None:
    return next((item["url"] for item in bundle["link"] if item["relation"] == relation), None)


def every_sequence() -> set[int]:
    return set(AuditEvent.objects.values_list("sequence", flat=True))


def test_it_answers_a_searchset_bundle_as_fhir_json(auditor_api, intake_api):
    presentation_id = submitted(intake_api)
    intake_api.get(f"/api/v1/presentations/{presentation_id}/")

    response = auditor_api.get(URL, {"entity": f"Presentation/{presentation_id}"})

    assert response.status_code == 200
    assert response["Content-Type"] == FHIR
    bundle = parsed(response.json())
    assert bundle.get_resource_type() == "Bundle" and bundle.type == "searchset"
    assert [entry.resource.get_resource_type() for entry in bundle.entry] == ["AuditEvent", "AuditEvent"]
    assert {entry.search.mode for entry in bundle.entry} == {"match"}


def test_an_event_recorded_outside_any_request_is_a_valid_audit_event(auditor_api, intake_key):
    # A command's event (here `manage.py`'s, as the factories record it) has no request id.
    presentation = make_presentation(client=intake_key[0])

    entries = auditor_api.get(URL, {"entity": f"Presentation/{presentation.id}"}).json()["entry"]

    assert [parsed(entry["resource"]).get_resource_type() for entry in entries] == ["AuditEvent"]


def test_it_lists_every_event_newest_first(auditor_api, intake_key, clinician_api):
    presentation = make_presentation(client=intake_key[0])
    clinician_api.get(f"/api/v1/presentations/{presentation.id}/")
    before = every_sequence()

    shown = sequences_in(auditor_api.get(URL).json())

    assert shown == sorted(before, reverse=True)


def test_its_self_link_is_the_search_as_asked(auditor_api):
    bundle = auditor_api.get(URL, {"entity": "Presentation/none", "_count": "5"}).json()

    assert link(bundle, "self") == "http://testserver/fhir/AuditEvent?entity=Presentation%2Fnone&_count=5"


def test_date_bounds_find_only_the_events_recorded_between_them(auditor_api, intake_key):
    make_presentation(client=intake_key[0], external_id="before")
    start = timezone.now()
    inside = make_presentation(client=intake_key[0], external_id="inside")
    end = timezone.now()
    make_presentation(client=intake_key[0], external_id="after")

    bundle = auditor_api.get(f"{URL}?date=ge{instant(start)}&date=lt{instant(end)}").json()

    events = AuditEvent.objects.filter(sequence__in=sequences_in(bundle))
    assert [(event.event_type, event.entity_id) for event in events] == [("presentation.create", str(inside.id))]


def test_date_bounds_in_another_offset_name_the_same_instants(auditor_api, intake_key):
    make_presentation(client=intake_key[0], external_id="before")
    start = timezone.now()
    make_presentation(client=intake_key[0], external_id="inside")
    end = timezone.now()
    make_presentation(client=intake_key[0], external_id="after")
    in_utc = auditor_api.get(URL, {"date": [f"ge{instant(start)}", f"lt{instant(end)}"]}).json()

    elsewhere = auditor_api.get(
        URL, {"date": [f"ge{instant(start, timedelta(hours=2))}", f"lt{instant(end, timedelta(hours=-5))}"]}
    ).json()

    assert len(in_utc["entry"]) == 1
    assert sequences_in(elsewhere) == sequences_in(in_utc)


def test_a_date_bound_includes_an_event_recorded_at_it(auditor_api, intake_key):
    presentation = make_presentation(client=intake_key[0])
    event = AuditEvent.objects.get(event_type="presentation.create", entity_id=presentation.id)

    at = sequences_in(auditor_api.get(URL, {"date": instant(event.recorded)}).json())
    from_it = sequences_in(auditor_api.get(URL, {"date": f"ge{instant(event.recorded)}"}).json())
    after_it = sequences_in(auditor_api.get(URL, {"date": f"gt{instant(event.recorded)}"}).json())
    before_it = sequences_in(auditor_api.get(URL, {"date": f"lt{instant(event.recorded)}"}).json())

    assert at == [event.sequence]
    assert event.sequence in from_it and event.sequence not in after_it and event.sequence not in before_it


def test_a_date_before_anything_was_recorded_finds_nothing(auditor_api, intake_key):
    make_presentation(client=intake_key[0])

    bundle = auditor_api.get(URL, {"date": "lt2000-01-01"}).json()

    assert bundle.get("entry", []) == []
    assert link(bundle, "next") is None


def test_a_search_that_finds_nothing_has_no_entry_array(auditor_api):
    # FHIR JSON has no empty arrays: the official validator reports "Array cannot be empty" for `"entry": []`.
    bundle = auditor_api.get(URL, {"date": "lt2000-01-01"}).json()

    assert "entry" not in bundle, bundle["entry"]


def test_a_date_at_the_end_of_the_calendar_is_answered_not_a_server_error(auditor_api):
    # `date=9999` is read (its period ends with the calendar); its last month must be read too, or refused.
    auditor_api.raise_request_exception = False

    response = auditor_api.get(URL, {"date": "9999-12"})

    assert response.status_code in (200, 400), response.status_code
    assert response["Content-Type"] == FHIR


def test_an_entity_reference_finds_exactly_that_presentations_events(auditor_api, intake_key, clinician_api):
    wanted = make_presentation(client=intake_key[0], external_id="wanted")
    other = make_presentation(client=intake_key[0], external_id="other")
    clinician_api.get(f"/api/v1/presentations/{wanted.id}/")
    clinician_api.get(f"/api/v1/presentations/{other.id}/")

    bundle = auditor_api.get(URL, {"entity": f"Presentation/{wanted.id}"}).json()

    expected = AuditEvent.objects.filter(entity_type="Presentation", entity_id=wanted.id)
    assert sequences_in(bundle) == [event.sequence for event in expected.order_by("-sequence")]
    assert {event.event_type for event in expected} == {"presentation.create", "presentation.read"}
    assert {entry["resource"]["entity"][0]["what"]["reference"] for entry in bundle["entry"]} == {
        f"Presentation/{wanted.id}"
    }


def test_a_bare_id_finds_that_entitys_events_of_any_type(auditor_api, intake_key):
    wanted = make_presentation(client=intake_key[0], external_id="wanted")
    make_presentation(client=intake_key[0], external_id="other")

    bundle = auditor_api.get(URL, {"entity": str(wanted.id)}).json()

    expected = AuditEvent.objects.filter(entity_id=wanted.id).order_by("-sequence")
    assert sequences_in(bundle) == [event.sequence for event in expected] != []


def test_an_entity_reference_of_another_type_finds_nothing(auditor_api, intake_key):
    presentation = make_presentation(client=intake_key[0])

    bundle = auditor_api.get(URL, {"entity": f"ApiKey/{presentation.id}"}).json()

    assert bundle.get("entry", []) == []


def test_entity_and_date_together_find_what_both_match(auditor_api, intake_key, clinician_api):
    presentation = make_presentation(client=intake_key[0])
    start = timezone.now()
    clinician_api.get(f"/api/v1/presentations/{presentation.id}/")
    make_presentation(client=intake_key[0], external_id="other")

    bundle = auditor_api.get(URL, {"entity": f"Presentation/{presentation.id}", "date": f"ge{instant(start)}"}).json()

    events = AuditEvent.objects.filter(sequence__in=sequences_in(bundle))
    assert [(event.event_type, event.entity_id) for event in events] == [("presentation.read", str(presentation.id))]


def test_its_next_links_page_through_every_event_once(auditor_api, intake_key):
    for number in range(4):
        make_presentation(client=intake_key[0], external_id=f"form-{number}")
    before = every_sequence()  # 6 events: the two keys' and the four presentations'
    pages = [auditor_api.get(URL, {"_count": "2"}).json()]

    while (next_url := link(pages[-1], "next")) is not None:
        assert len(pages) <= len(before), "the next links do not end"
        pages.append(auditor_api.get(next_url).json())

    shown = [sequence for page in pages for sequence in sequences_in(page)]
    assert len(before) == 6
    assert [len(page["entry"]) for page in pages] == [2, 2, 2]
    assert shown == sorted(before, reverse=True)


def test_its_last_page_has_no_next_link(auditor_api, intake_key):
    make_presentation(client=intake_key[0])  # 3 events in all, with the two keys'
    first = auditor_api.get(URL, {"_count": "2"}).json()

    last = auditor_api.get(link(first, "next")).json()

    assert link(first, "next") is not None
    assert len(last["entry"]) == 1 and link(last, "next") is None


def test_its_next_link_keeps_the_search(auditor_api, intake_key, clinician_api):
    wanted = make_presentation(client=intake_key[0], external_id="wanted")
    for _ in range(3):
        clinician_api.get(f"/api/v1/presentations/{wanted.id}/")
    make_presentation(client=intake_key[0], external_id="other")
    first = auditor_api.get(URL, {"entity": f"Presentation/{wanted.id}", "_count": "2"}).json()

    second = auditor_api.get(link(first, "next")).json()

    expected = AuditEvent.objects.filter(entity_id=wanted.id).order_by("-sequence")
    assert sequences_in(first) + sequences_in(second) == [event.sequence for event in expected]
    assert link(second, "next") is None


def test_its_entries_full_urls_name_each_event_under_the_fhir_base(auditor_api, intake_key):
    make_presentation(client=intake_key[0])
    before = every_sequence()

    entries = auditor_api.get(URL).json()["entry"]

    assert [entry["fullUrl"] for entry in entries] == [
        f"http://testserver/fhir/AuditEvent/{sequence}" for sequence in sorted(before, reverse=True)
    ]


def test_reading_an_entrys_full_url_answers_the_same_resource(auditor_api, intake_key):
    make_presentation(client=intake_key[0])
    entries = auditor_api.get(URL).json()["entry"]

    read = [auditor_api.get(entry["fullUrl"]) for entry in entries]

    assert [response.status_code for response in read] == [200] * len(entries)
    assert {response["Content-Type"] for response in read} == {FHIR}
    assert [response.json() for response in read] == [entry["resource"] for entry in entries]


def test_reading_an_event_that_does_not_exist_is_a_404_operation_outcome(auditor_api):
    response = auditor_api.get(f"{URL}/999999")

    assert response.status_code == 404
    assert response["Content-Type"] == FHIR
    outcome = parsed(response.json())
    assert outcome.get_resource_type() == "OperationOutcome" and outcome.issue[0].code == "not-found"


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("date=yesterday", "date"),
        ("date=2026-12-06T05:10", "date"),  # a time without an offset
        ("date=ne2026-12-06", "date"),
        ("date=ge2026-12-01&date=2026-02-30", "date"),
        ("subject=Patient/1", "subject"),
        ("_sort=date", "_sort"),
        ("entity=Presentation/a&entity=Presentation/b", "entity"),
        ("entity=1bad/x", "entity"),
        ("entity=Presentation/", "entity"),
        ("_count=0", "_count"),
        ("_count=501", "_count"),
        ("_count=ten", "_count"),
        ("_count=2&_count=3", "_count"),
    ],
)
def test_a_bad_search_is_a_400_operation_outcome_naming_the_parameter(auditor_api, query, parameter):
    response = auditor_api.get(f"{URL}?{query}")

    assert response.status_code == 400
    assert response["Content-Type"] == FHIR
    outcome = parsed(response.json())
    assert outcome.get_resource_type() == "OperationOutcome"
    assert [(issue.code, issue.expression) for issue in outcome.issue] == [("invalid", [parameter])]


def test_a_bad_search_names_every_parameter_at_fault(auditor_api):
    response = auditor_api.get(f"{URL}?date=yesterday&entity=a&entity=b&subject=x")

    assert response.status_code == 400
    assert sorted(issue["expression"][0] for issue in response.json()["issue"]) == ["date", "entity", "subject"]


def test_the_largest_page_size_is_500(auditor_api):
    assert auditor_api.get(URL, {"_count": "500"}).status_code == 200


def test_a_search_is_audited_with_the_sequences_it_showed(auditor_api, auditor_key, intake_key):
    make_presentation(client=intake_key[0])

    bundle = auditor_api.get(URL, {"_count": "3"}).json()

    record = AuditEvent.objects.order_by("-sequence").first()
    assert (record.event_type, record.action, record.agent_name) == ("audit_event.read", "R", auditor_key[0].name)
    assert record.detail == {"sequences": sequences_in(bundle)}
    assert len(record.detail["sequences"]) == 3


def test_a_search_that_finds_nothing_is_audited_too(auditor_api):
    before = every_sequence()

    auditor_api.get(URL, {"date": "lt2000"})

    (record,) = AuditEvent.objects.exclude(sequence__in=before)
    assert (record.event_type, record.detail) == ("audit_event.read", {"sequences": []})


def test_a_refused_search_is_not_recorded_as_a_read(auditor_api):
    auditor_api.get(URL, {"date": "yesterday"})

    assert not AuditEvent.objects.filter(event_type="audit_event.read").exists()


@pytest.mark.parametrize("role", ["clinician", "intake"])
def test_only_auditors_may_search_the_trail(api_as, clinician_key, intake_key, role):
    raw = {"clinician": clinician_key[1], "intake": intake_key[1]}[role]

    response = api_as(raw).get(URL)

    assert response.status_code == 403
    assert response["Content-Type"] == FHIR
    outcome = parsed(response.json())
    assert outcome.get_resource_type() == "OperationOutcome" and outcome.issue[0].code == "forbidden"


@pytest.mark.parametrize("role", ["clinician", "intake"])
def test_only_auditors_may_read_an_event(api_as, clinician_key, intake_key, role):
    sequence = AuditEvent.objects.order_by("sequence").first().sequence
    raw = {"clinician": clinician_key[1], "intake": intake_key[1]}[role]

    response = api_as(raw).get(f"{URL}/{sequence}")

    assert response.status_code == 403
    assert parsed(response.json()).issue[0].code == "forbidden"


def test_a_refused_search_shows_no_event(api_as, clinician_key):
    response = api_as(clinician_key[1]).get(URL)

    assert "entry" not in response.json()
    assert not AuditEvent.objects.filter(event_type="audit_event.read").exists()
