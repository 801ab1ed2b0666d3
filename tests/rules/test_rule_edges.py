"""The edges of every rule of rule set 2026.11, written from clinical-rules.md, not from the engine."""

import pytest

from tests.factories import finding_codes, make_payload, symptom
from tests.rules.support import assess_under, calcium, finding, glucose
from triage.rules import RULESETS

VERSION = "2026.11"

FOCAL = (
    "facial_weakness",
    "facial_numbness",
    "one_sided_weakness",
    "one_sided_paralysis",
    "slurred_speech",
    "vision_loss",
    "double_vision",
    "difficulty_swallowing",
)
ACUTE = ("loss_of_balance", "loss_of_coordination", "unsteadiness", "confusion", "drowsiness")
SUDDEN_ONLY = ("headache", "dizziness", "vertigo")
ONSETS = ("sudden", "gradual", "longstanding", "unknown")
ALL_SYMPTOMS = (
    "headache",
    "dizziness",
    "vertigo",
    "loss_of_balance",
    "loss_of_coordination",
    "unsteadiness",
    "facial_weakness",
    "facial_numbness",
    "tingling",
    "one_sided_weakness",
    "one_sided_paralysis",
    "muscle_weakness",
    "double_vision",
    "vision_loss",
    "difficulty_swallowing",
    "slurred_speech",
    "confusion",
    "drowsiness",
    "memory_problems",
    "personality_change",
    "seizure",
    "persistent_nausea_vomiting",
    "palpitations",
    "breathing_difficulty",
    "fainting",
    "anxiety",
    "panic_attack",
    "low_mood",
)


def assess_payload(payload):
    return assess_under(VERSION, payload)


def fired(**payload_fields):
    return finding_codes(assess_payload(make_payload(**payload_fields)))


# --- measurement thresholds ---------------------------------------------------------

SEVERE_CA = {"severe_hypocalcaemia"}
LOW_CA = {"low_calcium"}
NO_CA = set()

CALCIUM_EDGES = [
    # mmol/L: severe low < 1.90, low < 2.20
    pytest.param(1.89, "mmol/L", SEVERE_CA, id="1.89 mmol/L is severe low"),
    pytest.param(1.90, "mmol/L", LOW_CA, id="1.90 mmol/L is low, not severe"),
    pytest.param(1.91, "mmol/L", LOW_CA, id="1.91 mmol/L is low"),
    pytest.param(2.19, "mmol/L", LOW_CA, id="2.19 mmol/L is low"),
    pytest.param(2.20, "mmol/L", NO_CA, id="2.20 mmol/L is normal"),
    pytest.param(2.21, "mmol/L", NO_CA, id="2.21 mmol/L is normal"),
    pytest.param(0.5, "mmol/L", SEVERE_CA, id="0.5 mmol/L plausible minimum is severe low"),
    pytest.param(5.0, "mmol/L", NO_CA, id="5.0 mmol/L plausible maximum is normal"),
    # mg/dL: severe low < 7.6, low < 8.8
    pytest.param(7.5, "mg/dL", SEVERE_CA, id="7.5 mg/dL is severe low"),
    pytest.param(7.59, "mg/dL", SEVERE_CA, id="7.59 mg/dL is severe low"),
    pytest.param(7.6, "mg/dL", LOW_CA, id="7.6 mg/dL is low, not severe"),
    pytest.param(7.7, "mg/dL", LOW_CA, id="7.7 mg/dL is low"),
    pytest.param(8.7, "mg/dL", LOW_CA, id="8.7 mg/dL is low"),
    pytest.param(8.79, "mg/dL", LOW_CA, id="8.79 mg/dL is low"),
    pytest.param(8.8, "mg/dL", NO_CA, id="8.8 mg/dL is normal"),
    pytest.param(8.9, "mg/dL", NO_CA, id="8.9 mg/dL is normal"),
    # mg/dL numbers that would be severe/low in mmol/L must not be read as mmol/L
    pytest.param(2.0, "mg/dL", SEVERE_CA, id="2.0 mg/dL plausible minimum is severe low"),
    pytest.param(20.0, "mg/dL", NO_CA, id="20.0 mg/dL plausible maximum is normal"),
    pytest.param(2.5, "mmol/L", NO_CA, id="2.5 mmol/L is normal though 2.5 mg/dL would be severe"),
]


@pytest.mark.parametrize("kind", [None, "total", "adjusted"], ids=["kind omitted", "kind total", "kind adjusted"])
@pytest.mark.parametrize(("value", "unit", "expected"), CALCIUM_EDGES)
def test_it_grades_serum_calcium_against_the_threshold_of_the_unit_given(value, unit, expected, kind):
    payload = make_payload(measurements=calcium(value, unit, kind))

    codes = finding_codes(assess_payload(payload))

    assert codes & {"severe_hypocalcaemia", "low_calcium", "suspected_hypocalcaemia"} == expected


SEVERE_BG = {"severe_hypoglycaemia"}
LOW_BG = {"low_blood_glucose"}
NO_BG = set()

GLUCOSE_EDGES = [
    # mmol/L: severe low < 3.0, low < 3.9
    pytest.param(2.9, "mmol/L", SEVERE_BG, id="2.9 mmol/L is severe low"),
    pytest.param(2.99, "mmol/L", SEVERE_BG, id="2.99 mmol/L is severe low"),
    pytest.param(3.0, "mmol/L", LOW_BG, id="3.0 mmol/L is low, not severe"),
    pytest.param(3.1, "mmol/L", LOW_BG, id="3.1 mmol/L is low"),
    pytest.param(3.8, "mmol/L", LOW_BG, id="3.8 mmol/L is low"),
    pytest.param(3.89, "mmol/L", LOW_BG, id="3.89 mmol/L is low"),
    pytest.param(3.9, "mmol/L", NO_BG, id="3.9 mmol/L is normal"),
    pytest.param(4.0, "mmol/L", NO_BG, id="4.0 mmol/L is normal"),
    pytest.param(0.5, "mmol/L", SEVERE_BG, id="0.5 mmol/L plausible minimum is severe low"),
    pytest.param(50, "mmol/L", NO_BG, id="50 mmol/L plausible maximum is normal"),
    # mg/dL: severe low < 54, low < 70
    pytest.param(53, "mg/dL", SEVERE_BG, id="53 mg/dL is severe low"),
    pytest.param(53.9, "mg/dL", SEVERE_BG, id="53.9 mg/dL is severe low"),
    pytest.param(54, "mg/dL", LOW_BG, id="54 mg/dL is low, not severe"),
    pytest.param(54.0, "mg/dL", LOW_BG, id="54.0 mg/dL as a float is low, not severe"),
    pytest.param(55, "mg/dL", LOW_BG, id="55 mg/dL is low"),
    pytest.param(69, "mg/dL", LOW_BG, id="69 mg/dL is low"),
    pytest.param(69.9, "mg/dL", LOW_BG, id="69.9 mg/dL is low"),
    pytest.param(70, "mg/dL", NO_BG, id="70 mg/dL is normal"),
    pytest.param(71, "mg/dL", NO_BG, id="71 mg/dL is normal"),
    pytest.param(9, "mg/dL", SEVERE_BG, id="9 mg/dL plausible minimum is severe low"),
    pytest.param(900, "mg/dL", NO_BG, id="900 mg/dL plausible maximum is normal"),
    # a normal mmol/L value is not read as mg/dL
    pytest.param(5.5, "mmol/L", NO_BG, id="5.5 mmol/L is normal though 5.5 mg/dL would be severe"),
]


@pytest.mark.parametrize(("value", "unit", "expected"), GLUCOSE_EDGES)
def test_it_grades_blood_glucose_against_the_threshold_of_the_unit_given(value, unit, expected):
    payload = make_payload(measurements=glucose(value, unit))

    codes = finding_codes(assess_payload(payload))

    assert codes & {"severe_hypoglycaemia", "low_blood_glucose"} == expected


