"""Properties each rule set version promises for every valid presentation, checked over generated requests."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.rules.support import assess_under
from triage.contract import PresentationInput
from triage.evidence import passages
from triage.rules import RULESET_VERSIONS, RULESETS, Level
from triage.rules.vocabulary import (
    CALCIUM_KINDS,
    PATTERNS,
    SEXES,
    SIDES,
    SYMPTOM_ONSETS,
    TWITCH_FLAGS,
    TWITCH_ONSETS,
)

# Plausible ranges and (severe low, low) thresholds of the specifications, per measurement and unit; thresholds
# are sampled to hit the edges.
PLAUSIBLE = {
    "serum_calcium": {"mmol/L": (0.5, 5.0, (1.90, 2.20)), "mg/dL": (2.0, 20.0, (7.6, 8.8))},
    "blood_glucose": {"mmol/L": (0.5, 50.0, (3.0, 3.9)), "mg/dL": (9.0, 900.0, (54.0, 70.0))},
    "serum_magnesium": {"mmol/L": (0.1, 5.0, (0.50, 0.70)), "mg/dL": (0.2, 12.0, (1.2, 1.7))},
}
LEVELS_AT_OR_ABOVE_ROUTINE = {"routine", "urgent", "emergency"}
DROPPED_WHEN_FLAGGED = {"book_appointment", "watchful_waiting", "rest_and_stress_reduction", "hydration"}
# 2027.01: what an emergency result may advise (the fifth, first aid, becomes "nothing by mouth" when unsafe).
EMERGENCY_ADVICE_2027_01 = {
    "call_emergency_services",
    "treat_low_blood_glucose",
    "do_not_give_food_or_drink",
    "check_blood_glucose",
    "check_serum_calcium",
    "ecg",
}
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)
each_version = pytest.mark.parametrize("version", RULESET_VERSIONS)


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


def symptom_entries(ruleset):
    return st.builds(
        lambda code, onset, resolved: {"code": code, "onset": onset, **resolved},
        st.sampled_from(ruleset.symptoms),
        st.sampled_from(list(SYMPTOM_ONSETS)),
        st.fixed_dictionaries({}, optional={"resolved": st.booleans()}),
    )


@st.composite
def payloads(draw, ruleset):
    """A request body that the input contract accepts, built from one rule set's vocabularies."""
    twitch = {
        "locations": draw(st.lists(st.sampled_from(ruleset.locations), min_size=1, unique=True)),
        "side": draw(st.sampled_from(SIDES)),
        "duration_days": draw(st.one_of(st.integers(0, 36500), st.sampled_from([6, 7, 8, 20, 21, 22]))),
        **draw(optional_flags(TWITCH_FLAGS)),
        **draw(st.fixed_dictionaries({}, optional={"onset": st.sampled_from(TWITCH_ONSETS)})),
        **draw(st.fixed_dictionaries({}, optional={"pattern": st.sampled_from(PATTERNS)})),
    }
    payload = {
        "external_id": "form-1",
        "patient": {
            "reference": "pt-test",
            "age_years": draw(st.one_of(st.integers(0, 120), st.sampled_from([0, 1, 2, 5, 6]))),
            "sex": draw(st.sampled_from(SEXES)),
        },
        "twitch": twitch,
    }
    optional_parts = {
        "symptoms": st.lists(symptom_entries(ruleset), max_size=8, unique_by=lambda s: s["code"]),
        "history": st.lists(st.sampled_from(ruleset.history), unique=True),
        "measurements": st.fixed_dictionaries(
            {}, optional={name: measurement_values(name) for name in ruleset.measurements}
        ),
        "context": optional_flags(ruleset.context),
    }
    payload.update(draw(st.fixed_dictionaries({}, optional=optional_parts)))
    return payload


def draw_payload(data, version):
    return data.draw(payloads(RULESETS[version]), label="payload")


def with_symptom(payload, new_symptom):
    return {**payload, "symptoms": [*payload.get("symptoms", []), new_symptom]}


# --- the input ----------------------------------------------------------------------------------


@each_version
@PROPERTY_SETTINGS
@given(data=st.data())
def test_it_generates_only_requests_the_input_contract_accepts(version, data):
    PresentationInput.model_validate(draw_payload(data, version))  # raises on anything the contract refuses


# --- more information never lowers the level; less never raises it wrongly ---------------------------


