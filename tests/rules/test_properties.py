"""Properties the rule set promises for every valid presentation, checked over generated requests."""

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.factories import assess_payload
from triage.contract import PresentationInput
from triage.evidence import passages
from triage.rules import Level
from triage.rules.vocabulary import (
    CALCIUM_KINDS,
    CONTEXT_FLAGS,
    HISTORY,
    LOCATIONS,
    PATTERNS,
    SEXES,
    SIDES,
    SYMPTOM_ONSETS,
    SYMPTOMS,
    TWITCH_FLAGS,
    TWITCH_ONSETS,
)

# Plausible ranges and thresholds of the spec, per measurement and unit; thresholds are sampled to hit the edges.
PLAUSIBLE = {
    "serum_calcium": {"mmol/L": (0.5, 5.0, (1.90, 2.20)), "mg/dL": (2.0, 20.0, (7.6, 8.8))},
    "blood_glucose": {"mmol/L": (0.5, 50.0, (3.0, 3.9)), "mg/dL": (9.0, 900.0, (54.0, 70.0))},
}
LEVELS_AT_OR_ABOVE_ROUTINE = {"routine", "urgent", "emergency"}
PROPERTY_SETTINGS = settings(max_examples=300, deadline=None)


def optional_flags(names):
    """A dict holding any subset of the given boolean fields, each true or false."""
    return st.fixed_dictionaries({}, optional={name: st.booleans() for name in names})


@st.composite
def measurement_values(draw, name):
    unit = draw(st.sampled_from(sorted(PLAUSIBLE[name])))
    low, high, thresholds = PLAUSIBLE[name][unit]
    value = draw(
        st.one_of(
            st.sampled_from([*thresholds, low, high]),
            st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False).map(lambda v: round(v, 2)),
        )
    )
    measurement = {"value": min(max(value, low), high), "unit": unit}
    if name == "serum_calcium" and draw(st.booleans()):
        measurement["kind"] = draw(st.sampled_from(CALCIUM_KINDS))
    return measurement


symptom_entries = st.builds(
    lambda code, onset, resolved: {"code": code, "onset": onset, **resolved},
    st.sampled_from(list(SYMPTOMS)),
    st.sampled_from(list(SYMPTOM_ONSETS)),
    st.fixed_dictionaries({}, optional={"resolved": st.booleans()}),
)


@st.composite
def payloads(draw):
    """A request body that the input contract accepts, built from the rule set's vocabularies."""
    twitch = {
        "locations": draw(st.lists(st.sampled_from(list(LOCATIONS)), min_size=1, unique=True)),
        "side": draw(st.sampled_from(SIDES)),
        "duration_days": draw(st.one_of(st.integers(0, 36500), st.sampled_from([20, 21, 22]))),
        **draw(optional_flags(TWITCH_FLAGS)),
        **draw(st.fixed_dictionaries({}, optional={"onset": st.sampled_from(TWITCH_ONSETS)})),
        **draw(st.fixed_dictionaries({}, optional={"pattern": st.sampled_from(PATTERNS)})),
    }
    payload = {
        "external_id": "form-1",
        "patient": {
            "reference": "pt-test",
            "age_years": draw(st.integers(0, 120)),
            "sex": draw(st.sampled_from(SEXES)),
        },
        "twitch": twitch,
    }
    optional_parts = {
        "symptoms": st.lists(symptom_entries, max_size=8, unique_by=lambda s: s["code"]),
        "history": st.lists(st.sampled_from(list(HISTORY)), unique=True),
        "measurements": st.fixed_dictionaries(
            {}, optional={name: measurement_values(name) for name in ("serum_calcium", "blood_glucose")}
        ),
        "context": optional_flags(CONTEXT_FLAGS),
    }
    payload.update(draw(st.fixed_dictionaries({}, optional=optional_parts)))
    return payload


def with_symptom(payload, new_symptom):
    return {**payload, "symptoms": [*payload.get("symptoms", []), new_symptom]}


@PROPERTY_SETTINGS
@given(payload=payloads())
def test_it_generates_only_requests_the_input_contract_accepts(payload):
    PresentationInput.model_validate(payload)  # raises on anything the contract refuses