@pytest.mark.parametrize(
    ("measurements", "level"),
    [
        pytest.param(calcium(1.89), "emergency", id="severe low calcium is an emergency"),
        pytest.param(calcium(2.19), "urgent", id="low calcium is urgent"),
        pytest.param(calcium(2.20), "self_care", id="normal calcium is self care"),
        pytest.param(glucose(2.9), "emergency", id="severe low glucose is an emergency"),
        pytest.param(glucose(3.0), "urgent", id="low glucose is urgent"),
        pytest.param(glucose(3.9), "self_care", id="normal glucose is self care"),
    ],
)
def test_it_sets_the_level_from_a_measurement_alone(measurements, level):
    payload = make_payload(measurements=measurements)

    result = assess_payload(payload)

    assert result.level.code == level


# --- stroke signs: FOCAL, ACUTE, SUDDEN-ONLY by onset and resolution------------------------

STROKE = "possible_stroke_or_tia"
TIA = "possible_tia"

# Written out per set from the spec, not computed: (onset, resolved) -> the stroke findings expected.
FOCAL_AND_ACUTE_EXPECTED = {
    ("sudden", False): {STROKE},
    ("sudden", True): {TIA},
    ("unknown", False): {STROKE},
    ("unknown", True): {TIA},
    ("gradual", False): set(),
    ("gradual", True): set(),
    ("longstanding", False): set(),
    ("longstanding", True): set(),
}
SUDDEN_ONLY_EXPECTED = {
    ("sudden", False): {STROKE},
    ("sudden", True): {TIA},
    ("unknown", False): set(),
    ("unknown", True): set(),
    ("gradual", False): set(),
    ("gradual", True): set(),
    ("longstanding", False): set(),
    ("longstanding", True): set(),
}


def _stroke_cases():
    for code_set, codes, table in (
        ("FOCAL", FOCAL, FOCAL_AND_ACUTE_EXPECTED),
        ("ACUTE", ACUTE, FOCAL_AND_ACUTE_EXPECTED),
        ("SUDDEN-ONLY", SUDDEN_ONLY, SUDDEN_ONLY_EXPECTED),
    ):
        for code in codes:
            for (onset, resolved), expected in table.items():
                state = "resolved" if resolved else "ongoing"
                yield pytest.param(code, onset, resolved, expected, id=f"{code_set} {code} {onset} {state}")


@pytest.mark.parametrize(("code", "onset", "resolved", "expected"), list(_stroke_cases()))
def test_it_reads_each_stroke_sign_by_its_onset_and_resolution(code, onset, resolved, expected):
    payload = make_payload(symptoms=[symptom(code, onset, resolved)])

    codes = finding_codes(assess_payload(payload))

    assert codes & {STROKE, TIA} == expected


@pytest.mark.parametrize(
    "code",
    [
        "tingling",
        "muscle_weakness",
        "memory_problems",
        "personality_change",
        "seizure",
        "persistent_nausea_vomiting",
        "palpitations",
        "breathing_difficulty",
        "fainting",
        "anxiety",
        "panic_attack",
        "low_mood",
    ],
)
def test_it_does_not_read_a_symptom_outside_the_stroke_sets_as_a_stroke_sign(code):
    payload = make_payload(symptoms=[symptom(code, "sudden")])

    codes = finding_codes(assess_payload(payload))

    assert codes & {STROKE, TIA} == set()


def test_it_fires_both_stroke_and_tia_when_one_sign_has_resolved_and_another_has_not():
    payload = make_payload(
        symptoms=[symptom("slurred_speech", "sudden", resolved=True), symptom("confusion", "unknown")],
    )

    result = assess_payload(payload)

    assert finding_codes(result) >= {STROKE, TIA}
    assert finding(result, STROKE).triggered_by == ("symptoms.confusion",)
    assert finding(result, TIA).triggered_by == ("symptoms.slurred_speech",)
    assert result.level.code == "emergency"


def test_it_makes_a_resolved_stroke_sign_alone_urgent():
    payload = make_payload(symptoms=[symptom("facial_weakness", "sudden", resolved=True)])

    result = assess_payload(payload)

    assert result.level.code == "urgent"
    assert result.flagged is True


# --- severe hypoglycaemia: the symptom route -----------------------------------------------

HYPO_SYMPTOMS = ("confusion", "slurred_speech", "unsteadiness", "personality_change", "drowsiness", "seizure")


@pytest.mark.parametrize("onset", ["sudden", "gradual", "unknown"])
@pytest.mark.parametrize("code", HYPO_SYMPTOMS)
def test_it_suspects_severe_hypoglycaemia_in_treated_diabetes_with_a_neuroglycopenic_symptom(code, onset):
    payload = make_payload(history=["diabetes_treated"], symptoms=[symptom(code, onset)])

    result = assess_payload(payload)

    assert "severe_hypoglycaemia" in finding_codes(result)
    assert result.level.code == "emergency"


@pytest.mark.parametrize("code", HYPO_SYMPTOMS)
def test_it_does_not_count_a_longstanding_symptom_on_the_route_to_severe_hypoglycaemia(code):
    payload = make_payload(history=["diabetes_treated"], symptoms=[symptom(code, "longstanding")])

    codes = finding_codes(assess_payload(payload))

    assert "severe_hypoglycaemia" not in codes


@pytest.mark.parametrize("code", HYPO_SYMPTOMS)
def test_it_counts_a_resolved_symptom_on_the_route_to_severe_hypoglycaemia(code):
    payload = make_payload(history=["diabetes_treated"], symptoms=[symptom(code, "gradual", resolved=True)])

    codes = finding_codes(assess_payload(payload))

    assert "severe_hypoglycaemia" in codes


@pytest.mark.parametrize("code", HYPO_SYMPTOMS)
def test_it_does_not_suspect_hypoglycaemia_from_symptoms_without_treated_diabetes(code):
    payload = make_payload(symptoms=[symptom(code, "gradual")])

    codes = finding_codes(assess_payload(payload))

    assert "severe_hypoglycaemia" not in codes


@pytest.mark.parametrize(
    "code", ["headache", "dizziness", "memory_problems", "loss_of_balance", "tingling", "muscle_weakness"]
)
def test_it_does_not_suspect_hypoglycaemia_from_symptoms_outside_its_list(code):
    payload = make_payload(history=["diabetes_treated"], symptoms=[symptom(code, "gradual")])

    codes = finding_codes(assess_payload(payload))

    assert "severe_hypoglycaemia" not in codes


@pytest.mark.parametrize(
    ("measurements", "expected"),
    [
        pytest.param(None, {"severe_hypoglycaemia", "glucose_unchecked_in_diabetes"}, id="no glucose fires"),
        pytest.param(glucose(3.5), {"severe_hypoglycaemia"}, id="low not severe 3.5 mmol/L fires, not low"),
        pytest.param(glucose(3.0), {"severe_hypoglycaemia"}, id="low not severe 3.0 mmol/L fires, not low"),
        pytest.param(glucose(3.89), {"severe_hypoglycaemia"}, id="low 3.89 mmol/L fires, not low"),
        pytest.param(glucose(69, "mg/dL"), {"severe_hypoglycaemia"}, id="low 69 mg/dL fires, not low"),
        pytest.param(glucose(2.5), {"severe_hypoglycaemia"}, id="severe low glucose fires, not low"),
        pytest.param(glucose(3.9), set(), id="normal 3.9 mmol/L rules it out"),
        pytest.param(glucose(5.5), set(), id="normal 5.5 mmol/L rules it out"),
        pytest.param(glucose(70, "mg/dL"), set(), id="normal 70 mg/dL rules it out"),
        pytest.param(glucose(100, "mg/dL"), set(), id="normal 100 mg/dL rules it out"),
    ],
)
def test_it_lets_a_given_normal_glucose_rule_out_the_symptom_route_to_severe_hypoglycaemia(measurements, expected):
    payload = make_payload(
        history=["diabetes_treated"], symptoms=[symptom("confusion", "gradual")], measurements=measurements
    )

    codes = finding_codes(assess_payload(payload))

    assert codes & {"severe_hypoglycaemia", "low_blood_glucose", "glucose_unchecked_in_diabetes"} == expected


# --- glucose unchecked in diabetes ------------------------------------------------------------