@each_version
@PROPERTY_SETTINGS
@given(data=st.data())
def test_it_never_lowers_the_level_when_a_symptom_is_added(version, data):
    payload = draw_payload(data, version)
    present = {s["code"] for s in payload.get("symptoms", [])}
    entries = symptom_entries(RULESETS[version]).filter(lambda s: s["code"] not in present)
    new_symptom = data.draw(entries, label="added symptom")

    before = assess_under(version, payload)
    after = assess_under(version, with_symptom(payload, new_symptom))

    assert after.level >= before.level


@each_version
@PROPERTY_SETTINGS
@given(data=st.data())
def test_it_never_lowers_the_level_when_a_history_entry_is_added(version, data):
    payload = draw_payload(data, version)
    present = set(payload.get("history", []))
    absent = [code for code in RULESETS[version].history if code not in present]
    assume(absent)
    added = data.draw(st.sampled_from(absent), label="added history")

    before = assess_under(version, payload)
    after = assess_under(version, {**payload, "history": [*present, added]})

    assert after.level >= before.level


@st.composite
def normal_measurements(draw, ruleset):
    """A measurement of the rule set that is not low: its name and its value as sent."""
    name = draw(st.sampled_from(ruleset.measurements))
    unit = draw(st.sampled_from(sorted(PLAUSIBLE[name])))
    _, high, (_, low) = PLAUSIBLE[name][unit]
    value = draw(st.sampled_from([low, high]) | st.floats(low, high).map(lambda v: max(round(v, 2), low)))
    return name, {"value": value, "unit": unit}


@each_version
@PROPERTY_SETTINGS
@given(data=st.data())
def test_it_never_lowers_the_level_when_a_measurement_that_is_not_low_is_left_out(version, data):
    payload = draw_payload(data, version)
    name, measurement = data.draw(normal_measurements(RULESETS[version]), label="normal measurement")
    others = {k: v for k, v in payload.get("measurements", {}).items() if k != name}

    with_it = assess_under(version, {**payload, "measurements": {**others, name: measurement}})
    without_it = assess_under(version, {**payload, "measurements": others})

    assert without_it.level >= with_it.level


@each_version
@PROPERTY_SETTINGS
@given(data=st.data())
def test_it_never_lowers_the_level_when_the_twitch_side_becomes_unknown(version, data):
    payload = draw_payload(data, version)

    known = assess_under(version, payload)
    unknown = assess_under(version, {**payload, "twitch": {**payload["twitch"], "side": "unknown"}})

    assert unknown.level >= known.level


@each_version
@PROPERTY_SETTINGS
@given(data=st.data())
def test_a_resolved_symptom_never_gives_a_higher_level_than_its_unresolved_twin(version, data):
    payload = draw_payload(data, version)
    assume(payload.get("symptoms"))
    index = data.draw(st.integers(0, len(payload["symptoms"]) - 1), label="symptom")

    def with_resolved(resolved):
        symptoms = [dict(s) for s in payload["symptoms"]]
        symptoms[index]["resolved"] = resolved
        return {**payload, "symptoms": symptoms}

    resolved = assess_under(version, with_resolved(True))
    ongoing = assess_under(version, with_resolved(False))

    assert resolved.level <= ongoing.level


@each_version
@PROPERTY_SETTINGS
@given(data=st.data())
def test_it_reads_neither_sex_nor_the_last_known_well_time(version, data):
    payload = draw_payload(data, version)
    sex = data.draw(st.sampled_from(SEXES), label="sex")
    last_known_well = (datetime.now(UTC) - timedelta(hours=3)).isoformat(timespec="seconds")
    changed = {**payload, "patient": {**payload["patient"], "sex": sex}, "last_known_well": last_known_well}

    assert assess_under(version, changed) == assess_under(version, payload)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_2026_11_ignores_every_input_it_never_had(data):
    payload = draw_payload(data, "2026.11")
    newer = RULESETS["2027.01"]
    added_symptoms = data.draw(
        st.lists(symptom_entries(newer).filter(lambda s: s["code"] not in RULESETS["2026.11"].symptoms), max_size=3,
                 unique_by=lambda s: s["code"]),
        label="symptoms 2026.11 never had",
    )  # fmt: skip
    added_history = data.draw(
        st.lists(st.sampled_from([c for c in newer.history if c not in RULESETS["2026.11"].history]), unique=True)
    )
    extended = {
        **payload,
        "symptoms": [*payload.get("symptoms", []), *added_symptoms],
        "history": [*payload.get("history", []), *added_history],
        "measurements": {**payload.get("measurements", {}), "serum_magnesium": {"value": 0.3, "unit": "mmol/L"}},
        "context": {**payload.get("context", {}), "stopped_heavy_drinking": True},
    }

    assert assess_under("2026.11", extended) == assess_under("2026.11", payload)


