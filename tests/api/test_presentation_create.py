"""POST /api/v1/presentations/: validation, storage and the assessment in the answer."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import invalid_vignettes, make_payload, symptom, valid_vignettes
from tests.openapi import assert_response_conforms
from triage.contract import canonical
from triage.models import Assessment, Presentation

URL = "/api/v1/presentations/"
SCHEMA_PATH = "/api/v1/presentations/"

pytestmark = pytest.mark.django_db


def post(api, body, content_type="application/json"):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return api.post(URL, data=data, content_type=content_type)


def error_fields(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


@pytest.mark.parametrize("vignette", valid_vignettes(), ids=lambda v: v["id"])
def test_each_valid_vignette_is_stored_and_assessed_as_expected(intake_api, vignette):
    expect = vignette["expect"]

    response = post(intake_api, vignette["request"])

    assert response.status_code == 201, response.content
    assessment = response.json()["assessment"]
    assert assessment["level"] == expect["level"]
    assert assessment["flagged"] is expect["flagged"]
    assert assessment["score"] == expect["score"]
    assert {f["code"] for f in assessment["findings"]} == set(expect["findings"])
    assert assessment["recommendations"] == expect["recommendations_in_order"]  # the order is advice too
    assert_response_conforms(response, SCHEMA_PATH, "post")
    assert Presentation.objects.filter(pk=response.json()["id"]).exists()


@pytest.mark.parametrize("vignette", invalid_vignettes(), ids=lambda v: v["id"])
def test_each_invalid_vignette_is_refused_naming_its_fields(intake_api, vignette):
    response = post(intake_api, vignette["request"])

    assert response.status_code == vignette["expect"]["status"]
    assert response["Content-Type"] == "application/problem+json"
    fields = error_fields(response)
    for expected in vignette["expect"]["error_fields"]:
        assert any(field == expected or field.startswith(expected + ".") for field in fields), fields
    assert Presentation.objects.count() == 0
    assert_response_conforms(response, SCHEMA_PATH, "post")


def test_the_answer_echoes_the_submission_with_defaults_and_the_full_assessment(intake_api):
    payload = make_payload(
        symptoms=[{"code": "headache", "onset": "gradual"}],
        measurements={"serum_calcium": {"value": 2.05, "unit": "mmol/L"}},
        notes="Started after a stressful month.",
    )

    body = post(intake_api, payload).json()

    assert body["external_id"] == "form-1"
    assert body["review_status"] == "pending"
    assert body["patient"] == {"reference": "pt-test", "age_years": 45, "sex": "unknown"}
    assert body["twitch"]["onset"] == "unknown" and body["twitch"]["spreading"] is False
    assert body["symptoms"] == [{"code": "headache", "onset": "gradual", "resolved": False}]
    assert body["measurements"] == {"serum_calcium": {"value": 2.05, "unit": "mmol/L", "kind": "total"}}
    assert body["context"] == {
        "poor_sleep": False, "high_stress": False, "low_fluid_intake": False, "stopped_heavy_drinking": False
    }  # fmt: skip
    assert body["notes"] == "Started after a stressful month."
    low_calcium = next(f for f in body["assessment"]["findings"] if f["code"] == "low_calcium")
    assert low_calcium["triggered_by"] == ["measurements.serum_calcium"]
    assert low_calcium["sources"] == ["S06"]
    assert low_calcium["rationale"].endswith(".")
    assert body["assessment"]["ruleset_version"] == "2027.01"


def test_the_stored_payload_is_what_was_submitted_in_its_canonical_form(intake_api):
    payload = make_payload(symptoms=[symptom("tingling", "unknown")], history=["anxiety_disorder"])

    body = post(intake_api, payload).json()

    presentation = Presentation.objects.get(pk=body["id"])
    assert presentation.payload == canonical(payload)
    assert presentation.payload["twitch"]["onset"] == "unknown"  # the defaults written out
    assert presentation.client.name == "intake-test"
    assert Assessment.objects.get(presentation=presentation).id == presentation.current_assessment_id


def payload_with(path: str, value):
    """A valid payload with the value at a dotted path replaced (or added)."""
    payload = make_payload(
        symptoms=[symptom("headache", "gradual")],
        history=["multiple_sclerosis"],
        measurements={
            "blood_glucose": {"value": 5.5, "unit": "mmol/L"},
            "serum_calcium": {"value": 2.3, "unit": "mmol/L"},
        },
        context={"poor_sleep": True},
    )
    *parents, last = path.split(".")
    node = payload
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return payload


INVALID_VALUES = [
    # (path, value, the field the error must name)
    ("external_id", "", "external_id"),
    ("external_id", "x" * 65, "external_id"),
    ("external_id", 123, "external_id"),
    ("external_id", "form\x00one", "external_id"),
    ("external_id", "form\u0007one", "external_id"),
    ("external_id", "\ud800", "external_id"),
    ("external_id", "form\u200bone", "external_id"),  # zero-width space
    ("external_id", "form\U000e0041", "external_id"),  # a tag character, beyond U+FFFF
    ("patient.reference", "pt-\u202e3f8a", "patient.reference"),  # right-to-left override
    ("patient.reference", "pt-\u20663f8a", "patient.reference"),  # left-to-right isolate
    ("notes", "fine\nthen \u202eworse", "notes"),
    ("patient.reference", None, "patient.reference"),
    ("patient.age_years", "forty", "patient.age_years"),
    ("patient.age_years", "45", "patient.age_years"),
    ("patient.age_years", 45.5, "patient.age_years"),
    ("patient.age_years", True, "patient.age_years"),
    ("patient.age_years", 121, "patient.age_years"),
    ("patient.age_years", -1, "patient.age_years"),
    ("patient.age_years", 10**100, "patient.age_years"),
    ("patient.sex", "f", "patient.sex"),
    ("patient.name", "Jane Doe", "patient.name"),
    ("twitch.locations", [], "twitch.locations"),
    ("twitch.locations", "eyelid", "twitch.locations"),
    ("twitch.locations", ["eyelid", "nose"], "twitch.locations.1"),
    ("twitch.locations", ["eyelid", "eyelid"], "twitch.locations.1"),
    ("twitch.side", "middle", "twitch.side"),
    ("twitch.onset", "longstanding", "twitch.onset"),
    ("twitch.duration_days", 36501, "twitch.duration_days"),
    ("twitch.duration_days", "7", "twitch.duration_days"),
    ("twitch.pattern", "sometimes", "twitch.pattern"),
    ("twitch.spreading", "maybe", "twitch.spreading"),
    ("twitch.spreading", "true", "twitch.spreading"),
    ("twitch.spreading", 1, "twitch.spreading"),
    ("twitch.colour", "red", "twitch.colour"),
    ("symptoms", {"code": "headache"}, "symptoms"),
    ("symptoms.0", {"code": "headache", "onset": "gradual", "severity": 3}, "symptoms.0.severity"),
    ("symptoms.0", {"code": "headache", "onset": "weekly"}, "symptoms.0.onset"),
    ("symptoms.0", {"code": "headache", "onset": "gradual", "resolved": "no"}, "symptoms.0.resolved"),
    ("symptoms.0", "headache", "symptoms.0"),
    ("symptoms", [symptom("headache", "gradual"), symptom("headache", "sudden")], "symptoms.1.code"),
    ("history", ["multiple_sclerosis", "multiple_sclerosis"], "history.1"),
    ("history", ["gout"], "history.0"),
    ("measurements.blood_glucose", {"value": 5, "unit": "mmol"}, "measurements.blood_glucose.unit"),
    ("measurements.blood_glucose", {"value": 51, "unit": "mmol/L"}, "measurements.blood_glucose.value"),
    ("measurements.blood_glucose", {"value": 0.4, "unit": "mmol/L"}, "measurements.blood_glucose.value"),
    ("measurements.blood_glucose", {"value": 901, "unit": "mg/dL"}, "measurements.blood_glucose.value"),
    ("measurements.blood_glucose", {"value": "5.5", "unit": "mmol/L"}, "measurements.blood_glucose.value"),
    ("measurements.blood_glucose", {"value": 5.5}, "measurements.blood_glucose.unit"),
    (
        "measurements.blood_glucose",
        {"value": 5.5, "unit": "mmol/L", "kind": "total"},
        "measurements.blood_glucose.kind",
    ),
    (
        "measurements.serum_calcium",
        {"value": 1.1, "unit": "mmol/L", "kind": "ionised"},
        "measurements.serum_calcium.kind",
    ),
    ("measurements.serum_calcium", {"value": 5.1, "unit": "mmol/L"}, "measurements.serum_calcium.value"),
    ("measurements.serum_calcium", {"value": 1.9, "unit": "mg/dL"}, "measurements.serum_calcium.value"),
    ("measurements.serum_calcium", {"value": 20.5, "unit": "mg/dL"}, "measurements.serum_calcium.value"),
    ("measurements.potassium", {"value": 4, "unit": "mmol/L"}, "measurements.potassium"),
    ("context.poor_sleep", "yes", "context.poor_sleep"),
    ("context.caffeine", True, "context.caffeine"),
    ("notes", "x" * 2001, "notes"),
    ("notes", 42, "notes"),
    ("symptom", [{"code": "headache", "onset": "gradual"}], "symptom"),
]


@pytest.mark.parametrize(("path", "value", "field"), INVALID_VALUES, ids=lambda v: str(v)[:40])
def test_it_rejects_an_invalid_value_naming_the_field(intake_api, path, value, field):
    response = post(intake_api, payload_with(path, value))

    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in error_fields(response)
    assert Presentation.objects.count() == 0


@pytest.mark.parametrize("kind", ["ionised", "Ionized", "pH-corrected"])
def test_an_ionised_calcium_is_refused_saying_why_and_other_kinds_as_unknown(intake_api, kind):
    payload = payload_with("measurements.serum_calcium", {"value": 2.2, "unit": "mmol/L", "kind": kind})

    [error] = post(intake_api, payload).json()["errors"]

    assert error["field"] == "measurements.serum_calcium.kind"
    if kind == "pH-corrected":
        assert error["message"] == "Unknown code 'pH-corrected'."
    else:
        assert error["message"].startswith("Ionised calcium is not accepted: its normal range differs")


def test_it_names_every_bad_field_at_once(intake_api):
    payload = make_payload(
        symptoms=[{"code": "twitchy_nose"}], measurements={"blood_glucose": {"value": 5, "unit": "mmol"}}
    )
    payload["patient"]["age_years"] = "forty"

    fields = error_fields(post(intake_api, payload))

    assert set(fields) == {
        "symptoms.0.code",
        "symptoms.0.onset",
        "measurements.blood_glucose.unit",
        "patient.age_years",
    }


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        # An implausible value beside another error in the same measurement.
        ({"measurements": {"blood_glucose": {"value": 1000, "unit": "mg/dL", "foo": 1}}},
         {"measurements.blood_glucose.value", "measurements.blood_glucose.foo"}),
        ({"measurements": {"serum_calcium": {"value": 9.0, "unit": "mmol/L", "kind": "ionised"}}},
         {"measurements.serum_calcium.value", "measurements.serum_calcium.kind"}),
        # Repeats beside bad items, in a list of codes and in the symptoms.
        ({"history": ["prior_stroke", "bogus", "prior_stroke"]}, {"history.1", "history.2"}),
        ({"locations": ["eyelid", "eyelid", "nose"]}, {"twitch.locations.1", "twitch.locations.2"}),
        ({"symptoms": [symptom("headache", "sudden"), symptom("headache", "gradual"), symptom("tingling", "x")]},
         {"symptoms.1.code", "symptoms.2.onset"}),
        ({"symptoms": [symptom("headache", "sudden"), {"code": "headache", "onset": "x"}, {"code": "nope"}]},
         {"symptoms.1.code", "symptoms.1.onset", "symptoms.2.code", "symptoms.2.onset"}),
        ({"symptoms": [None, symptom("headache", "sudden"), "x", symptom("headache", "gradual")]},
         {"symptoms.0", "symptoms.2", "symptoms.3.code"}),
        ({"history": [None, "prior_stroke", 5, "prior_stroke"]}, {"history.0", "history.2", "history.3"}),
    ],
    ids=[
        "range-and-unknown", "range-and-kind", "history", "locations", "symptoms", "symptom-repeat-and-onset",
        "symptoms-not-objects", "history-not-strings",
    ],
)  # fmt: skip
def test_it_names_every_bad_field_whichever_check_finds_it(intake_api, fields, named):
    payload = make_payload(**fields)

    response = post(intake_api, payload)

    assert response.status_code == 400
    assert set(error_fields(response)) == named


def test_a_missing_required_field_is_named(intake_api):
    payload = make_payload()
    del payload["twitch"]["side"]
    del payload["external_id"]

    fields = error_fields(post(intake_api, payload))

    assert set(fields) == {"twitch.side", "external_id"}


def test_notes_may_hold_line_breaks(intake_api):
    response = post(intake_api, make_payload(notes="Line one.\nLine two.\tTabbed."))

    assert response.status_code == 201


def test_the_threshold_values_are_kept_exactly(intake_api):
    payload = make_payload(measurements={"serum_calcium": {"value": 2.2, "unit": "mmol/L", "kind": "adjusted"}})

    body = post(intake_api, payload).json()

    assert body["measurements"]["serum_calcium"]["value"] == 2.2
    assert "low_calcium" not in {f["code"] for f in body["assessment"]["findings"]}


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b'{"external_id": NaN}',
        b'{"external_id": Infinity}',
        b"[1, 2, 3]",
        b'"a string"',
        b"null",
        b"",
        b"\xff\xfe",
        b"[" * 100_000,
        b'{"patient": ' * 20_000,
        b'{"external_id": "a", "patient": {"age_years": 1e400}}',
    ],
    ids=[
        "malformed",
        "nan",
        "infinity",
        "list",
        "string",
        "null",
        "empty",
        "bad-utf8",
        "deep-list",
        "deep-object",
        "huge",
    ],
)
def test_it_answers_400_problem_json_to_any_malformed_body(intake_api, raw):
    response = post(intake_api, raw)

    assert response.status_code in (400, 413)
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == response.status_code
    assert Presentation.objects.count() == 0


def test_a_key_repeated_in_one_object_is_refused_not_the_last_one_kept(intake_api):
    # json keeps the last: the red flag below would have been dropped, and the patient answered as self care.
    body = json.dumps(make_payload())
    body = body.replace(
        '"duration_days": 7', '"duration_days": 7, "loss_of_facial_control": true, "loss_of_facial_control": false'
    )

    response = post(intake_api, body)

    assert response.status_code == 400
    assert "'loss_of_facial_control' is repeated" in response.json()["errors"][0]["message"]
    assert Presentation.objects.count() == 0


def test_a_body_over_64_kib_is_refused_with_413(intake_api):
    payload = make_payload(notes="x" * 2000)
    payload["padding"] = "x" * (64 * 1024)

    response = post(intake_api, payload)

    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert Presentation.objects.count() == 0


def test_a_body_just_under_the_limit_is_read(intake_api):
    payload = make_payload()
    payload["padding"] = "x" * (60 * 1024)

    response = post(intake_api, payload)

    assert response.status_code == 400  # read and parsed: refused for its unknown field, not for its size
    assert error_fields(response) == ["padding"]


def test_a_body_that_is_not_json_is_refused_with_415(intake_api):
    response = post(intake_api, "external_id=form-1", content_type="text/plain")

    assert response.status_code == 415
    assert response["Content-Type"] == "application/problem+json"
    assert_response_conforms(response, SCHEMA_PATH, "post")


def test_an_empty_body_that_is_not_json_is_refused_with_415(intake_api):
    response = intake_api.post(URL, data=b"", content_type="text/plain")

    assert response.status_code == 415
    assert response["Content-Type"] == "application/problem+json"


def test_a_body_over_djangos_own_limit_is_refused_with_413_too(intake_api, settings):
    # Django refuses to buffer a body over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MiB) before the parser sees it.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 128 * 1024
    payload = make_payload()
    payload["padding"] = "x" * (200 * 1024)

    response = post(intake_api, payload)

    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"


def test_an_unknown_field_whose_name_is_not_valid_unicode_is_a_400_not_a_500(intake_api):
    body = json.dumps(make_payload())[:-1] + ', "patient\\ud800x": 2}'

    response = post(intake_api, body)

    assert response.status_code == 400
    assert "not valid Unicode" in response.json()["errors"][0]["message"]


def test_an_unsupported_method_is_refused_with_405(intake_api):
    response = intake_api.delete(URL)

    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"


def test_an_unknown_url_is_a_problem_json_404(intake_api):
    response = intake_api.get("/api/v1/nothing-here/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


# --- the 2027.01 contract additions ----------------------------------------------------------


def with_reference(reference: str) -> dict:
    payload = make_payload()
    payload["patient"]["reference"] = reference
    return payload


@pytest.mark.parametrize(
    "reference", ["Jane Doe", "John Smith 01/02/1950", "ward7/bed3", "-leading-dash", "x" * 65, "pt\u00e9"]
)
def test_a_reference_that_is_not_a_pseudonymous_id_is_refused(intake_api, reference):
    response = post(intake_api, with_reference(reference))

    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["patient.reference"]


@pytest.mark.parametrize("reference", ["pt-8f3a", "A", "x" * 64, "ward7.bed3:2_a-b"])
def test_a_pseudonymous_reference_is_accepted(intake_api, reference):
    assert post(intake_api, with_reference(reference)).status_code == 201


def test_last_known_well_is_stored_and_returned_as_submitted(intake_api):
    when = (timezone.now() - timedelta(hours=3)).astimezone(timezone.get_fixed_timezone(120))
    submitted = when.isoformat(timespec="milliseconds")

    response = post(intake_api, {**make_payload(), "last_known_well": submitted})

    assert response.status_code == 201
    assert response.json()["last_known_well"] == submitted


@pytest.mark.parametrize(
    "value",
    [
        "2026-11-26",  # a date without a time
        "2026-11-26T07:45:00",  # a time without an offset
        1764143100,
        "yesterday",
        "2026-13-40T07:45:00Z",
    ],
)
def test_last_known_well_must_be_an_rfc3339_date_time_with_an_offset(intake_api, value):
    response = post(intake_api, {**make_payload(), "last_known_well": value})

    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["last_known_well"]


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [
        (timedelta(minutes=4), True),  # clock skew allowed
        (timedelta(minutes=6), False),
        (-timedelta(days=6, hours=23), True),
        (-timedelta(days=7, minutes=1), False),
    ],
)
def test_last_known_well_is_within_seven_days_before_receipt_and_five_minutes_after(intake_api, offset, accepted):
    value = (timezone.now() + offset).isoformat()

    response = post(intake_api, {**make_payload(), "last_known_well": value})

    assert response.status_code == (201 if accepted else 400)


def test_magnesium_takes_no_kind_and_only_its_units(intake_api):
    bad = post(
        intake_api,
        make_payload(measurements={"serum_magnesium": {"value": 0.8, "unit": "mmol/L", "kind": "total"}}),
    )
    good = post(
        intake_api,
        make_payload(external_id="mg", measurements={"serum_magnesium": {"value": 0.1, "unit": "mmol/L"}}),
    )

    assert [e["field"] for e in bad.json()["errors"]] == ["measurements.serum_magnesium.kind"]
    assert good.status_code == 201
    assert good.json()["measurements"] == {"serum_magnesium": {"value": 0.1, "unit": "mmol/L"}}