@pytest.mark.parametrize(
    ("history", "measurements", "expected"),
    [
        pytest.param(["diabetes_treated"], None, True, id="treated diabetes without glucose fires"),
        pytest.param(["diabetes_treated"], glucose(5.5), False, id="treated diabetes with normal glucose does not"),
        pytest.param(["diabetes_treated"], glucose(3.5), False, id="treated diabetes with low glucose does not"),
        pytest.param(["diabetes_treated"], calcium(2.4), True, id="a calcium is not a glucose"),
        pytest.param([], None, False, id="no diabetes does not"),
    ],
)
def test_it_flags_unchecked_glucose_only_in_treated_diabetes_without_a_glucose(history, measurements, expected):
    payload = make_payload(history=history, measurements=measurements)

    result = assess_payload(payload)

    assert ("glucose_unchecked_in_diabetes" in finding_codes(result)) is expected


def test_it_grades_treated_diabetes_without_glucose_or_symptoms_as_routine():
    payload = make_payload(history=["diabetes_treated"])

    result = assess_payload(payload)

    assert finding_codes(result) == {"glucose_unchecked_in_diabetes"}
    assert result.level.code == "routine"


# --- longstanding neuro symptom and the prior-stroke exception -----------------------------

LONGSTANDING_LISTED = (*FOCAL, *ACUTE, "persistent_nausea_vomiting", "memory_problems", "personality_change", "seizure")
LONGSTANDING_UNLISTED = tuple(code for code in ALL_SYMPTOMS if code not in LONGSTANDING_LISTED)


@pytest.mark.parametrize("code", LONGSTANDING_LISTED)
def test_it_refers_a_longstanding_listed_neuro_symptom(code):
    payload = make_payload(symptoms=[symptom(code, "longstanding")])

    codes = finding_codes(assess_payload(payload))

    assert "longstanding_neuro_symptom" in codes


@pytest.mark.parametrize("code", LONGSTANDING_UNLISTED)
def test_it_does_not_refer_a_longstanding_symptom_outside_the_list(code):
    payload = make_payload(symptoms=[symptom(code, "longstanding")])

    codes = finding_codes(assess_payload(payload))

    assert "longstanding_neuro_symptom" not in codes


@pytest.mark.parametrize("onset", ["sudden", "gradual", "unknown"])
@pytest.mark.parametrize("code", ["slurred_speech", "confusion", "memory_problems", "seizure"])
def test_it_does_not_read_other_onsets_as_longstanding(code, onset):
    payload = make_payload(symptoms=[symptom(code, onset)])

    codes = finding_codes(assess_payload(payload))

    assert "longstanding_neuro_symptom" not in codes


@pytest.mark.parametrize(
    ("history", "symptoms", "expected"),
    [
        pytest.param(
            [], [symptom("one_sided_weakness", "longstanding")], {"longstanding_neuro_symptom"}, id="weakness no stroke"
        ),
        pytest.param(
            [],
            [symptom("one_sided_paralysis", "longstanding")],
            {"longstanding_neuro_symptom"},
            id="paralysis no stroke",
        ),
        pytest.param(
            ["prior_stroke"],
            [symptom("one_sided_weakness", "longstanding")],
            {"post_stroke_recovery_twitch"},
            id="weakness after stroke",
        ),
        pytest.param(
            ["prior_stroke"],
            [symptom("one_sided_paralysis", "longstanding")],
            {"post_stroke_recovery_twitch"},
            id="paralysis after stroke",
        ),
        pytest.param(
            ["prior_stroke"],
            [symptom("one_sided_weakness", "longstanding", resolved=True)],
            {"post_stroke_recovery_twitch"},
            id="resolved weakness after stroke still counts",
        ),
        pytest.param(
            ["prior_stroke"],
            [symptom("one_sided_weakness", "longstanding"), symptom("slurred_speech", "longstanding")],
            {"post_stroke_recovery_twitch", "longstanding_neuro_symptom"},
            id="after stroke another listed symptom still refers",
        ),
        pytest.param(
            ["prior_stroke"],
            [symptom("facial_weakness", "longstanding")],
            {"longstanding_neuro_symptom"},
            id="after stroke facial weakness still refers",
        ),
        pytest.param(
            ["prior_stroke"],
            [symptom("one_sided_weakness", "gradual")],
            set(),
            id="gradual weakness after stroke is not recovery",
        ),
        pytest.param(
            ["prior_stroke"],
            [symptom("one_sided_paralysis", "unknown")],
            set(),
            id="unknown paralysis after stroke is not recovery",
        ),
        pytest.param(["prior_stroke"], [], set(), id="prior stroke alone"),
        pytest.param(
            ["prior_stroke"],
            [symptom("muscle_weakness", "longstanding")],
            set(),
            id="muscle weakness after stroke is not recovery",
        ),
    ],
)
def test_it_applies_the_prior_stroke_exception(history, symptoms, expected):
    payload = make_payload(history=history, symptoms=symptoms)

    codes = finding_codes(assess_payload(payload))

    assert codes & {"longstanding_neuro_symptom", "post_stroke_recovery_twitch"} == expected


def test_it_grades_post_stroke_recovery_alone_as_routine():
    payload = make_payload(history=["prior_stroke"], symptoms=[symptom("one_sided_weakness", "longstanding")])

    result = assess_payload(payload)

    assert result.level.code == "routine"
    assert "isolated_twitch" not in finding_codes(result)


# --- severe hypocalcaemia companions ---------------------------------------------------------


@pytest.mark.parametrize(
    ("measurements", "symptoms", "locations", "expected"),
    [
        pytest.param(calcium(2.0), [], ["eyelid"], {"low_calcium"}, id="low calcium alone is low"),
        pytest.param(
            calcium(2.0), [symptom("palpitations", "sudden")], ["eyelid"], SEVERE_CA, id="low calcium + palpitations"
        ),
        pytest.param(
            calcium(2.0),
            [symptom("palpitations", "longstanding", resolved=True)],
            ["eyelid"],
            SEVERE_CA,
            id="low calcium + resolved longstanding palpitations",
        ),
        pytest.param(calcium(2.0), [symptom("seizure", "gradual")], ["eyelid"], SEVERE_CA, id="low calcium + seizure"),
        pytest.param(
            calcium(2.0), [symptom("seizure", "longstanding")], ["eyelid"], SEVERE_CA, id="low + longstanding seizure"
        ),
        pytest.param(calcium(2.0), [], ["hand"], SEVERE_CA, id="low calcium + hand twitch"),
        pytest.param(calcium(2.19), [], ["eyelid", "hand"], SEVERE_CA, id="2.19 mmol/L + hand twitch"),
        pytest.param(calcium(8.0, "mg/dL"), [symptom("palpitations", "unknown")], ["eyelid"], SEVERE_CA, id="mg/dL"),
        pytest.param(calcium(2.0, kind="adjusted"), [], ["hand"], SEVERE_CA, id="adjusted low calcium + hand twitch"),
        pytest.param(calcium(2.0), [symptom("tingling", "sudden")], ["eyelid"], LOW_CA, id="tingling is no companion"),
        pytest.param(calcium(2.0), [], ["arm", "mouth"], LOW_CA, id="arm or mouth is no companion"),
        pytest.param(calcium(2.20), [symptom("palpitations", "sudden")], ["hand"], set(), id="normal calcium 2.20"),
        pytest.param(calcium(8.8, "mg/dL"), [symptom("seizure", "sudden")], ["hand"], set(), id="normal 8.8 mg/dL"),
        pytest.param(None, [symptom("palpitations", "sudden")], ["eyelid"], set(), id="no calcium given"),
    ],
)
def test_it_escalates_low_calcium_to_severe_with_a_companion(measurements, symptoms, locations, expected):
    payload = make_payload(measurements=measurements, symptoms=symptoms, locations=locations)

    codes = finding_codes(assess_payload(payload))

    assert codes & {"severe_hypocalcaemia", "low_calcium"} == expected


# --- suspected hypocalcaemia ---------------------------------------------------------------

SURGERY = ["thyroid_or_parathyroid_surgery"]