# --- determinism -----------------------------------------------------------------------------


@each_version
@PROPERTY_SETTINGS
@given(data=st.data())
def test_it_gives_the_same_result_when_run_twice(version, data):
    payload = draw_payload(data, version)

    first = assess_under(version, payload)
    second = assess_under(version, payload)

    assert first == second
    assert first.ruleset_version == version


@each_version
@PROPERTY_SETTINGS
@given(data=st.data())
def test_it_does_not_depend_on_the_order_of_symptoms_history_or_locations(version, data):
    payload = draw_payload(data, version)
    shuffled = {**payload, "twitch": {**payload["twitch"]}}
    shuffled["twitch"]["locations"] = data.draw(st.permutations(payload["twitch"]["locations"]), label="locations")
    if "symptoms" in payload:
        shuffled["symptoms"] = data.draw(st.permutations(payload["symptoms"]), label="symptoms")
    if "history" in payload:
        shuffled["history"] = data.draw(st.permutations(payload["history"]), label="history")

    original = assess_under(version, payload)
    reordered = assess_under(version, shuffled)

    assert reordered == original


# --- level, flag and score ---------------------------------------------------------------------------


@each_version
@PROPERTY_SETTINGS
@given(data=st.data())
def test_it_flags_exactly_the_urgent_and_emergency_assessments(version, data):
    result = assess_under(version, draw_payload(data, version))

    assert result.flagged is (result.level >= Level.URGENT)
    assert result.flagged is any(f.level in {"urgent", "emergency"} for f in result.findings)


@each_version
@PROPERTY_SETTINGS
@given(data=st.data())
def test_it_takes_the_level_of_the_highest_finding(version, data):
    result = assess_under(version, draw_payload(data, version))

    highest = max((Level.from_code(f.level) for f in result.findings), default=Level.SELF_CARE)
    assert result.level == highest


@each_version
@PROPERTY_SETTINGS
@given(data=st.data())
def test_it_scores_the_sum_of_finding_points_capped_at_100(version, data):
    result = assess_under(version, draw_payload(data, version))

    assert result.score == min(100, sum(f.points for f in result.findings))


@each_version
@PROPERTY_SETTINGS
@given(data=st.data())
def test_it_calls_the_twitch_isolated_exactly_when_nothing_routine_or_above_fired(version, data):
    result = assess_under(version, draw_payload(data, version))

    codes = [f.code for f in result.findings]
    serious = [f for f in result.findings if f.level in LEVELS_AT_OR_ABOVE_ROUTINE]
    assert ("isolated_twitch" in codes) is (not serious)


# --- findings -----------------------------------------------------------------------------------------


@each_version
@PROPERTY_SETTINGS
@given(data=st.data())
def test_it_reports_each_finding_once_in_table_order_with_its_rule_columns(version, data):
    rules = {rule.code: rule for rule in RULESETS[version].rules}
    table_order = list(rules)

    result = assess_under(version, draw_payload(data, version))

    codes = [f.code for f in result.findings]
    assert codes == sorted(codes, key=table_order.index)
    for f in result.findings:
        rule = rules[f.code]
        assert (f.title, f.category, f.level, f.points, f.sources) == (
            rule.title, rule.category, rule.level.code, rule.points, rule.sources,
        )  # fmt: skip


@each_version
@PROPERTY_SETTINGS
@given(data=st.data())
def test_it_cites_known_passages_for_every_finding(version, data):
    known = set(passages())

    result = assess_under(version, draw_payload(data, version))

    assert result.findings
    for f in result.findings:
        assert f.sources, f.code
        assert set(f.sources) <= known, f.code