@PROPERTY_SETTINGS
@given(payload=payloads(), data=st.data())
def test_it_never_lowers_the_level_when_a_symptom_is_added(payload, data):
    present = {s["code"] for s in payload.get("symptoms", [])}
    new_symptom = data.draw(symptom_entries.filter(lambda s: s["code"] not in present), label="added symptom")

    before = assess_payload(payload)
    after = assess_payload(with_symptom(payload, new_symptom))

    assert after.level >= before.level


@PROPERTY_SETTINGS
@given(payload=payloads(), data=st.data())
def test_it_never_lowers_the_level_when_a_history_entry_is_added(payload, data):
    present = set(payload.get("history", []))
    absent = [code for code in HISTORY if code not in present]
    assume(absent)
    added = data.draw(st.sampled_from(absent), label="added history")

    before = assess_payload(payload)
    after = assess_payload({**payload, "history": [*present, added]})

    assert after.level >= before.level


@PROPERTY_SETTINGS
@given(payload=payloads())
def test_it_gives_the_same_result_when_run_twice(payload):
    first = assess_payload(payload)
    second = assess_payload(payload)

    assert first == second


@PROPERTY_SETTINGS
@given(payload=payloads(), data=st.data())
def test_it_does_not_depend_on_the_order_of_symptoms_history_or_locations(payload, data):
    shuffled = {**payload, "twitch": {**payload["twitch"]}}
    shuffled["twitch"]["locations"] = data.draw(st.permutations(payload["twitch"]["locations"]), label="locations")
    if "symptoms" in payload:
        shuffled["symptoms"] = data.draw(st.permutations(payload["symptoms"]), label="symptoms")
    if "history" in payload:
        shuffled["history"] = data.draw(st.permutations(payload["history"]), label="history")

    original = assess_payload(payload)
    reordered = assess_payload(shuffled)

    assert reordered == original


@PROPERTY_SETTINGS
@given(payload=payloads())
def test_it_flags_exactly_the_urgent_and_emergency_assessments(payload):
    result = assess_payload(payload)

    assert result.flagged is (result.level >= Level.URGENT)
    assert result.flagged is any(f.level in {"urgent", "emergency"} for f in result.findings)


@PROPERTY_SETTINGS
@given(payload=payloads())
def test_it_takes_the_level_of_the_highest_finding(payload):
    result = assess_payload(payload)

    highest = max((Level.from_code(f.level) for f in result.findings), default=Level.SELF_CARE)
    assert result.level == highest


@PROPERTY_SETTINGS
@given(payload=payloads())
def test_it_cites_known_passages_for_every_finding(payload):
    known = set(passages())

    result = assess_payload(payload)

    assert result.findings
    for finding in result.findings:
        assert finding.sources, finding.code
        assert set(finding.sources) <= known, finding.code


@PROPERTY_SETTINGS
@given(payload=payloads())
def test_it_scores_the_sum_of_finding_points_capped_at_100(payload):
    result = assess_payload(payload)

    assert result.score == min(100, sum(f.points for f in result.findings))


@PROPERTY_SETTINGS
@given(payload=payloads())
def test_it_calls_the_twitch_isolated_exactly_when_nothing_routine_or_above_fired(payload):
    result = assess_payload(payload)

    codes = [f.code for f in result.findings]
    serious = [f for f in result.findings if f.level in LEVELS_AT_OR_ABOVE_ROUTINE]
    assert ("isolated_twitch" in codes) is (not serious)


@PROPERTY_SETTINGS
@given(payload=payloads())
def test_it_keeps_the_advice_unique_and_consistent_with_the_level(payload):
    result = assess_payload(payload)

    recommendations = result.recommendations
    assert len(recommendations) == len(set(recommendations))
    if result.level >= Level.URGENT:
        assert not {"book_appointment", "watchful_waiting", "rest_and_stress_reduction", "hydration"} & set(
            recommendations
        )
    if result.level == Level.EMERGENCY:
        assert "same_day_medical_review" not in recommendations
        assert recommendations[0] == "call_emergency_services"


@PROPERTY_SETTINGS
@given(payload=payloads())
def test_it_reports_each_finding_once(payload):
    result = assess_payload(payload)

    codes = [f.code for f in result.findings]
    assert len(codes) == len(set(codes))