@pytest.mark.parametrize(
    ("history", "locations", "symptoms", "expected"),
    [
        # branch (a): surgery + a location among mouth, cheek, whole_side_of_face, hand, widespread
        pytest.param(SURGERY, ["mouth"], [], True, id="a surgery + mouth"),
        pytest.param(SURGERY, ["cheek"], [], True, id="a surgery + cheek"),
        pytest.param(SURGERY, ["whole_side_of_face"], [], True, id="a surgery + whole side of face"),
        pytest.param(SURGERY, ["hand"], [], True, id="a surgery + hand"),
        pytest.param(SURGERY, ["widespread"], [], True, id="a surgery + widespread"),
        pytest.param(SURGERY, ["eyelid", "cheek"], [], True, id="a surgery + eyelid and cheek"),
        # branch (a): surgery + tingling
        pytest.param(SURGERY, ["eyelid"], [symptom("tingling", "sudden")], True, id="a surgery + tingling"),
        pytest.param(
            SURGERY, ["eyelid"], [symptom("tingling", "longstanding", True)], True, id="a surgery + old tingling"
        ),
        # surgery without a qualifying location or tingling
        pytest.param(SURGERY, ["eyelid"], [], False, id="surgery + eyelid"),
        pytest.param(SURGERY, ["around_eye"], [], False, id="surgery + around eye"),
        pytest.param(SURGERY, ["forehead"], [], False, id="surgery + forehead"),
        pytest.param(SURGERY, ["jaw"], [], False, id="surgery + jaw"),
        pytest.param(SURGERY, ["neck", "arm", "leg", "trunk"], [], False, id="surgery + neck arm leg trunk"),
        pytest.param(SURGERY, ["eyelid"], [symptom("palpitations", "sudden")], False, id="surgery + palpitations"),
        pytest.param(SURGERY, ["eyelid"], [symptom("muscle_weakness", "sudden")], False, id="surgery + weakness"),
        # branch (b): mouth or hand + palpitations, muscle_weakness or tingling
        pytest.param([], ["mouth"], [symptom("palpitations", "longstanding")], True, id="b mouth + palpitations"),
        pytest.param([], ["mouth"], [symptom("muscle_weakness", "gradual")], True, id="b mouth + muscle weakness"),
        pytest.param([], ["mouth"], [symptom("tingling", "unknown")], True, id="b mouth + tingling"),
        pytest.param([], ["hand"], [symptom("palpitations", "sudden")], True, id="b hand + palpitations"),
        pytest.param([], ["hand"], [symptom("muscle_weakness", "longstanding")], True, id="b hand + muscle weakness"),
        pytest.param([], ["hand"], [symptom("tingling", "gradual", True)], True, id="b hand + resolved tingling"),
        # no branch
        pytest.param([], ["mouth"], [], False, id="mouth alone"),
        pytest.param([], ["hand"], [], False, id="hand alone"),
        pytest.param([], ["cheek"], [symptom("tingling", "sudden")], False, id="cheek + tingling without surgery"),
        pytest.param([], ["widespread"], [symptom("palpitations", "sudden")], False, id="widespread + palpitations"),
        pytest.param([], ["eyelid"], [symptom("tingling", "sudden")], False, id="eyelid + tingling"),
        pytest.param([], ["mouth"], [symptom("seizure", "sudden")], False, id="mouth + seizure"),
    ],
)
def test_it_suspects_hypocalcaemia_on_either_branch_when_no_calcium_is_given(history, locations, symptoms, expected):
    payload = make_payload(history=history, locations=locations, symptoms=symptoms)

    codes = finding_codes(assess_payload(payload))

    assert ("suspected_hypocalcaemia" in codes) is expected


@pytest.mark.parametrize(
    "measurements",
    [
        pytest.param(calcium(2.4), id="normal mmol/L"),
        pytest.param(calcium(9.5, "mg/dL"), id="normal mg/dL"),
        pytest.param(calcium(2.20, kind="adjusted"), id="normal adjusted at threshold"),
        pytest.param(calcium(2.0), id="low"),
        pytest.param(calcium(1.5), id="severe low"),
    ],
)
@pytest.mark.parametrize(
    ("history", "locations", "symptoms"),
    [
        pytest.param(SURGERY, ["mouth"], [], id="branch a"),
        pytest.param([], ["hand"], [symptom("tingling", "sudden")], id="branch b"),
    ],
)
def test_it_does_not_suspect_hypocalcaemia_when_any_calcium_is_given(history, locations, symptoms, measurements):
    payload = make_payload(history=history, locations=locations, symptoms=symptoms, measurements=measurements)

    codes = finding_codes(assess_payload(payload))

    assert "suspected_hypocalcaemia" not in codes


def test_it_still_suspects_hypocalcaemia_when_only_a_glucose_is_given():
    payload = make_payload(history=SURGERY, locations=["mouth"], measurements=glucose(5.5))

    codes = finding_codes(assess_payload(payload))

    assert "suspected_hypocalcaemia" in codes


# --- symptom-onset rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("symptoms", "expected"),
    [
        pytest.param([symptom("muscle_weakness", "sudden")], True, id="sudden weakness"),
        pytest.param([symptom("muscle_weakness", "sudden", True)], True, id="sudden resolved weakness"),
        pytest.param([symptom("muscle_weakness", "gradual")], False, id="gradual weakness alone"),
        pytest.param([symptom("muscle_weakness", "unknown")], False, id="unknown weakness alone"),
        pytest.param([symptom("muscle_weakness", "longstanding")], False, id="longstanding weakness alone"),
        *[
            pytest.param(
                [symptom("muscle_weakness", onset), symptom(companion, companion_onset)],
                True,
                id=f"{onset} weakness + {companion_onset} {companion}",
            )
            for onset in ("gradual", "unknown")
            for companion, companion_onset in (
                ("tingling", "longstanding"),
                ("difficulty_swallowing", "gradual"),
                ("loss_of_balance", "sudden"),
                ("loss_of_coordination", "unknown"),
                ("unsteadiness", "longstanding"),
            )
        ],
        *[
            pytest.param(
                [symptom("muscle_weakness", "longstanding"), symptom(companion, "sudden")],
                False,
                id=f"longstanding weakness + {companion}",
            )
            for companion in ("tingling", "difficulty_swallowing", "loss_of_balance")
        ],
        pytest.param(
            [symptom("muscle_weakness", "gradual"), symptom("dizziness", "sudden")], False, id="gradual + dizziness"
        ),
        pytest.param(
            [symptom("muscle_weakness", "gradual"), symptom("palpitations", "sudden")],
            False,
            id="gradual + palpitations",
        ),
        pytest.param([symptom("tingling", "sudden")], False, id="tingling without weakness"),
    ],
)
def test_it_flags_rapidly_progressive_weakness(symptoms, expected):
    payload = make_payload(symptoms=symptoms)

    codes = finding_codes(assess_payload(payload))

    assert ("rapidly_progressive_weakness" in codes) is expected


BRAINSTEM_CODES = ("difficulty_swallowing", "facial_weakness", "facial_numbness", "double_vision", "slurred_speech")


@pytest.mark.parametrize("resolved", [False, True], ids=["ongoing", "resolved"])
@pytest.mark.parametrize(
    ("code", "onset", "expected"),
    [
        pytest.param(code, onset, onset == "gradual", id=f"{code} {onset}")
        for code in BRAINSTEM_CODES
        for onset in ONSETS
    ]
    + [
        pytest.param(code, "gradual", False, id=f"{code} gradual is not brainstem")
        for code in ("vision_loss", "one_sided_weakness", "confusion", "loss_of_balance", "vertigo")
    ],
)
def test_it_flags_brainstem_signs_only_for_gradual_onset(code, onset, expected, resolved):
    payload = make_payload(symptoms=[symptom(code, onset, resolved)])

    codes = finding_codes(assess_payload(payload))

    assert ("brainstem_signs" in codes) is expected


INTRACRANIAL_EXPECTED = {
    # code: onsets that fire intracranial_tumour_signs
    "persistent_nausea_vomiting": {"sudden", "gradual", "unknown"},
    "memory_problems": {"sudden", "gradual", "unknown"},
    "personality_change": {"sudden", "gradual", "unknown"},
    "confusion": {"gradual"},
    "drowsiness": {"gradual"},
    "vision_loss": {"gradual"},
    "one_sided_weakness": {"gradual"},
    "one_sided_paralysis": {"gradual"},
    "seizure": {"gradual"},
    "headache": set(),
    "slurred_speech": set(),
    "loss_of_balance": set(),
    "muscle_weakness": set(),
}