@each_version
@PROPERTY_SETTINGS
@given(data=st.data())
def test_it_names_only_inputs_that_were_sent(version, data):
    payload = draw_payload(data, version)
    sent = {
        *(f"symptoms.{s['code']}" for s in payload.get("symptoms", [])),
        *(f"history.{code}" for code in payload.get("history", [])),
        *(f"measurements.{name}" for name in payload.get("measurements", {})),
        *(f"context.{name}" for name, value in payload.get("context", {}).items() if value),
        *(f"twitch.locations.{code}" for code in payload["twitch"]["locations"]),
        *(f"twitch.{name}" for name in TWITCH_FLAGS if payload["twitch"].get(name)),
        "twitch.side",
        "twitch.duration_days",
        "patient.age_years",
    }
    if payload["twitch"].get("pattern") == "constant":
        sent.add("twitch.pattern")

    result = assess_under(version, payload)

    for f in result.findings:
        assert set(f.triggered_by) <= sent, f.code
        assert len(f.triggered_by) == len(set(f.triggered_by)), f.code
        assert f.rationale


@PROPERTY_SETTINGS
@given(data=st.data())
def test_2027_01_calls_a_value_severe_only_below_its_severe_threshold(data):
    payload = draw_payload(data, "2027.01")
    measured = payload.get("measurements", {})
    severe = {name for name, m in measured.items() if m["value"] < PLAUSIBLE[name][m["unit"]][2][0]}

    result = assess_under("2027.01", payload)

    for f in result.findings:
        if "severe" in f.rationale.lower():
            assert any(path.removeprefix("measurements.") in severe for path in f.triggered_by), f.rationale


# --- advice -----------------------------------------------------------------------------------------------


@each_version
@PROPERTY_SETTINGS
@given(data=st.data())
def test_it_keeps_the_advice_unique_known_and_consistent_with_the_level(version, data):
    result = assess_under(version, draw_payload(data, version))

    advice = result.recommendations
    assert len(advice) == len(set(advice))
    assert set(advice) <= set(RULESETS[version].recommendations)
    if result.level >= Level.URGENT:
        assert not DROPPED_WHEN_FLAGGED & set(advice)
    if result.level == Level.EMERGENCY:
        assert "call_emergency_services" in advice
        assert "same_day_medical_review" not in advice


@PROPERTY_SETTINGS
@given(data=st.data())
def test_2026_11_puts_the_call_first_in_an_emergency(data):
    result = assess_under("2026.11", draw_payload(data, "2026.11"))

    if result.level == Level.EMERGENCY:
        assert result.recommendations[0] == "call_emergency_services"


@PROPERTY_SETTINGS
@given(data=st.data())
def test_2027_01_advises_only_what_must_happen_now_in_an_emergency(data):
    result = assess_under("2027.01", draw_payload(data, "2027.01"))

    if result.level == Level.EMERGENCY:
        assert set(result.recommendations) <= EMERGENCY_ADVICE_2027_01
        assert result.recommendations[0] in {"call_emergency_services", "treat_low_blood_glucose"}


@PROPERTY_SETTINGS
@given(data=st.data())
def test_2027_01_never_advises_checking_what_was_measured(data):
    payload = draw_payload(data, "2027.01")
    measured = payload.get("measurements", {})

    advice = assess_under("2027.01", payload).recommendations

    assert ("check_blood_glucose" in advice) <= ("blood_glucose" not in measured)
    assert ("check_serum_calcium" in advice) <= ("serum_calcium" not in measured)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_2027_01_gives_first_aid_by_mouth_or_nothing_by_mouth_never_both(data):
    result = assess_under("2027.01", draw_payload(data, "2027.01"))

    advice = result.recommendations
    assert not {"treat_low_blood_glucose", "do_not_give_food_or_drink"} <= set(advice)
    if "treat_low_blood_glucose" in advice:
        stroke = any(f.code == "possible_stroke_or_tia" for f in result.findings)
        assert advice.index("treat_low_blood_glucose") == (1 if stroke else 0)


@each_version
@PROPERTY_SETTINGS
@given(data=st.data())
def test_it_advises_only_what_a_fired_finding_lists(version, data):
    result = assess_under(version, draw_payload(data, version))

    listed = {code for f in result.findings for code in _rule(version, f.code).recommendations}
    if "treat_low_blood_glucose" in listed:
        listed.add("do_not_give_food_or_drink")  # its safe replacement (2027.01, step 4)
    assert set(result.recommendations) <= listed


def _rule(version, code):
    return next(rule for rule in RULESETS[version].rules if rule.code == code)