@pytest.mark.parametrize("resolved", [False, True], ids=["ongoing", "resolved"])
@pytest.mark.parametrize(
    ("code", "onset", "expected"),
    [
        pytest.param(code, onset, onset in onsets, id=f"{code} {onset}")
        for code, onsets in INTRACRANIAL_EXPECTED.items()
        for onset in ONSETS
    ],
)
def test_it_flags_intracranial_tumour_signs_by_onset(code, onset, expected, resolved):
    payload = make_payload(symptoms=[symptom(code, onset, resolved)])

    codes = finding_codes(assess_payload(payload))

    assert ("intracranial_tumour_signs" in codes) is expected


@pytest.mark.parametrize(
    ("onset", "resolved", "expected"),
    [
        pytest.param("sudden", False, True, id="sudden"),
        pytest.param("sudden", True, True, id="sudden resolved"),
        pytest.param("unknown", False, True, id="unknown"),
        pytest.param("unknown", True, True, id="unknown resolved"),
        pytest.param("gradual", False, False, id="gradual"),
        pytest.param("gradual", True, False, id="gradual resolved"),
        pytest.param("longstanding", False, False, id="longstanding"),
        pytest.param("longstanding", True, False, id="longstanding resolved"),
    ],
)
def test_it_treats_a_new_or_unknown_seizure_as_an_emergency(onset, resolved, expected):
    payload = make_payload(symptoms=[symptom("seizure", onset, resolved)])

    result = assess_payload(payload)

    assert ("seizure" in finding_codes(result)) is expected
    assert (result.level.code == "emergency") is expected


@pytest.mark.parametrize("onset", ONSETS)
@pytest.mark.parametrize(
    ("resolved", "expected"),
    [
        pytest.param(False, {"breathing_or_fainting"}, id="ongoing"),
        pytest.param(True, {"recent_breathing_or_fainting"}, id="resolved"),
    ],
)
@pytest.mark.parametrize("code", ["breathing_difficulty", "fainting"])
def test_it_reads_breathing_difficulty_and_fainting_by_resolution_only(code, resolved, expected, onset):
    payload = make_payload(symptoms=[symptom(code, onset, resolved)])

    codes = finding_codes(assess_payload(payload))

    assert codes & {"breathing_or_fainting", "recent_breathing_or_fainting"} == expected


def test_it_fires_both_breathing_rules_when_one_has_resolved_and_the_other_has_not():
    payload = make_payload(
        symptoms=[symptom("breathing_difficulty", "sudden"), symptom("fainting", "sudden", resolved=True)]
    )

    codes = finding_codes(assess_payload(payload))

    assert codes >= {"breathing_or_fainting", "recent_breathing_or_fainting"}


TWITCH_WITH_SYMPTOM_EXPECTED = {
    # code: onsets that fire twitch_with_significant_symptom
    "muscle_weakness": {"sudden", "gradual", "longstanding", "unknown"},
    "palpitations": {"sudden", "gradual", "longstanding", "unknown"},
    "headache": {"gradual", "longstanding", "unknown"},
    "dizziness": {"gradual", "longstanding", "unknown"},
    "vertigo": {"gradual", "longstanding", "unknown"},
    "loss_of_balance": {"gradual", "longstanding"},
    "loss_of_coordination": {"gradual", "longstanding"},
    "unsteadiness": {"gradual", "longstanding"},
    "tingling": set(),
    "confusion": set(),
    "anxiety": set(),
}


@pytest.mark.parametrize(
    ("code", "onset", "expected"),
    [
        pytest.param(code, onset, onset in onsets, id=f"{code} {onset}")
        for code, onsets in TWITCH_WITH_SYMPTOM_EXPECTED.items()
        for onset in ONSETS
    ],
)
def test_it_flags_a_twitch_with_a_significant_symptom_by_onset(code, onset, expected):
    payload = make_payload(symptoms=[symptom(code, onset)])

    codes = finding_codes(assess_payload(payload))

    assert ("twitch_with_significant_symptom" in codes) is expected


@pytest.mark.parametrize(
    ("symptoms", "history", "expected"),
    [
        pytest.param([symptom("anxiety", "sudden")], [], {"sudden_mood_change"}, id="sudden anxiety"),
        pytest.param([symptom("low_mood", "sudden")], [], {"sudden_mood_change"}, id="sudden low mood"),
        pytest.param([symptom("low_mood", "sudden", True)], [], {"sudden_mood_change"}, id="resolved low mood"),
        pytest.param([symptom("anxiety", "gradual")], [], {"anxiety_related"}, id="gradual anxiety"),
        pytest.param([symptom("anxiety", "longstanding")], [], {"anxiety_related"}, id="longstanding anxiety"),
        pytest.param([symptom("anxiety", "unknown")], [], {"anxiety_related"}, id="unknown anxiety"),
        pytest.param([symptom("low_mood", "gradual")], [], set(), id="gradual low mood"),
        pytest.param([symptom("low_mood", "longstanding")], [], set(), id="longstanding low mood"),
        pytest.param([symptom("low_mood", "unknown")], [], set(), id="unknown low mood"),
        *[
            pytest.param([symptom("panic_attack", onset)], [], {"anxiety_related"}, id=f"{onset} panic attack")
            for onset in ONSETS
        ],
        pytest.param([], ["anxiety_disorder"], {"anxiety_related"}, id="anxiety disorder"),
        pytest.param(
            [symptom("anxiety", "sudden")],
            ["anxiety_disorder"],
            {"sudden_mood_change", "anxiety_related"},
            id="sudden anxiety with anxiety disorder",
        ),
        pytest.param(
            [symptom("low_mood", "sudden"), symptom("anxiety", "gradual")],
            [],
            {"sudden_mood_change", "anxiety_related"},
            id="sudden low mood and gradual anxiety",
        ),
    ],
)
def test_it_separates_sudden_mood_change_from_anxiety(symptoms, history, expected):
    payload = make_payload(symptoms=symptoms, history=history)

    codes = finding_codes(assess_payload(payload))

    assert codes & {"sudden_mood_change", "anxiety_related"} == expected


@pytest.mark.parametrize(
    ("history", "code"),
    [
        pytest.param(["facial_nerve_injury"], "facial_nerve_injury", id="facial nerve injury"),
        pytest.param(["multiple_sclerosis"], "ms_related_twitch", id="multiple sclerosis"),
    ],
)
def test_it_flags_a_routine_history_finding(history, code):
    payload = make_payload(history=history)

    result = assess_payload(payload)

    assert finding_codes(result) == {code}
    assert result.level.code == "routine"


# --- twitch shape: hemifacial pattern and possible focal seizure ----------------------------


@pytest.mark.parametrize(
    ("locations", "side", "expected"),
    [
        pytest.param(["eyelid"], "left", False, id="eyelid alone"),
        pytest.param(["eyelid", "around_eye"], "left", False, id="eyelid and around eye are one region"),
        pytest.param(["around_eye"], "unknown", False, id="around eye alone"),
        pytest.param(["cheek"], "right", False, id="cheek alone"),
        pytest.param(["eyelid", "neck"], "left", False, id="eyelid and neck"),
        pytest.param(["cheek", "arm"], "left", False, id="cheek and arm"),
        pytest.param(["mouth", "widespread"], "left", False, id="mouth and widespread"),
        pytest.param(["eyelid", "cheek"], "left", True, id="eyelid and cheek left"),
        pytest.param(["eyelid", "cheek"], "right", True, id="eyelid and cheek right"),
        pytest.param(["eyelid", "cheek"], "unknown", True, id="eyelid and cheek unknown side"),
        pytest.param(["eyelid", "cheek"], "both", False, id="eyelid and cheek both sides"),
        pytest.param(["around_eye", "mouth"], "left", True, id="around eye and mouth"),
        pytest.param(["forehead", "jaw"], "right", True, id="forehead and jaw"),
        pytest.param(["cheek", "mouth"], "left", True, id="cheek and mouth"),
        pytest.param(["eyelid", "around_eye", "forehead"], "left", True, id="periocular and forehead"),
        pytest.param(["whole_side_of_face"], "left", True, id="whole side of face left"),
        pytest.param(["whole_side_of_face"], "unknown", True, id="whole side of face unknown side"),
        pytest.param(["whole_side_of_face"], "both", False, id="whole side of face both sides"),
        pytest.param(["forehead", "cheek", "mouth", "jaw"], "both", False, id="four regions both sides"),
    ],
)
def test_it_recognises_a_hemifacial_pattern(locations, side, expected):
    payload = make_payload(locations=locations, side=side)

    codes = finding_codes(assess_payload(payload))

    assert ("hemifacial_pattern" in codes) is expected


@pytest.mark.parametrize(
    ("locations", "side", "expected"),
    [
        pytest.param(["eyelid", "hand"], "left", True, id="eyelid and hand left"),
        pytest.param(["eyelid", "hand"], "right", True, id="eyelid and hand right"),
        pytest.param(["eyelid", "hand"], "unknown", True, id="eyelid and hand unknown side"),
        pytest.param(["eyelid", "hand"], "both", False, id="eyelid and hand both sides"),
        pytest.param(["around_eye", "arm"], "left", True, id="around eye and arm"),
        pytest.param(["forehead", "leg"], "right", True, id="forehead and leg"),
        pytest.param(["jaw", "arm", "leg"], "left", True, id="jaw arm and leg"),
        pytest.param(["whole_side_of_face", "leg"], "unknown", True, id="whole side of face and leg"),
        pytest.param(["mouth", "hand"], "left", True, id="mouth and hand"),
        pytest.param(["eyelid"], "left", False, id="eyelid alone"),
        pytest.param(["eyelid", "neck"], "left", False, id="neck is not a limb"),
        pytest.param(["eyelid", "trunk"], "left", False, id="trunk is not a limb"),
        pytest.param(["eyelid", "widespread"], "left", False, id="widespread is not a limb"),
        pytest.param(["arm", "leg"], "left", False, id="limbs without face"),
        pytest.param(["neck", "hand"], "left", False, id="neck and hand"),
    ],
)
def test_it_suspects_a_focal_seizure_when_face_and_limb_twitch_on_one_side(locations, side, expected):
    payload = make_payload(locations=locations, side=side)

    codes = finding_codes(assess_payload(payload))

    assert ("possible_focal_seizure" in codes) is expected


def test_it_reports_the_twitch_locations_that_made_the_hemifacial_pattern():
    payload = make_payload(locations=["eyelid", "cheek", "neck"], side="left")

    result = assess_payload(payload)

    triggered_by = set(finding(result, "hemifacial_pattern").triggered_by)
    assert {"twitch.locations.eyelid", "twitch.locations.cheek"} <= triggered_by
    assert "twitch.locations.neck" not in triggered_by


# --- course of the twitch and context ---------------------------------------------------------


@pytest.mark.parametrize(
    ("duration_days", "expected"),
    [
        pytest.param(0, False, id="0 days"),
        pytest.param(20, False, id="20 days"),
        pytest.param(21, True, id="21 days"),
        pytest.param(22, True, id="22 days"),
        pytest.param(36500, True, id="36500 days"),
    ],
)
def test_it_calls_a_twitch_persistent_from_21_days(duration_days, expected):
    payload = make_payload(duration_days=duration_days)

    codes = finding_codes(assess_payload(payload))

    assert ("persistent_twitch" in codes) is expected


@pytest.mark.parametrize(
    ("flag", "code", "level"),
    [
        pytest.param("spreading", "spreading_twitch", "routine", id="spreading"),
        pytest.param("worsening", "worsening_twitch", "routine", id="worsening"),
        pytest.param("interferes_with_vision", "twitch_affects_vision", "routine", id="interferes with vision"),
        pytest.param("loss_of_facial_control", "loss_of_facial_control", "urgent", id="loss of facial control"),
    ],
)
@pytest.mark.parametrize("value", [True, False], ids=["true", "false"])
def test_it_flags_each_twitch_flag_only_when_true(flag, code, level, value):
    payload = make_payload(**{flag: value})

    result = assess_payload(payload)

    if value:
        assert finding_codes(result) == {code}
        assert result.level.code == level
    else:
        assert finding_codes(result) == {"isolated_twitch"}
        assert result.level.code == "self_care"


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        pytest.param({"poor_sleep": True}, {"sleep_or_stress"}, id="poor sleep"),
        pytest.param({"high_stress": True}, {"sleep_or_stress"}, id="high stress"),
        pytest.param({"poor_sleep": True, "high_stress": True}, {"sleep_or_stress"}, id="poor sleep and stress"),
        pytest.param({"low_fluid_intake": True}, {"dehydration"}, id="low fluid intake"),
        pytest.param(
            {"poor_sleep": True, "high_stress": True, "low_fluid_intake": True},
            {"sleep_or_stress", "dehydration"},
            id="all context flags",
        ),
        pytest.param({"poor_sleep": False, "high_stress": False, "low_fluid_intake": False}, set(), id="all false"),
        pytest.param({}, set(), id="empty context"),
    ],
)
def test_it_gives_self_care_context_findings_alongside_an_isolated_twitch(context, expected):
    payload = make_payload(context=context)

    result = assess_payload(payload)

    assert finding_codes(result) == expected | {"isolated_twitch"}
    assert result.level.code == "self_care"
    assert result.flagged is False


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param({}, True, id="nothing else"),
        pytest.param({"context": {"poor_sleep": True, "low_fluid_intake": True}}, True, id="self care context"),
        pytest.param({"history": ["anxiety_disorder"]}, True, id="anxiety disorder"),
        pytest.param({"symptoms": [symptom("panic_attack", "sudden")]}, True, id="panic attack"),
        pytest.param({"symptoms": [symptom("low_mood", "gradual")]}, True, id="no rule for gradual low mood"),
        pytest.param({"history": ["prior_stroke"]}, True, id="prior stroke alone"),
        pytest.param({"measurements": glucose(5.5)}, True, id="normal glucose"),
        pytest.param({"duration_days": 21}, False, id="persistent"),
        pytest.param({"history": ["multiple_sclerosis"]}, False, id="multiple sclerosis"),
        pytest.param({"locations": ["whole_side_of_face"]}, False, id="hemifacial"),
        pytest.param({"measurements": calcium(2.0)}, False, id="low calcium"),
        pytest.param({"symptoms": [symptom("fainting", "sudden")]}, False, id="fainting"),
        pytest.param(
            {"duration_days": 30, "context": {"high_stress": True}}, False, id="routine with self care context"
        ),
    ],
)
def test_it_calls_the_twitch_isolated_only_when_nothing_routine_or_above_fired(fields, expected):
    payload = make_payload(**fields)

    codes = finding_codes(assess_payload(payload))

    assert ("isolated_twitch" in codes) is expected


# --- levels, flag, score -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "level", "flagged"),
    [
        pytest.param({}, "self_care", False, id="self care"),
        pytest.param({"context": {"poor_sleep": True}}, "self_care", False, id="self care with context"),
        pytest.param({"duration_days": 21}, "routine", False, id="routine"),
        pytest.param({"loss_of_facial_control": True}, "urgent", True, id="urgent"),
        pytest.param({"symptoms": [symptom("vertigo", "sudden", True)]}, "urgent", True, id="urgent tia"),
        pytest.param({"symptoms": [symptom("breathing_difficulty", "gradual")]}, "emergency", True, id="emergency"),
    ],
)
def test_it_flags_exactly_urgent_and_emergency_assessments(fields, level, flagged):
    payload = make_payload(**fields)

    result = assess_payload(payload)

    assert result.level.code == level
    assert result.flagged is flagged


@pytest.mark.parametrize(
    ("fields", "score"),
    [
        pytest.param({}, 0, id="isolated twitch scores 0"),
        pytest.param({"context": {"poor_sleep": True, "low_fluid_intake": True}}, 2, id="two self care findings"),
        pytest.param({"duration_days": 30, "spreading": True, "worsening": True}, 15, id="three routine findings"),
        pytest.param(
            {"symptoms": [symptom("slurred_speech", "sudden"), symptom("seizure", "sudden")], "duration_days": 21},
            85,
            id="stroke seizure and persistent",
        ),
        pytest.param(
            {
                "symptoms": [symptom("slurred_speech", "sudden"), symptom("seizure", "sudden")],
                "loss_of_facial_control": True,
            },
            100,
            id="exactly 100",
        ),
        pytest.param(
            {
                "symptoms": [
                    symptom("slurred_speech", "sudden"),
                    symptom("seizure", "sudden"),
                    symptom("breathing_difficulty", "sudden"),
                ],
                "loss_of_facial_control": True,
                "duration_days": 30,
            },
            100,
            id="145 points capped at 100",
        ),
    ],
)
def test_it_scores_the_sum_of_points_capped_at_100(fields, score):
    payload = make_payload(**fields)

    result = assess_payload(payload)

    assert result.score == score


# --- recommendations ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "level", "recommendations"),
    [
        pytest.param(
            {"context": {"poor_sleep": True, "low_fluid_intake": True}},
            "self_care",
            ("hydration", "rest_and_stress_reduction", "watchful_waiting"),
            id="self care keeps everything",
        ),
        pytest.param(
            {"duration_days": 21, "context": {"poor_sleep": True, "low_fluid_intake": True}},
            "routine",
            ("book_appointment", "hydration", "rest_and_stress_reduction"),
            id="routine keeps book appointment and self care advice",
        ),
        pytest.param(
            {
                "loss_of_facial_control": True,
                "duration_days": 21,
                "context": {"high_stress": True, "low_fluid_intake": True},
            },
            "urgent",
            ("same_day_medical_review",),
            id="urgent drops book appointment, rest and hydration",
        ),
        pytest.param(
            {
                "symptoms": [symptom("fainting", "sudden")],
                "loss_of_facial_control": True,
                "duration_days": 21,
                "context": {"poor_sleep": True, "low_fluid_intake": True},
            },
            "emergency",
            ("call_emergency_services",),
            id="emergency also drops same day review",
        ),
    ],
)
def test_it_keeps_the_advice_consistent_with_the_level(fields, level, recommendations):
    payload = make_payload(**fields)

    result = assess_payload(payload)

    assert result.level.code == level
    assert result.recommendations == recommendations


@pytest.mark.parametrize(
    ("fields", "recommendations"),
    [
        pytest.param(
            {"measurements": glucose(3.5)},
            ("check_blood_glucose", "treat_low_blood_glucose", "same_day_medical_review"),
            id="low glucose in its own order",
        ),
        pytest.param(
            {"history": SURGERY, "locations": ["mouth"]},
            ("check_serum_calcium", "ecg", "same_day_medical_review"),
            id="suspected hypocalcaemia in its own order",
        ),
        pytest.param(
            {"measurements": {**calcium(2.0), **glucose(3.5)}},
            ("check_blood_glucose", "treat_low_blood_glucose", "same_day_medical_review", "check_serum_calcium"),
            id="low glucose before low calcium in table order",
        ),
        pytest.param(
            {
                "symptoms": [symptom("facial_numbness", "gradual"), symptom("palpitations", "sudden")],
                "measurements": glucose(3.5),
                "locations": ["mouth"],
                "history": ["multiple_sclerosis"],
                "worsening": True,
            },
            (
                "same_day_medical_review",
                "mri_brain",
                "check_blood_glucose",
                "treat_low_blood_glucose",
                "check_serum_calcium",
                "ecg",
                "inform_ms_team",
            ),
            id="urgent mix",
        ),
        pytest.param(
            {
                "locations": ["eyelid", "cheek"],
                "duration_days": 30,
                "history": ["prior_stroke", "facial_nerve_injury", "multiple_sclerosis"],
                "symptoms": [symptom("one_sided_weakness", "longstanding")],
                "context": {"low_fluid_intake": True},
            },
            (
                "neurology_referral",
                "mri_brain",
                "book_appointment",
                "inform_ms_team",
                "inform_stroke_rehab_team",
                "hydration",
            ),
            id="routine mix",
        ),
        pytest.param(
            {
                "symptoms": [
                    symptom("slurred_speech", "sudden"),
                    symptom("seizure", "sudden"),
                    symptom("fainting", "gradual", resolved=True),
                ],
                "history": ["diabetes_treated", "multiple_sclerosis"],
                "measurements": calcium(1.8),
                "locations": ["eyelid", "cheek"],
                "duration_days": 30,
                "loss_of_facial_control": True,
                "context": {"poor_sleep": True},
            },
            (
                "call_emergency_services",
                "check_blood_glucose",
                "mri_brain",
                "treat_low_blood_glucose",
                "check_serum_calcium",
                "ecg",
                "neurology_referral",
                "inform_ms_team",
            ),
            id="emergency mix",
        ),
    ],
)
def test_it_orders_recommendations_by_level_then_table_then_finding(fields, recommendations):
    payload = make_payload(**fields)

    result = assess_payload(payload)

    assert result.recommendations == recommendations


def test_it_reports_every_finding_though_the_advice_is_filtered():
    payload = make_payload(symptoms=[symptom("fainting", "sudden")], duration_days=21, context={"poor_sleep": True})

    result = assess_payload(payload)

    assert finding_codes(result) == {"breathing_or_fainting", "persistent_twitch", "sleep_or_stress"}
    assert result.score == 46


# --- triggered_by ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "code", "triggered_by"),
    [
        pytest.param({"measurements": calcium(2.0)}, "low_calcium", ("measurements.serum_calcium",), id="low calcium"),
        pytest.param(
            {"measurements": calcium(1.5)}, "severe_hypocalcaemia", ("measurements.serum_calcium",), id="severe calcium"
        ),
        pytest.param(
            {"measurements": glucose(3.5)}, "low_blood_glucose", ("measurements.blood_glucose",), id="low glucose"
        ),
        pytest.param(
            {"symptoms": [symptom("slurred_speech", "sudden")]},
            "possible_stroke_or_tia",
            ("symptoms.slurred_speech",),
            id="stroke sign",
        ),
        pytest.param(
            {"symptoms": [symptom("headache", "sudden", True)]}, "possible_tia", ("symptoms.headache",), id="tia sign"
        ),
        pytest.param({"duration_days": 21}, "persistent_twitch", ("twitch.duration_days",), id="persistent"),
        pytest.param({"spreading": True}, "spreading_twitch", ("twitch.spreading",), id="spreading"),
        pytest.param(
            {"history": ["diabetes_treated"]},
            "glucose_unchecked_in_diabetes",
            ("history.diabetes_treated",),
            id="unchecked glucose",
        ),
        pytest.param({"context": {"low_fluid_intake": True}}, "dehydration", ("context.low_fluid_intake",), id="fluid"),
        pytest.param({"context": {"poor_sleep": True}}, "sleep_or_stress", ("context.poor_sleep",), id="poor sleep"),
        pytest.param(
            {"history": ["multiple_sclerosis"]}, "ms_related_twitch", ("history.multiple_sclerosis",), id="ms"
        ),
    ],
)
def test_it_names_the_inputs_that_fired_a_finding(fields, code, triggered_by):
    payload = make_payload(**fields)

    result = assess_payload(payload)

    assert finding(result, code).triggered_by == triggered_by


@pytest.mark.parametrize(
    ("fields", "code", "must_include"),
    [
        pytest.param(
            {"history": ["diabetes_treated"], "symptoms": [symptom("confusion", "gradual")]},
            "severe_hypoglycaemia",
            {"history.diabetes_treated", "symptoms.confusion"},
            id="hypoglycaemia symptom route",
        ),
        pytest.param(
            {"measurements": calcium(2.0), "locations": ["hand"]},
            "severe_hypocalcaemia",
            {"measurements.serum_calcium", "twitch.locations.hand"},
            id="low calcium with hand twitch",
        ),
        pytest.param(
            {"measurements": calcium(2.0), "symptoms": [symptom("palpitations", "sudden")]},
            "severe_hypocalcaemia",
            {"measurements.serum_calcium", "symptoms.palpitations"},
            id="low calcium with palpitations",
        ),
        pytest.param(
            {"history": ["prior_stroke"], "symptoms": [symptom("one_sided_weakness", "longstanding")]},
            "post_stroke_recovery_twitch",
            {"history.prior_stroke", "symptoms.one_sided_weakness"},
            id="post stroke recovery",
        ),
        pytest.param(
            {"locations": ["eyelid", "hand"], "side": "left"},
            "possible_focal_seizure",
            {"twitch.locations.eyelid", "twitch.locations.hand"},
            id="face and limb",
        ),
        pytest.param(
            {"symptoms": [symptom("muscle_weakness", "gradual"), symptom("tingling", "sudden")]},
            "rapidly_progressive_weakness",
            {"symptoms.muscle_weakness", "symptoms.tingling"},
            id="weakness with tingling",
        ),
    ],
)
def test_it_names_every_input_a_combined_rule_needed(fields, code, must_include):
    payload = make_payload(**fields)

    result = assess_payload(payload)

    assert must_include <= set(finding(result, code).triggered_by)


def test_it_does_not_name_a_prior_stroke_symptom_as_a_longstanding_neuro_trigger():
    payload = make_payload(
        history=["prior_stroke"],
        symptoms=[symptom("one_sided_weakness", "longstanding"), symptom("memory_problems", "longstanding")],
    )

    result = assess_payload(payload)

    assert finding(result, "longstanding_neuro_symptom").triggered_by == ("symptoms.memory_problems",)


# --- the rule table's fixed columns ---------------------------------------------------------------

# code: (category, level, points, sources, a request that fires it)
RULE_TABLE = {
    "possible_stroke_or_tia": (
        "cerebrovascular", "emergency", 40, {"S07", "S19", "G01", "G02"},
        {"symptoms": [symptom("slurred_speech", "sudden")]},
    ),
    "seizure": ("intracranial", "emergency", 40, {"S15", "S16"}, {"symptoms": [symptom("seizure", "sudden")]}),
    "severe_hypoglycaemia": ("metabolic", "emergency", 40, {"S24", "G03"}, {"measurements": glucose(2.0)}),
    "severe_hypocalcaemia": ("metabolic", "emergency", 40, {"S06", "G04"}, {"measurements": calcium(1.5)}),
    "breathing_or_fainting": (
        "systemic", "emergency", 40, {"S06", "G04"}, {"symptoms": [symptom("fainting", "sudden")]},
    ),
    "possible_tia": (
        "cerebrovascular", "urgent", 20, {"S07", "S19", "G02"}, {"symptoms": [symptom("vision_loss", "sudden", True)]},
    ),
    "recent_breathing_or_fainting": (
        "systemic", "urgent", 20, {"S06", "G04"}, {"symptoms": [symptom("fainting", "sudden", True)]},
    ),
    "brainstem_signs": (
        "structural", "urgent", 20, {"S08", "S09"}, {"symptoms": [symptom("double_vision", "gradual")]},
    ),
    "intracranial_tumour_signs": (
        "structural", "urgent", 20, {"S08", "S15", "S16", "S17", "S18"},
        {"symptoms": [symptom("memory_problems", "gradual")]},
    ),
    "rapidly_progressive_weakness": (
        "neuromuscular", "urgent", 20, {"S02", "G05"}, {"symptoms": [symptom("muscle_weakness", "sudden")]},
    ),
    "low_blood_glucose": ("metabolic", "urgent", 20, {"S24", "G03"}, {"measurements": glucose(3.5)}),
    "low_calcium": ("metabolic", "urgent", 20, {"S06"}, {"measurements": calcium(2.0)}),
    "suspected_hypocalcaemia": (
        "metabolic", "urgent", 20, {"S06", "G04"}, {"history": SURGERY, "locations": ["mouth"]},
    ),
    "loss_of_facial_control": ("hemifacial", "urgent", 20, {"S13"}, {"loss_of_facial_control": True}),
    "possible_focal_seizure": (
        "intracranial", "urgent", 20, {"S13", "S15", "G06"}, {"locations": ["eyelid", "arm"]},
    ),
    "hemifacial_pattern": (
        "hemifacial", "routine", 5, {"S01", "S03", "S07", "S09", "S21", "S23"}, {"locations": ["whole_side_of_face"]},
    ),
    "spreading_twitch": ("course", "routine", 5, {"S13"}, {"spreading": True}),
    "persistent_twitch": ("course", "routine", 5, {"S02"}, {"duration_days": 21}),
    "worsening_twitch": ("course", "routine", 5, {"S02"}, {"worsening": True}),
    "twitch_affects_vision": ("course", "routine", 5, {"S02"}, {"interferes_with_vision": True}),
    "twitch_with_significant_symptom": (
        "course", "routine", 5, {"S02"}, {"symptoms": [symptom("palpitations", "longstanding")]},
    ),
    "longstanding_neuro_symptom": (
        "structural", "routine", 5, {"S08", "S15"}, {"symptoms": [symptom("confusion", "longstanding")]},
    ),
    "facial_nerve_injury": ("hemifacial", "routine", 5, {"S01"}, {"history": ["facial_nerve_injury"]}),
    "ms_related_twitch": ("demyelinating", "routine", 5, {"S14", "S22"}, {"history": ["multiple_sclerosis"]}),
    "post_stroke_recovery_twitch": (
        "cerebrovascular", "routine", 5, {"S20"},
        {"history": ["prior_stroke"], "symptoms": [symptom("one_sided_paralysis", "longstanding")]},
    ),
    "sudden_mood_change": ("intracranial", "routine", 5, {"S18"}, {"symptoms": [symptom("low_mood", "sudden")]}),
    "glucose_unchecked_in_diabetes": ("metabolic", "routine", 5, {"S24"}, {"history": ["diabetes_treated"]}),
    "anxiety_related": ("functional", "self_care", 1, {"S04", "S05"}, {"history": ["anxiety_disorder"]}),
    "dehydration": ("lifestyle", "self_care", 1, {"S11"}, {"context": {"low_fluid_intake": True}}),
    "sleep_or_stress": ("lifestyle", "self_care", 1, {"S12"}, {"context": {"high_stress": True}}),
    "isolated_twitch": ("benign", "self_care", 0, {"S10", "S22"}, {}),
}  # fmt: skip


@pytest.mark.parametrize(("code", "row"), list(RULE_TABLE.items()), ids=list(RULE_TABLE))
def test_it_reports_each_finding_with_the_category_level_points_and_sources_of_the_table(code, row):
    category, level, points, sources, fields = row
    payload = make_payload(**fields)

    result = assess_payload(payload)

    reported = finding(result, code)
    assert (reported.category, reported.level, reported.points) == (category, level, points)
    assert set(reported.sources) == sources
    assert reported.triggered_by or code == "isolated_twitch"
    assert reported.title
    assert reported.rationale


@pytest.mark.parametrize(
    ("measurements", "code", "written"),
    [
        (calcium(2.1999999), "low_calcium", "serum calcium (total) of 2.1999999 mmol/L"),
        (calcium(1.9), "low_calcium", "serum calcium (total) of 1.9 mmol/L"),
        (glucose(69.9999999, "mg/dL"), "low_blood_glucose", "blood glucose of 69.9999999 mg/dL"),
        (glucose(65, "mg/dL"), "low_blood_glucose", "blood glucose of 65 mg/dL"),
        (glucose(65.0, "mg/dL"), "low_blood_glucose", "blood glucose of 65 mg/dL"),
        (glucose(2.9999999), "severe_hypoglycaemia", "blood glucose of 2.9999999 mmol/L"),
    ],
)
def test_it_writes_a_measured_value_in_the_rationale_as_sent_never_rounded_to_its_threshold(
    measurements, code, written
):
    result = assess_payload(make_payload(measurements=measurements))

    assert written in finding(result, code).rationale


def test_it_covers_every_rule_of_the_table():
    assert list(RULE_TABLE) == [rule.code for rule in RULESETS[VERSION].rules]
