"""The edges of every rule of rule set 2027.01, written from clinical-rules.md, not from the engine."""

import pytest

from tests.factories import finding_codes, make_payload, symptom
from tests.rules.support import assess_under, calcium, finding, glucose, magnesium
from triage.rules import RULESETS

VERSION = "2027.01"
ONSETS = ("sudden", "gradual", "longstanding", "unknown")
NEW = ("sudden", "gradual", "unknown")
FOCAL = (
    "facial_weakness",
    "facial_numbness",
    "one_sided_weakness",
    "one_sided_paralysis",
    "one_sided_numbness",
    "slurred_speech",
    "vision_loss",
    "double_vision",
    "difficulty_swallowing",
)
ACUTE = ("loss_of_balance", "loss_of_coordination", "unsteadiness", "confusion", "drowsiness")
TINGLING = ("tingling", "tingling_around_mouth", "tingling_hands_or_feet")
EMERGENCY_ADVICE = {
    "call_emergency_services",
    "treat_low_blood_glucose",
    "check_blood_glucose",
    "check_serum_calcium",
    "ecg",
}


def assess_payload(payload):
    return assess_under(VERSION, payload)


def assess_fields(**payload_fields):
    return assess_payload(make_payload(**payload_fields))


def fired(**payload_fields):
    return finding_codes(assess_fields(**payload_fields))


def symptoms(*entries):
    """Symptoms as (code, onset) or (code, onset, resolved)."""
    return [symptom(*entry) for entry in entries]


# --- the titles table -----------------------------------------------------------------------------

TITLES = {
    "possible_stroke_or_tia": "Possible stroke or TIA",
    "possible_subarachnoid_haemorrhage": "Possible subarachnoid haemorrhage",
    "possible_meningitis_or_encephalitis": "Possible meningitis or encephalitis",
    "seizure": "New or unexplained seizure",
    "continuous_jerking": "Continuous jerking: possible ongoing seizure",
    "severe_hypoglycaemia": "Very low or symptomatic low blood glucose",
    "severe_hypocalcaemia": "Severe or symptomatic low calcium",
    "severe_hypomagnesaemia": "Severe or symptomatic low magnesium",
    "breathing_or_fainting": "Breathing difficulty or fainting",
    "reduced_consciousness": "Reduced consciousness",
    "possible_eclampsia": "Possible eclampsia",
    "head_injury_red_flags": "Head injury with red flags",
    "febrile_child_red_flag": "Fever in a baby, or fever with continuous twitching in a young child",
    "infant_possible_seizure": "Possible seizures in a baby",
    "complicated_alcohol_withdrawal": "Possible complicated alcohol withdrawal",
    "severe_serotonin_toxicity": "Possible severe serotonin toxicity",
    "severe_lithium_toxicity": "Possible severe lithium toxicity",
    "fever_with_widespread_jerking": "Fever with new widespread jerking",
    "possible_tia": "Possible TIA (symptoms resolved)",
    "recent_breathing_or_fainting": "Recent blackout, fainting or breathing difficulty",
    "brainstem_signs": "Possible brainstem signs",
    "intracranial_tumour_signs": "Possible intracranial tumour signs",
    "rapidly_progressive_weakness": "Rapidly progressive weakness",
    "possible_hypoglycaemia": "Possible hypoglycaemia (glucose not measured)",
    "low_blood_glucose": "Low blood glucose",
    "low_calcium": "Low calcium",
    "suspected_hypocalcaemia": "Possible low calcium (not measured)",
    "low_magnesium": "Low magnesium",
    "loss_of_facial_control": "Loss of facial control",
    "possible_focal_seizure": "Possible focal motor seizure",
    "multifocal_jerking": "New or continuous twitching in several parts of the body",
    "child_under_2_twitch": "Twitching in a child under 2",
    "febrile_child_twitch": "Fever with twitching in a child under 6",
    "possible_pre_eclampsia": "Possible pre-eclampsia",
    "head_injury": "Twitching after a recent head injury",
    "alcohol_withdrawal": "Possible alcohol withdrawal",
    "possible_acute_dystonia": "Possible drug-induced acute dystonia",
    "possible_serotonin_toxicity": "Possible serotonin toxicity",
    "possible_lithium_toxicity": "Possible lithium toxicity",
    "possible_ramsay_hunt": "Possible Ramsay Hunt syndrome",
    "new_hearing_loss": "New hearing loss",
    "hemifacial_pattern": "Hemifacial spasm pattern",
    "spreading_twitch": "Spreading twitch",
    "persistent_twitch": "Persistent twitch",
    "worsening_twitch": "Worsening twitch",
    "twitch_affects_vision": "Twitch affects vision",
    "twitch_with_significant_symptom": "Twitch with another significant symptom",
    "longstanding_neuro_symptom": "Longstanding neurological symptom",
    "facial_nerve_injury": "Previous facial nerve injury",
    "ms_related_twitch": "Twitch in multiple sclerosis",
    "post_stroke_recovery_twitch": "Twitch during stroke recovery",
    "sudden_mood_change": "Sudden mood change",
    "glucose_unchecked_in_diabetes": "Glucose not checked in treated diabetes",
    "anxiety_related": "Anxiety may contribute",
    "dehydration": "Low fluid intake",
    "sleep_or_stress": "Poor sleep or stress",
    "isolated_twitch": "No red flags found",
}

# --- the rule table's fixed columns, each with a minimal request that fires the rule ----------------

SURGERY = ["thyroid_or_parathyroid_surgery"]
WIDESPREAD_NEW = {"locations": ["widespread"], "side": "both", "duration_days": 3}

# code: (category, level, points, recommendations, sources, a request that fires it)
RULE_TABLE = {
    "possible_stroke_or_tia": (
        "cerebrovascular", "emergency", 40, ("call_emergency_services", "check_blood_glucose"),
        {"G01", "G02", "G07", "G24"}, {"symptoms": symptoms(("slurred_speech", "sudden"))},
    ),
    "possible_subarachnoid_haemorrhage": (
        "cerebrovascular", "emergency", 40, ("call_emergency_services",), {"G08"},
        {"symptoms": symptoms(("thunderclap_headache", "sudden", True))},
    ),
    "possible_meningitis_or_encephalitis": (
        "infection", "emergency", 40, ("call_emergency_services",), {"G09", "G10"},
        {"symptoms": symptoms(("fever", "sudden"), ("neck_stiffness", "sudden"))},
    ),
    "seizure": (
        "intracranial", "emergency", 40, ("call_emergency_services", "check_blood_glucose"), {"S15", "G11", "G19"},
        {"symptoms": symptoms(("seizure", "sudden"))},
    ),
    "continuous_jerking": (
        "intracranial", "emergency", 40, ("call_emergency_services", "check_blood_glucose"), {"G06", "G11"},
        {**WIDESPREAD_NEW, "pattern": "constant"},
    ),
    "severe_hypoglycaemia": (
        "metabolic", "emergency", 40,
        ("call_emergency_services", "check_blood_glucose", "treat_low_blood_glucose"), {"S24", "G03", "G12"},
        {"measurements": glucose(2.5)},
    ),
    "severe_hypocalcaemia": (
        "metabolic", "emergency", 40, ("call_emergency_services", "check_serum_calcium", "ecg"), {"S06", "G04"},
        {"measurements": calcium(1.5)},
    ),
    "severe_hypomagnesaemia": (
        "metabolic", "emergency", 40, ("call_emergency_services", "ecg"), {"G13"},
        {"measurements": magnesium(0.4)},
    ),
    "breathing_or_fainting": (
        "systemic", "emergency", 40, ("call_emergency_services",), {"S06", "G04", "G14"},
        {"symptoms": symptoms(("breathing_difficulty", "sudden"))},
    ),
    "reduced_consciousness": (
        "systemic", "emergency", 40, ("call_emergency_services", "check_blood_glucose"), {"G03", "G14"},
        {"symptoms": symptoms(("reduced_consciousness", "sudden"))},
    ),
    "possible_eclampsia": (
        "obstetric", "emergency", 40, ("call_emergency_services",), {"G11", "G15"},
        {"history": ["pregnant_or_recent_birth"], "symptoms": symptoms(("confusion", "gradual"))},
    ),
    "head_injury_red_flags": (
        "trauma", "emergency", 40, ("call_emergency_services",), {"G16"},
        {"history": ["recent_head_injury", "antiplatelet"]},
    ),
    "febrile_child_red_flag": (
        "paediatric", "emergency", 40, ("call_emergency_services",), {"G17"},
        {"patient_age": 0, "symptoms": symptoms(("fever", "sudden"))},
    ),
    "infant_possible_seizure": (
        "paediatric", "emergency", 40, ("call_emergency_services", "check_blood_glucose"), {"G11", "G21", "G25"},
        {"patient_age": 0, "locations": ["eyelid", "arm"], "duration_days": 2},
    ),
    "complicated_alcohol_withdrawal": (
        "toxic", "emergency", 40, ("call_emergency_services", "check_blood_glucose"), {"G11", "G18"},
        {"context": {"stopped_heavy_drinking": True}, "symptoms": symptoms(("confusion", "gradual"))},
    ),
    "severe_serotonin_toxicity": (
        "drug", "emergency", 40, ("call_emergency_services",), {"G26"},
        {"history": ["serotonergic_medicine_change"], "symptoms": symptoms(("tremor", "sudden"), ("fever", "sudden"))},
    ),
    "severe_lithium_toxicity": (
        "drug", "emergency", 40, ("call_emergency_services",), {"G27"},
        {"history": ["lithium"], "symptoms": symptoms(("drowsiness", "gradual"))},
    ),
    "fever_with_widespread_jerking": (
        "systemic", "emergency", 40, ("call_emergency_services",), {"G10", "G26"},
        {"locations": ["arm", "leg"], "side": "both", "duration_days": 3, "symptoms": symptoms(("fever", "sudden"))},
    ),
    "possible_tia": (
        "cerebrovascular", "urgent", 20, ("same_day_medical_review", "check_blood_glucose"), {"G02"},
        {"symptoms": symptoms(("vision_loss", "sudden", True))},
    ),
    "recent_breathing_or_fainting": (
        "systemic", "urgent", 20, ("same_day_medical_review", "ecg"), {"S06", "G04", "G19"},
        {"symptoms": symptoms(("reduced_consciousness", "sudden", True))},
    ),
    "brainstem_signs": (
        "structural", "urgent", 20, ("same_day_medical_review", "mri_brain"), {"S08"},
        {"symptoms": symptoms(("double_vision", "gradual"))},
    ),
    "intracranial_tumour_signs": (
        "structural", "urgent", 20, ("same_day_medical_review", "mri_brain"), {"S08", "S15", "S16", "S17", "S18"},
        {"symptoms": symptoms(("persistent_nausea_vomiting", "gradual"))},
    ),
    "rapidly_progressive_weakness": (
        "neuromuscular", "urgent", 20, ("same_day_medical_review",), {"S02", "G05"},
        {"symptoms": symptoms(("muscle_weakness", "gradual"), ("tingling_hands_or_feet", "gradual"))},
    ),
    "possible_hypoglycaemia": (
        "metabolic", "urgent", 20,
        ("check_blood_glucose", "treat_low_blood_glucose", "same_day_medical_review"), {"G03", "G12"},
        {"history": ["diabetes_treated"], "symptoms": symptoms(("sweating", "sudden"))},
    ),
    "low_blood_glucose": (
        "metabolic", "urgent", 20, ("treat_low_blood_glucose", "same_day_medical_review"), {"S24", "G03", "G12"},
        {"measurements": glucose(3.5)},
    ),
    "low_calcium": (
        "metabolic", "urgent", 20, ("same_day_medical_review",), {"S06"}, {"measurements": calcium(2.0)},
    ),
    "suspected_hypocalcaemia": (
        "metabolic", "urgent", 20, ("check_serum_calcium", "ecg", "same_day_medical_review"), {"S06", "G04"},
        {"symptoms": symptoms(("tingling_around_mouth", "sudden"), ("tingling_hands_or_feet", "sudden"))},
    ),
    "low_magnesium": (
        "metabolic", "urgent", 20, ("same_day_medical_review",), {"G13"}, {"measurements": magnesium(0.6)},
    ),
    "loss_of_facial_control": (
        "hemifacial", "urgent", 20, ("same_day_medical_review",), {"S13"}, {"loss_of_facial_control": True},
    ),
    "possible_focal_seizure": (
        "intracranial", "urgent", 20, ("same_day_medical_review", "mri_brain"), {"S13", "S15", "G06"},
        {"locations": ["eyelid", "arm"], "duration_days": 30},
    ),
    "multifocal_jerking": (
        "intracranial", "urgent", 20,
        ("same_day_medical_review", "check_blood_glucose", "check_serum_calcium"), {"S06", "S24", "G11"},
        {"locations": ["eyelid", "arm"], "side": "both", "duration_days": 3},
    ),
    "child_under_2_twitch": (
        "paediatric", "urgent", 20, ("same_day_medical_review",), {"G21"}, {"patient_age": 1},
    ),
    "febrile_child_twitch": (
        "paediatric", "urgent", 20, ("same_day_medical_review",), {"G17"},
        {"patient_age": 3, "symptoms": symptoms(("fever", "gradual"))},
    ),
    "possible_pre_eclampsia": (
        "obstetric", "urgent", 20, ("same_day_maternity_assessment",), {"G15"},
        {"history": ["pregnant_or_recent_birth"], "symptoms": symptoms(("headache", "gradual"))},
    ),
    "head_injury": (
        "trauma", "urgent", 20, ("same_day_medical_review",), {"G16"}, {"history": ["recent_head_injury"]},
    ),
    "alcohol_withdrawal": (
        "toxic", "urgent", 20, ("same_day_medical_review",), {"G18"}, {"context": {"stopped_heavy_drinking": True}},
    ),
    "possible_acute_dystonia": (
        "drug", "urgent", 20, ("same_day_medical_review", "review_new_medicine"), {"G20"},
        {"history": ["started_antiemetic_or_antipsychotic"]},
    ),
    "possible_serotonin_toxicity": (
        "drug", "urgent", 20, ("same_day_medical_review", "review_new_medicine"), {"G26"},
        {
            "history": ["serotonergic_medicine_change"],
            "symptoms": symptoms(("tremor", "gradual"), ("sweating", "gradual")),
        },
    ),
    "possible_lithium_toxicity": (
        "drug", "urgent", 20, ("check_lithium_level", "same_day_medical_review"), {"G27"},
        {"history": ["lithium"], "symptoms": symptoms(("diarrhoea", "sudden"))},
    ),
    "possible_ramsay_hunt": (
        "infection", "urgent", 20, ("same_day_medical_review",), {"G22"},
        {"symptoms": symptoms(("ear_or_mouth_blisters", "sudden"), ("ear_pain", "sudden"))},
    ),
    "new_hearing_loss": (
        "ear", "urgent", 20, ("same_day_medical_review",), {"G23"},
        {"symptoms": symptoms(("hearing_loss", "sudden"))},
    ),
    "hemifacial_pattern": (
        "hemifacial", "routine", 5, ("neurology_referral", "mri_brain"), {"S01", "S03", "S07", "S09", "S21", "S23"},
        {"locations": ["whole_side_of_face"]},
    ),
    "spreading_twitch": ("course", "routine", 5, ("book_appointment",), {"S13"}, {"spreading": True}),
    "persistent_twitch": ("course", "routine", 5, ("book_appointment",), {"S02"}, {"duration_days": 21}),
    "worsening_twitch": ("course", "routine", 5, ("book_appointment",), {"S02"}, {"worsening": True}),
    "twitch_affects_vision": (
        "course", "routine", 5, ("book_appointment",), {"S02"}, {"interferes_with_vision": True},
    ),
    "twitch_with_significant_symptom": (
        "course", "routine", 5, ("book_appointment",), {"S02"},
        {"symptoms": symptoms(("palpitations", "longstanding"))},
    ),
    "longstanding_neuro_symptom": (
        "structural", "routine", 5, ("neurology_referral",), {"S08", "S15"},
        {"symptoms": symptoms(("one_sided_numbness", "longstanding"))},
    ),
    "facial_nerve_injury": (
        "hemifacial", "routine", 5, ("neurology_referral",), {"S01"}, {"history": ["facial_nerve_injury"]},
    ),
    "ms_related_twitch": (
        "demyelinating", "routine", 5, ("inform_ms_team",), {"S14", "S22"}, {"history": ["multiple_sclerosis"]},
    ),
    "post_stroke_recovery_twitch": (
        "cerebrovascular", "routine", 5, ("inform_stroke_rehab_team",), {"S20"},
        {"history": ["prior_stroke"], "symptoms": symptoms(("one_sided_weakness", "longstanding"))},
    ),
    "sudden_mood_change": (
        "intracranial", "routine", 5, ("book_appointment",), {"S18"}, {"symptoms": symptoms(("anxiety", "sudden"))},
    ),
    "glucose_unchecked_in_diabetes": (
        "metabolic", "routine", 5, ("check_blood_glucose",), {"S24"}, {"history": ["diabetes_treated"]},
    ),
    "anxiety_related": (
        "functional", "self_care", 1, ("rest_and_stress_reduction",), {"S04"}, {"history": ["anxiety_disorder"]},
    ),
    "dehydration": ("lifestyle", "self_care", 1, ("hydration",), {"S11"}, {"context": {"low_fluid_intake": True}}),
    "sleep_or_stress": (
        "lifestyle", "self_care", 1, ("rest_and_stress_reduction",), {"S04", "S12"}, {"context": {"poor_sleep": True}},
    ),
    "isolated_twitch": ("benign", "self_care", 0, ("watchful_waiting",), {"S10", "S22"}, {}),
}  # fmt: skip


def table_payload(fields):
    fields = dict(fields)
    age = fields.pop("patient_age", None)
    payload = make_payload(**fields)
    if age is not None:
        payload["patient"]["age_years"] = age
    return payload


def test_it_holds_every_rule_of_the_table_in_table_order():
    assert [rule.code for rule in RULESETS[VERSION].rules] == list(RULE_TABLE) == list(TITLES)


@pytest.mark.parametrize(("code", "row"), list(RULE_TABLE.items()), ids=list(RULE_TABLE))
def test_it_fires_each_rule_with_the_title_and_columns_of_the_table(code, row):
    category, level, points, _recommendations, sources, fields = row

    result = assess_payload(table_payload(fields))

    reported = finding(result, code)
    assert reported.title == TITLES[code]
    assert (reported.category, reported.level, reported.points) == (category, level, points)
    assert set(reported.sources) == sources
    assert reported.triggered_by
    assert reported.rationale


@pytest.mark.parametrize(("code", "row"), list(RULE_TABLE.items()), ids=list(RULE_TABLE))
def test_each_rule_lists_the_recommendations_of_the_table(code, row):
    rule = next(rule for rule in RULESETS[VERSION].rules if rule.code == code)

    assert rule.recommendations == row[3]
    assert rule.title == TITLES[code]
    assert rule.description


@pytest.mark.parametrize("code", [code for code, title in TITLES.items() if "ossible" in title])
def test_a_rationale_calls_a_cause_possible(code):
    result = assess_payload(table_payload(RULE_TABLE[code][5]))

    assert "possible" in finding(result, code).rationale.lower()


# --- measurement thresholds: a value equal to a threshold is not below it ------------------------------

MEASUREMENT_EDGES = [
    # blood glucose: severe low < 3.0 mmol/L · < 54 mg/dL; low < 3.9 mmol/L · < 70 mg/dL
    (glucose(2.99), "severe_hypoglycaemia"),
    (glucose(3.0), "low_blood_glucose"),
    (glucose(3.89), "low_blood_glucose"),
    (glucose(3.9), None),
    (glucose(53.9, "mg/dL"), "severe_hypoglycaemia"),
    (glucose(54, "mg/dL"), "low_blood_glucose"),
    (glucose(69.9, "mg/dL"), "low_blood_glucose"),
    (glucose(70, "mg/dL"), None),
    # serum calcium: severe low < 1.90 mmol/L · < 7.6 mg/dL; low < 2.20 mmol/L · < 8.8 mg/dL
    (calcium(1.89), "severe_hypocalcaemia"),
    (calcium(1.90), "low_calcium"),
    (calcium(2.19), "low_calcium"),
    (calcium(2.20), None),
    (calcium(7.59, "mg/dL"), "severe_hypocalcaemia"),
    (calcium(7.6, "mg/dL"), "low_calcium"),
    (calcium(8.79, "mg/dL"), "low_calcium"),
    (calcium(8.8, "mg/dL"), None),
    (calcium(1.89, kind="adjusted"), "severe_hypocalcaemia"),
    (calcium(2.20, kind="adjusted"), None),
    # serum magnesium: severe low < 0.50 mmol/L · < 1.2 mg/dL; low < 0.70 mmol/L · < 1.7 mg/dL
    (magnesium(0.1), "severe_hypomagnesaemia"),
    (magnesium(0.49), "severe_hypomagnesaemia"),
    (magnesium(0.50), "low_magnesium"),
    (magnesium(0.69), "low_magnesium"),
    (magnesium(0.70), None),
    (magnesium(5.0), None),
    (magnesium(1.19, "mg/dL"), "severe_hypomagnesaemia"),
    (magnesium(1.2, "mg/dL"), "low_magnesium"),
    (magnesium(1.69, "mg/dL"), "low_magnesium"),
    (magnesium(1.7, "mg/dL"), None),
    (magnesium(0.6, "mg/dL"), "severe_hypomagnesaemia"),  # 0.6 would be merely low in mmol/L
]
MEASURED_FINDINGS = {
    "severe_hypoglycaemia",
    "low_blood_glucose",
    "severe_hypocalcaemia",
    "low_calcium",
    "suspected_hypocalcaemia",
    "severe_hypomagnesaemia",
    "low_magnesium",
}


@pytest.mark.parametrize(
    ("measurements", "expected"),
    MEASUREMENT_EDGES,
    ids=lambda value: repr(value),
)
def test_it_grades_each_measurement_against_the_threshold_of_its_unit(measurements, expected):
    codes = fired(measurements=measurements)

    assert codes & MEASURED_FINDINGS == ({expected} if expected else set())


@pytest.mark.parametrize(
    ("measurements", "code", "severe"),
    [
        (calcium(1.89), "severe_hypocalcaemia", True),
        (calcium(1.90), "severe_hypocalcaemia", False),  # low with a companion: symptomatic, not severe
        (glucose(2.99), "severe_hypoglycaemia", True),
        (glucose(3.0), "severe_hypoglycaemia", False),
        (magnesium(0.49), "severe_hypomagnesaemia", True),
        (magnesium(0.50), "severe_hypomagnesaemia", False),
    ],
)
def test_it_calls_a_measured_value_severe_only_below_its_severe_threshold(measurements, code, severe):
    companions = symptoms(("seizure", "longstanding"), ("reduced_consciousness", "sudden"))

    result = assess_fields(measurements=measurements, symptoms=companions)

    assert ("severe" in finding(result, code).rationale.lower()) is severe


@pytest.mark.parametrize(
    ("measurements", "code", "written"),
    [
        (calcium(2.1999999), "low_calcium", "serum calcium (total) of 2.1999999 mmol/L"),
        (calcium(2.1, kind="adjusted"), "low_calcium", "serum calcium (adjusted) of 2.1 mmol/L"),
        (calcium(8.5, "mg/dL"), "low_calcium", "serum calcium (total) of 8.5 mg/dL"),
        (glucose(65, "mg/dL"), "low_blood_glucose", "blood glucose of 65 mg/dL"),
        (glucose(2.9999999), "severe_hypoglycaemia", "blood glucose of 2.9999999 mmol/L"),
        (magnesium(0.65), "low_magnesium", "serum magnesium of 0.65 mmol/L"),
        (magnesium(1.1, "mg/dL"), "severe_hypomagnesaemia", "serum magnesium of 1.1 mg/dL"),
    ],
)
def test_it_writes_a_measured_value_in_the_rationale_as_sent_with_its_unit(measurements, code, written):
    result = assess_fields(measurements=measurements)

    assert written in finding(result, code).rationale


# --- age bands ---------------------------------------------------------------------------------------


def at_age(age, **fields):
    payload = make_payload(**fields)
    payload["patient"]["age_years"] = age
    return finding_codes(assess_payload(payload))


@pytest.mark.parametrize(("age", "expected"), [(0, True), (1, True), (2, False), (5, False), (6, False), (45, False)])
def test_it_flags_any_twitch_under_2(age, expected):
    assert ("child_under_2_twitch" in at_age(age)) is expected


@pytest.mark.parametrize(
    ("age", "pattern", "expected"),
    [
        (0, None, {"febrile_child_red_flag"}),
        (0, "constant", {"febrile_child_red_flag"}),
        (1, None, {"febrile_child_twitch"}),
        (1, "intermittent", {"febrile_child_twitch"}),
        (1, "constant", {"febrile_child_red_flag"}),
        (2, None, {"febrile_child_twitch"}),
        (5, None, {"febrile_child_twitch"}),
        (5, "constant", {"febrile_child_red_flag"}),
        (6, None, set()),
        (6, "constant", set()),
        (45, "constant", set()),
    ],
)
def test_it_reads_a_fever_in_a_child_by_age_band_and_pattern(age, pattern, expected):
    twitch = {"pattern": pattern} if pattern else {}

    codes = at_age(age, symptoms=symptoms(("fever", "sudden")), **twitch)

    assert codes & {"febrile_child_red_flag", "febrile_child_twitch"} == expected


@pytest.mark.parametrize("age", [0, 3])
def test_it_does_not_read_a_longstanding_fever_in_a_child(age):
    codes = at_age(age, symptoms=symptoms(("fever", "longstanding")), pattern="constant")

    assert not codes & {"febrile_child_red_flag", "febrile_child_twitch"}


@pytest.mark.parametrize("onset", NEW)
@pytest.mark.parametrize("resolved", [False, True])
def test_it_reads_any_new_fever_in_a_baby_resolved_or_not(onset, resolved):
    assert "febrile_child_red_flag" in at_age(0, symptoms=[symptom("fever", onset, resolved)])


@pytest.mark.parametrize(
    ("age", "locations", "duration_days", "expected"),
    [
        (0, ["eyelid", "arm"], 7, True),
        (0, ["widespread"], 0, True),
        (0, ["mouth", "leg"], 7, True),
        (0, ["eyelid", "arm"], 8, False),
        (0, ["eyelid"], 1, False),
        (0, ["arm", "leg"], 1, False),  # ARM-AND-LEG is not EXTENSIVE
        (1, ["eyelid", "arm"], 1, False),
        (1, ["widespread"], 1, False),
    ],
)
def test_it_suspects_seizures_in_a_baby_with_new_twitching_of_face_and_limb_or_all_over(
    age, locations, duration_days, expected
):
    codes = at_age(age, locations=locations, duration_days=duration_days, side="both")

    assert ("infant_possible_seizure" in codes) is expected


def test_it_names_the_age_that_fired_an_age_rule():
    payload = make_payload(symptoms=symptoms(("fever", "sudden")))
    payload["patient"]["age_years"] = 0

    result = assess_payload(payload)

    assert "patient.age_years" in finding(result, "febrile_child_red_flag").triggered_by
    assert finding(result, "child_under_2_twitch").triggered_by == ("patient.age_years",)


def test_it_names_the_pattern_of_a_constant_twitch_in_a_febrile_child():
    payload = make_payload(symptoms=symptoms(("fever", "gradual")), pattern="constant")
    payload["patient"]["age_years"] = 4

    triggered_by = finding(assess_payload(payload), "febrile_child_red_flag").triggered_by

    assert set(triggered_by) == {"patient.age_years", "symptoms.fever", "twitch.pattern"}


# --- jerking: pattern, duration and extent --------------------------------------------------------------

JERKING = {"continuous_jerking", "multifocal_jerking"}


@pytest.mark.parametrize(
    ("locations", "side", "pattern", "duration_days", "expected"),
    [
        # constant and EXTENSIVE or ARM-AND-LEG within 7 days: continuous
        (["widespread"], "both", "constant", 7, {"continuous_jerking"}),
        (["widespread"], "unknown", "constant", 0, {"continuous_jerking"}),
        (["eyelid", "arm"], "left", "constant", 7, {"continuous_jerking"}),
        (["eyelid", "arm"], "both", "constant", 7, {"continuous_jerking"}),
        (["arm", "leg"], "right", "constant", 7, {"continuous_jerking"}),
        (["hand", "leg"], "both", "constant", 3, {"continuous_jerking"}),
        # 8 days: no longer continuous; MULTIFOCAL or ARM-AND-LEG constant stays multifocal
        (["widespread"], "both", "constant", 8, {"multifocal_jerking"}),
        (["eyelid", "arm"], "both", "constant", 8, {"multifocal_jerking"}),
        (["arm", "leg"], "both", "constant", 8, {"multifocal_jerking"}),
        (["eyelid", "arm"], "left", "constant", 8, set()),  # one-sided: possible_focal_seizure instead
        # pattern absent or intermittent is never read as constant
        (["widespread"], "both", None, 7, {"multifocal_jerking"}),
        (["widespread"], "both", "intermittent", 7, {"multifocal_jerking"}),
        (["widespread"], "both", None, 8, set()),
        (["eyelid", "arm"], "both", None, 7, {"multifocal_jerking"}),
        (["eyelid", "arm"], "both", None, 8, set()),
        (["eyelid", "arm"], "left", None, 7, set()),
        (["eyelid", "arm"], "unknown", None, 7, set()),
        (["arm", "leg"], "both", None, 7, set()),
        (["arm", "leg"], "both", "intermittent", 3, set()),
        # neither EXTENSIVE nor ARM-AND-LEG
        (["arm", "hand"], "both", "constant", 3, set()),
        (["eyelid", "cheek"], "both", "constant", 3, set()),
        (["neck", "trunk"], "both", "constant", 3, set()),
        (["leg"], "both", "constant", 3, set()),
    ],
)
def test_it_reads_jerking_by_extent_pattern_and_duration(locations, side, pattern, duration_days, expected):
    twitch = {"pattern": pattern} if pattern else {}

    codes = fired(locations=locations, side=side, duration_days=duration_days, **twitch)

    assert codes & JERKING == expected


def test_it_names_the_pattern_the_places_and_the_duration_of_continuous_jerking():
    result = assess_fields(locations=["arm", "leg"], side="both", pattern="constant", duration_days=2)

    triggered_by = finding(result, "continuous_jerking").triggered_by

    assert set(triggered_by) == {
        "twitch.pattern",
        "twitch.locations.arm",
        "twitch.locations.leg",
        "twitch.duration_days",
    }


@pytest.mark.parametrize(
    ("locations", "duration_days", "fever_onset", "expected"),
    [
        (["widespread"], 7, "sudden", True),
        (["widespread"], 8, "sudden", False),
        (["arm", "leg"], 1, "gradual", True),
        (["eyelid", "hand"], 1, "unknown", True),
        (["arm", "hand"], 1, "sudden", False),
        (["widespread"], 1, "longstanding", False),
    ],
)
def test_it_flags_a_new_fever_with_new_widespread_jerking_in_an_adult(locations, duration_days, fever_onset, expected):
    codes = fired(
        locations=locations, side="both", duration_days=duration_days, symptoms=symptoms(("fever", fever_onset))
    )

    assert ("fever_with_widespread_jerking" in codes) is expected


@pytest.mark.parametrize(
    ("extra", "age", "reader"),
    [
        ({"symptoms": symptoms(("fever", "sudden"), ("neck_stiffness", "sudden"))}, 45,
         "possible_meningitis_or_encephalitis"),
        ({"symptoms": symptoms(("fever", "sudden"))}, 0, "febrile_child_red_flag"),
        ({"symptoms": symptoms(("fever", "sudden"), ("tremor", "sudden")),
          "history": ["serotonergic_medicine_change"]}, 45, "severe_serotonin_toxicity"),
    ],
)  # fmt: skip
def test_it_leaves_the_fever_with_jerking_to_a_finding_that_already_reads_it(extra, age, reader):
    payload = make_payload(locations=["widespread"], side="both", duration_days=2, **extra)
    payload["patient"]["age_years"] = age

    codes = finding_codes(assess_payload(payload))

    assert reader in codes
    assert "fever_with_widespread_jerking" not in codes


# --- stroke, TIA and subarachnoid haemorrhage ---------------------------------------------------


@pytest.mark.parametrize("code", FOCAL + ACUTE)
@pytest.mark.parametrize(
    ("onset", "resolved", "expected"),
    [
        ("sudden", False, {"possible_stroke_or_tia"}),
        ("unknown", False, {"possible_stroke_or_tia"}),
        ("sudden", True, {"possible_tia"}),
        ("unknown", True, {"possible_tia"}),
        ("gradual", False, set()),
        ("longstanding", False, set()),
    ],
)
def test_it_reads_each_focal_and_acute_stroke_sign_by_onset_and_resolution(code, onset, resolved, expected):
    codes = fired(symptoms=[symptom(code, onset, resolved)])

    assert codes & {"possible_stroke_or_tia", "possible_tia"} == expected


@pytest.mark.parametrize("code", ["headache", "dizziness", "vertigo"])
@pytest.mark.parametrize(
    ("onset", "resolved", "expected"),
    [
        ("sudden", False, {"possible_stroke_or_tia"}),
        ("sudden", True, {"possible_tia"}),
        ("unknown", False, set()),
        ("gradual", False, set()),
    ],
)
def test_it_reads_a_sudden_only_stroke_sign_only_when_sudden(code, onset, resolved, expected):
    codes = fired(symptoms=[symptom(code, onset, resolved)])

    assert codes & {"possible_stroke_or_tia", "possible_tia"} == expected


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        ([], {"possible_tia"}),
        (["anticoagulant"], {"possible_stroke_or_tia", "possible_tia"}),
        (["antiplatelet"], {"possible_tia"}),
    ],
)
def test_it_sends_a_resolved_stroke_sign_for_emergency_care_only_under_an_anticoagulant(history, expected):
    codes = fired(history=history, symptoms=symptoms(("slurred_speech", "sudden", True)))

    assert codes & {"possible_stroke_or_tia", "possible_tia"} == expected


def test_it_names_the_anticoagulant_beside_the_resolved_sign():
    result = assess_fields(history=["anticoagulant"], symptoms=symptoms(("vision_loss", "unknown", True)))

    triggered_by = finding(result, "possible_stroke_or_tia").triggered_by

    assert set(triggered_by) == {"symptoms.vision_loss", "history.anticoagulant"}


@pytest.mark.parametrize("onset", ONSETS)
@pytest.mark.parametrize("resolved", [False, True])
def test_it_treats_any_thunderclap_headache_as_a_possible_subarachnoid_haemorrhage(onset, resolved):
    result = assess_fields(symptoms=[symptom("thunderclap_headache", onset, resolved)])

    assert "possible_subarachnoid_haemorrhage" in finding_codes(result)
    assert result.level.code == "emergency"


@pytest.mark.parametrize(
    "companion", ["neck_stiffness", "persistent_nausea_vomiting", "seizure", "reduced_consciousness"]
)
@pytest.mark.parametrize(
    ("headache_onset", "headache_resolved", "companion_onset", "expected"),
    [
        ("sudden", False, "sudden", True),
        ("sudden", True, "gradual", True),
        ("sudden", False, "unknown", True),
        ("sudden", False, "longstanding", False),
        ("gradual", False, "sudden", False),
        ("unknown", False, "sudden", False),
    ],
)
def test_it_reads_a_sudden_headache_with_a_new_companion_as_a_possible_haemorrhage(
    companion, headache_onset, headache_resolved, companion_onset, expected
):
    codes = fired(
        symptoms=[symptom("headache", headache_onset, headache_resolved), symptom(companion, companion_onset)]
    )

    assert ("possible_subarachnoid_haemorrhage" in codes) is expected


def test_a_sudden_headache_alone_is_not_a_possible_haemorrhage():
    assert "possible_subarachnoid_haemorrhage" not in fired(symptoms=symptoms(("headache", "sudden")))


# --- infection, seizures and consciousness --------------------------------------------------------------


@pytest.mark.parametrize(
    "companion", ["neck_stiffness", "confusion", "drowsiness", "reduced_consciousness", "personality_change", "seizure"]
)
@pytest.mark.parametrize(
    ("fever_onset", "companion_onset", "expected"),
    [("sudden", "sudden", True), ("gradual", "unknown", True), ("longstanding", "sudden", False),
     ("sudden", "longstanding", False)],
)  # fmt: skip
def test_it_suspects_meningitis_or_encephalitis_from_a_new_fever_with_a_new_sign(
    companion, fever_onset, companion_onset, expected
):
    codes = fired(symptoms=[symptom("fever", fever_onset), symptom(companion, companion_onset)])

    assert ("possible_meningitis_or_encephalitis" in codes) is expected


def test_an_adult_with_fever_and_vomiting_alone_is_not_flagged():
    result = assess_fields(symptoms=symptoms(("fever", "sudden"), ("persistent_nausea_vomiting", "sudden")))

    assert not result.flagged


@pytest.mark.parametrize(
    ("seizure_onset", "resolved", "expected"),
    [("sudden", False, True), ("sudden", True, True), ("unknown", True, True), ("gradual", False, False),
     ("longstanding", False, False)],
)  # fmt: skip
def test_it_treats_a_new_or_unknown_seizure_as_an_emergency_resolved_or_not(seizure_onset, resolved, expected):
    assert ("seizure" in fired(symptoms=[symptom("seizure", seizure_onset, resolved)])) is expected


@pytest.mark.parametrize("blackout", ["fainting", "reduced_consciousness"])
@pytest.mark.parametrize(
    ("blackout_onset", "blackout_resolved", "expected"),
    [("sudden", True, True), ("unknown", False, True), ("gradual", True, False), ("longstanding", True, False)],
)
@pytest.mark.parametrize("tongue_onset", ONSETS)
def test_it_reads_a_new_blackout_with_a_bitten_tongue_as_a_seizure(
    blackout, blackout_onset, blackout_resolved, expected, tongue_onset
):
    codes = fired(
        symptoms=[symptom("bitten_tongue", tongue_onset), symptom(blackout, blackout_onset, blackout_resolved)]
    )

    assert ("seizure" in codes) is expected


def test_a_bitten_tongue_alone_is_not_a_seizure():
    assert "seizure" not in fired(symptoms=symptoms(("bitten_tongue", "sudden")))


@pytest.mark.parametrize("onset", ONSETS)
@pytest.mark.parametrize(
    ("resolved", "expected"),
    [(False, {"reduced_consciousness"}), (True, {"recent_breathing_or_fainting"})],
)
def test_it_reads_reduced_consciousness_by_resolution_only(onset, resolved, expected):
    codes = fired(symptoms=[symptom("reduced_consciousness", onset, resolved)])

    assert codes & {"reduced_consciousness", "recent_breathing_or_fainting"} == expected


@pytest.mark.parametrize("code", ["breathing_difficulty", "fainting"])
@pytest.mark.parametrize(
    ("resolved", "expected"), [(False, {"breathing_or_fainting"}), (True, {"recent_breathing_or_fainting"})]
)
def test_it_reads_breathing_difficulty_and_fainting_by_resolution_only(code, resolved, expected):
    codes = fired(symptoms=[symptom(code, "longstanding", resolved)])

    assert codes & {"breathing_or_fainting", "recent_breathing_or_fainting"} == expected


# --- glucose ----------------------------------------------------------------------------------------

HYPO_SYMPTOMS = (
    "confusion",
    "slurred_speech",
    "unsteadiness",
    "personality_change",
    "drowsiness",
    "seizure",
    "reduced_consciousness",
)


@pytest.mark.parametrize("code", HYPO_SYMPTOMS)
@pytest.mark.parametrize(("onset", "expected"), [("gradual", True), ("unknown", True), ("longstanding", False)])
def test_it_suspects_symptomatic_low_glucose_in_treated_diabetes(code, onset, expected):
    codes = fired(history=["diabetes_treated"], symptoms=[symptom(code, onset)])

    assert ("severe_hypoglycaemia" in codes) is expected


@pytest.mark.parametrize(
    ("measurements", "expected"),
    [(None, True), (glucose(3.9), False), (glucose(70, "mg/dL"), False), (glucose(3.89), True)],
)
def test_a_measured_glucose_that_is_not_low_rules_out_the_symptom_route(measurements, expected):
    fields = {"measurements": measurements} if measurements else {}

    codes = fired(history=["diabetes_treated"], symptoms=symptoms(("drowsiness", "gradual")), **fields)

    assert ("severe_hypoglycaemia" in codes) is expected


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (("reduced_consciousness", "gradual", False), "severe_hypoglycaemia"),
        (("difficulty_swallowing", "longstanding", False), "severe_hypoglycaemia"),
        (("seizure", "unknown", False), "severe_hypoglycaemia"),
        (("seizure", "gradual", False), "low_blood_glucose"),
        (("difficulty_swallowing", "longstanding", True), "low_blood_glucose"),
        (("reduced_consciousness", "gradual", True), "low_blood_glucose"),
    ],
)
def test_a_low_glucose_is_severe_when_the_person_cannot_safely_swallow(entry, expected):
    codes = fired(measurements=glucose(3.5), symptoms=[symptom(*entry)])

    assert codes & {"severe_hypoglycaemia", "low_blood_glucose"} == {expected}


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (("tremor", "sudden"), True),
        (("tremor", "gradual"), True),
        (("sweating", "unknown"), True),
        (("tremor", "longstanding"), False),
        (("palpitations", "sudden"), True),
        (("palpitations", "unknown"), True),
        (("palpitations", "gradual"), False),
        (("anxiety", "sudden"), True),
        (("anxiety", "gradual"), False),
    ],
)
def test_it_suspects_unmeasured_hypoglycaemia_from_warning_signs_in_treated_diabetes(entry, expected):
    assert ("possible_hypoglycaemia" in fired(history=["diabetes_treated"], symptoms=[symptom(*entry)])) is expected


@pytest.mark.parametrize("measurements", [glucose(6.0), glucose(3.5)])
def test_it_does_not_suspect_unmeasured_hypoglycaemia_when_a_glucose_is_given(measurements):
    codes = fired(history=["diabetes_treated"], symptoms=symptoms(("tremor", "sudden")), measurements=measurements)

    assert "possible_hypoglycaemia" not in codes


def test_it_does_not_suspect_unmeasured_hypoglycaemia_beside_the_severe_finding():
    codes = fired(history=["diabetes_treated"], symptoms=symptoms(("tremor", "sudden"), ("confusion", "gradual")))

    assert "severe_hypoglycaemia" in codes
    assert "possible_hypoglycaemia" not in codes


def test_it_needs_treated_diabetes_to_suspect_unmeasured_hypoglycaemia():
    assert "possible_hypoglycaemia" not in fired(symptoms=symptoms(("tremor", "sudden"), ("sweating", "sudden")))


# --- calcium and magnesium --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"symptoms": symptoms(("palpitations", "longstanding"))}, "severe_hypocalcaemia"),
        ({"symptoms": symptoms(("seizure", "gradual"))}, "severe_hypocalcaemia"),
        ({"symptoms": symptoms(("carpopedal_spasm", "longstanding", True))}, "severe_hypocalcaemia"),
        ({"locations": ["hand"]}, "severe_hypocalcaemia"),
        ({"symptoms": symptoms(("tingling_around_mouth", "sudden"))}, "low_calcium"),
        ({"locations": ["mouth"]}, "low_calcium"),
        ({}, "low_calcium"),
    ],
)
def test_a_low_calcium_is_severe_with_a_companion_sign(fields, expected):
    codes = fired(measurements=calcium(2.1), **fields)

    assert codes & {"severe_hypocalcaemia", "low_calcium", "suspected_hypocalcaemia"} == {expected}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"history": SURGERY, "symptoms": symptoms(("carpopedal_spasm", "sudden"))}, {"severe_hypocalcaemia"}),
        ({"history": SURGERY, "symptoms": symptoms(("carpopedal_spasm", "sudden")), "measurements": calcium(2.3)},
         set()),
        ({"symptoms": symptoms(("carpopedal_spasm", "longstanding"))}, {"suspected_hypocalcaemia"}),
        ({"history": SURGERY, "locations": ["cheek"]}, {"suspected_hypocalcaemia"}),
        ({"history": SURGERY, "locations": ["widespread"]}, {"suspected_hypocalcaemia"}),
        ({"history": SURGERY, "locations": ["eyelid"]}, set()),
        ({"history": SURGERY, "symptoms": symptoms(("tingling_hands_or_feet", "gradual"))},
         {"suspected_hypocalcaemia"}),
        ({"locations": ["mouth"], "symptoms": symptoms(("tingling_hands_or_feet", "gradual"))},
         {"suspected_hypocalcaemia"}),
        ({"locations": ["hand"], "symptoms": symptoms(("muscle_weakness", "longstanding"))},
         {"suspected_hypocalcaemia"}),
        ({"locations": ["cheek"], "symptoms": symptoms(("palpitations", "sudden"))}, set()),
        ({"symptoms": symptoms(("tingling_around_mouth", "sudden"), ("tingling_hands_or_feet", "sudden"))},
         {"suspected_hypocalcaemia"}),
        ({"symptoms": symptoms(("tingling_around_mouth", "sudden"), ("tingling", "sudden"))}, set()),
        ({"symptoms": symptoms(("tingling_around_mouth", "sudden"), ("tingling_hands_or_feet", "sudden")),
          "measurements": calcium(2.4)}, set()),
        ({"symptoms": symptoms(("carpopedal_spasm", "sudden")), "measurements": glucose(5.0)},
         {"suspected_hypocalcaemia"}),
    ],
)  # fmt: skip
def test_it_suspects_low_calcium_without_a_result_on_each_branch(fields, expected):
    codes = fired(**fields)

    assert codes & {"severe_hypocalcaemia", "low_calcium", "suspected_hypocalcaemia"} == expected


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"symptoms": symptoms(("palpitations", "longstanding"))}, "severe_hypomagnesaemia"),
        ({"symptoms": symptoms(("seizure", "gradual", True))}, "severe_hypomagnesaemia"),
        ({"symptoms": symptoms(("carpopedal_spasm", "sudden"))}, "severe_hypomagnesaemia"),
        ({"locations": ["hand"]}, "low_magnesium"),  # a hand twitch escalates calcium only
        ({}, "low_magnesium"),
    ],
)
def test_a_low_magnesium_is_severe_with_a_companion_sign(fields, expected):
    codes = fired(measurements=magnesium(0.6), **fields)

    assert codes & {"severe_hypomagnesaemia", "low_magnesium"} == {expected}


def test_it_names_the_magnesium_that_fired():
    result = assess_fields(measurements=magnesium(0.45))

    assert finding(result, "severe_hypomagnesaemia").triggered_by == ("measurements.serum_magnesium",)


# --- pregnancy, head injury, alcohol, medicines ------------------------------------------------------

PREGNANT = ["pregnant_or_recent_birth"]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"symptoms": symptoms(("seizure", "longstanding"))}, {"possible_eclampsia"}),
        ({"symptoms": symptoms(("reduced_consciousness", "longstanding", True))}, {"possible_eclampsia"}),
        ({"symptoms": symptoms(("confusion", "unknown"))}, {"possible_eclampsia"}),
        ({"symptoms": symptoms(("confusion", "longstanding"))}, set()),
        ({"locations": ["eyelid", "leg"], "duration_days": 7}, {"possible_eclampsia"}),
        ({"locations": ["widespread"], "duration_days": 8}, {"possible_pre_eclampsia"}),
        ({"locations": ["arm", "leg"], "duration_days": 2}, set()),
        ({"symptoms": symptoms(("headache", "gradual"))}, {"possible_pre_eclampsia"}),
        ({"symptoms": symptoms(("vision_loss", "gradual"))}, {"possible_pre_eclampsia"}),
        ({"symptoms": symptoms(("double_vision", "unknown"))}, {"possible_pre_eclampsia"}),
        ({"symptoms": symptoms(("persistent_nausea_vomiting", "sudden", True))}, {"possible_pre_eclampsia"}),
        ({"symptoms": symptoms(("headache", "longstanding"))}, set()),
        ({"symptoms": symptoms(("headache", "gradual"), ("seizure", "sudden"))}, {"possible_eclampsia"}),
        ({}, set()),
    ],
)
def test_it_reads_eclampsia_and_pre_eclampsia_in_pregnancy_or_after_a_birth(fields, expected):
    codes = fired(history=PREGNANT, side="both", **fields)

    assert codes & {"possible_eclampsia", "possible_pre_eclampsia"} == expected


def test_it_needs_pregnancy_or_a_recent_birth_for_the_obstetric_rules():
    codes = fired(symptoms=symptoms(("headache", "gradual"), ("confusion", "gradual")))

    assert not codes & {"possible_eclampsia", "possible_pre_eclampsia"}


HEAD_INJURY_SYMPTOMS = (
    "seizure",
    "reduced_consciousness",
    "fainting",
    "confusion",
    "drowsiness",
    "memory_problems",
    "persistent_nausea_vomiting",
    "headache",
    "thunderclap_headache",
    *FOCAL,
)


@pytest.mark.parametrize("code", HEAD_INJURY_SYMPTOMS)
@pytest.mark.parametrize(
    ("onset", "expected"), [("gradual", {"head_injury_red_flags"}), ("longstanding", {"head_injury"})]
)
def test_it_reads_a_new_symptom_after_a_head_injury_as_a_red_flag(code, onset, expected):
    codes = fired(history=["recent_head_injury"], symptoms=[symptom(code, onset)])

    assert codes & {"head_injury_red_flags", "head_injury"} == expected


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        (["recent_head_injury"], {"head_injury"}),
        (["recent_head_injury", "anticoagulant"], {"head_injury_red_flags"}),
        (["recent_head_injury", "antiplatelet"], {"head_injury_red_flags"}),
        (["anticoagulant"], set()),
    ],
)
def test_it_reads_a_head_injury_under_an_anticoagulant_or_antiplatelet_as_a_red_flag(history, expected):
    assert fired(history=history) & {"head_injury_red_flags", "head_injury"} == expected


def test_a_longstanding_dizziness_is_not_a_head_injury_red_flag():
    codes = fired(history=["recent_head_injury"], symptoms=symptoms(("dizziness", "gradual")))

    assert codes & {"head_injury_red_flags", "head_injury"} == {"head_injury"}


@pytest.mark.parametrize("code", ["seizure", "confusion", "drowsiness", "reduced_consciousness"])
@pytest.mark.parametrize(
    ("onset", "expected"),
    [("gradual", {"complicated_alcohol_withdrawal"}), ("longstanding", {"alcohol_withdrawal"})],
)
def test_it_reads_alcohol_withdrawal_as_complicated_with_a_new_sign(code, onset, expected):
    codes = fired(context={"stopped_heavy_drinking": True}, symptoms=[symptom(code, onset)])

    assert codes & {"complicated_alcohol_withdrawal", "alcohol_withdrawal"} == expected


def test_it_names_the_stopped_drinking_that_fired_withdrawal():
    result = assess_fields(context={"stopped_heavy_drinking": True})

    assert finding(result, "alcohol_withdrawal").triggered_by == ("context.stopped_heavy_drinking",)


def test_it_does_not_suspect_withdrawal_without_stopped_drinking():
    codes = fired(symptoms=symptoms(("tremor", "sudden"), ("sweating", "sudden"), ("agitation", "sudden")))

    assert not codes & {"complicated_alcohol_withdrawal", "alcohol_withdrawal"}


SEROTONIN = ["serotonergic_medicine_change"]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"symptoms": symptoms(("tremor", "sudden"), ("agitation", "sudden"))}, {"possible_serotonin_toxicity"}),
        ({"symptoms": symptoms(("tremor", "gradual"), ("diarrhoea", "unknown"))}, {"possible_serotonin_toxicity"}),
        ({"locations": ["widespread"], "duration_days": 7, "symptoms": symptoms(("sweating", "sudden"))},
         {"possible_serotonin_toxicity"}),
        ({"locations": ["arm", "leg"], "duration_days": 3, "symptoms": symptoms(("agitation", "sudden"))},
         {"possible_serotonin_toxicity"}),
        ({"locations": ["widespread"], "duration_days": 8, "symptoms": symptoms(("sweating", "sudden"))}, set()),
        ({"locations": ["eyelid"], "symptoms": symptoms(("sweating", "sudden"))}, set()),
        ({"symptoms": symptoms(("tremor", "longstanding"), ("agitation", "sudden"))}, set()),
        ({"symptoms": symptoms(("tremor", "sudden"), ("agitation", "longstanding"))}, set()),
        ({"symptoms": symptoms(("tremor", "sudden"))}, set()),
        ({"symptoms": symptoms(("tremor", "sudden"), ("fever", "sudden"))}, {"severe_serotonin_toxicity"}),
        ({"symptoms": symptoms(("tremor", "sudden"), ("confusion", "gradual"))}, {"severe_serotonin_toxicity"}),
        ({"symptoms": symptoms(("tremor", "sudden"), ("sweating", "sudden"), ("seizure", "gradual"))},
         {"severe_serotonin_toxicity"}),
        ({"symptoms": symptoms(("tremor", "sudden"), ("sweating", "sudden"), ("reduced_consciousness", "sudden"))},
         {"severe_serotonin_toxicity"}),
        ({"symptoms": symptoms(("tremor", "sudden"), ("seizure", "gradual"))}, set()),
    ],
)  # fmt: skip
def test_it_reads_serotonin_toxicity_after_a_serotonergic_medicine_change(fields, expected):
    codes = fired(history=SEROTONIN, side="both", **fields)

    assert codes & {"severe_serotonin_toxicity", "possible_serotonin_toxicity"} == expected


def test_it_needs_a_serotonergic_medicine_change_to_suspect_serotonin_toxicity():
    codes = fired(symptoms=symptoms(("tremor", "sudden"), ("agitation", "sudden"), ("fever", "sudden")))

    assert not codes & {"severe_serotonin_toxicity", "possible_serotonin_toxicity"}


LITHIUM_SIGNS = (
    "tremor",
    "unsteadiness",
    "loss_of_coordination",
    "slurred_speech",
    "diarrhoea",
    "persistent_nausea_vomiting",
    "muscle_weakness",
)


@pytest.mark.parametrize("code", LITHIUM_SIGNS)
@pytest.mark.parametrize(("onset", "expected"), [("gradual", True), ("longstanding", False)])
def test_it_suspects_lithium_toxicity_from_a_new_sign(code, onset, expected):
    codes = fired(history=["lithium"], symptoms=[symptom(code, onset)])

    assert ("possible_lithium_toxicity" in codes) is expected


@pytest.mark.parametrize(
    ("locations", "duration_days", "expected"),
    [(["widespread"], 7, True), (["hand", "leg"], 1, True), (["widespread"], 8, False), (["hand"], 1, False)],
)
def test_it_suspects_lithium_toxicity_from_new_widespread_jerking(locations, duration_days, expected):
    codes = fired(history=["lithium"], locations=locations, duration_days=duration_days, side="both")

    assert ("possible_lithium_toxicity" in codes) is expected


@pytest.mark.parametrize("code", ["confusion", "drowsiness", "reduced_consciousness", "seizure"])
@pytest.mark.parametrize(("onset", "expected"), [("gradual", True), ("longstanding", False)])
def test_it_reads_lithium_toxicity_as_severe_with_a_new_sign_of_brain_involvement(code, onset, expected):
    codes = fired(history=["lithium"], symptoms=[symptom(code, onset), symptom("tremor", "sudden")])

    assert ("severe_lithium_toxicity" in codes) is expected
    assert ("possible_lithium_toxicity" in codes) is not expected


def test_it_flags_a_new_anti_sickness_medicine_or_antipsychotic():
    assert "possible_acute_dystonia" in fired(history=["started_antiemetic_or_antipsychotic"])


# --- explained anxiety -------------------------------------------------------------------------------

EXPLAINING = [
    pytest.param({"measurements": glucose(3.5)}, id="low glucose"),
    pytest.param({"history": ["diabetes_treated"], "extra": [symptom("sweating", "sudden")]}, id="possible hypo"),
    pytest.param({"context": {"stopped_heavy_drinking": True}}, id="alcohol withdrawal"),
    pytest.param({"history": ["lithium"], "extra": [symptom("tremor", "sudden")]}, id="lithium toxicity"),
    pytest.param(
        {"history": SEROTONIN, "extra": [symptom("tremor", "sudden"), symptom("agitation", "sudden")]},
        id="serotonin toxicity",
    ),
]


@pytest.mark.parametrize("fields", EXPLAINING)
def test_it_reads_anxiety_and_mood_change_as_part_of_a_glucose_withdrawal_or_toxicity_finding(fields):
    fields = dict(fields)
    extra = fields.pop("extra", [])

    sudden = fired(symptoms=[symptom("anxiety", "sudden"), *extra], **fields)
    gradual = fired(symptoms=[symptom("anxiety", "gradual"), symptom("panic_attack", "sudden"), *extra], **fields)

    assert "sudden_mood_change" not in sudden
    assert "anxiety_related" not in gradual


def test_a_known_anxiety_disorder_is_still_reported_beside_a_glucose_finding():
    codes = fired(history=["anxiety_disorder"], measurements=glucose(3.5), symptoms=symptoms(("anxiety", "gradual")))

    assert "anxiety_related" in codes


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (("anxiety", "sudden"), {"sudden_mood_change"}),
        (("low_mood", "sudden"), {"sudden_mood_change"}),
        (("anxiety", "gradual"), {"anxiety_related"}),
        (("anxiety", "unknown"), {"anxiety_related"}),
        (("panic_attack", "sudden"), {"anxiety_related"}),
        (("low_mood", "gradual"), set()),
    ],
)
def test_it_separates_sudden_mood_change_from_anxiety(entry, expected):
    assert fired(symptoms=[symptom(*entry)]) & {"sudden_mood_change", "anxiety_related"} == expected


# --- structural, neuromuscular and ear -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ([("persistent_nausea_vomiting", "gradual")], True),
        ([("persistent_nausea_vomiting", "unknown")], True),
        ([("persistent_nausea_vomiting", "gradual", True)], False),
        ([("persistent_nausea_vomiting", "unknown", True)], False),
        ([("persistent_nausea_vomiting", "sudden")], False),
        ([("persistent_nausea_vomiting", "sudden", True)], False),
        ([("persistent_nausea_vomiting", "longstanding")], False),
        ([("persistent_nausea_vomiting", "sudden"), ("headache", "gradual")], True),
        ([("persistent_nausea_vomiting", "sudden", True), ("headache", "unknown", True)], True),
        ([("persistent_nausea_vomiting", "sudden"), ("headache", "longstanding")], False),
        ([("persistent_nausea_vomiting", "longstanding"), ("headache", "gradual")], False),
        ([("memory_problems", "sudden")], True),
        ([("personality_change", "unknown")], True),
        ([("memory_problems", "longstanding")], False),
        ([("one_sided_numbness", "gradual")], True),
        ([("seizure", "gradual")], True),
        ([("confusion", "unknown")], False),
    ],
)
def test_it_reads_intracranial_tumour_signs_by_onset_and_for_vomiting_by_resolution(entries, expected):
    assert ("intracranial_tumour_signs" in fired(symptoms=[symptom(*entry) for entry in entries])) is expected


def test_it_reads_a_resolved_gradual_vomiting_with_a_new_headache_the_safer_way():
    # ADR 0004: the headache-with-vomiting pair keeps its 2026.11 level whatever the vomiting's onset.
    codes = fired(symptoms=symptoms(("persistent_nausea_vomiting", "gradual", True), ("headache", "gradual")))

    assert "intracranial_tumour_signs" in codes


@pytest.mark.parametrize(
    "code", ["difficulty_swallowing", "facial_weakness", "facial_numbness", "double_vision", "slurred_speech"]
)
@pytest.mark.parametrize(("onset", "expected"), [("gradual", True), ("unknown", False), ("longstanding", False)])
def test_it_flags_brainstem_signs_only_for_gradual_onset(code, onset, expected):
    assert ("brainstem_signs" in fired(symptoms=[symptom(code, onset)])) is expected


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ([("muscle_weakness", "sudden")], True),
        ([("muscle_weakness", "gradual")], False),
        *[([("muscle_weakness", "gradual"), (code, "longstanding")], True) for code in TINGLING],
        ([("muscle_weakness", "unknown"), ("unsteadiness", "gradual")], True),
        ([("muscle_weakness", "longstanding"), ("tingling", "gradual")], False),
        ([("muscle_weakness", "gradual"), ("carpopedal_spasm", "gradual")], False),
    ],
)
def test_it_flags_rapidly_progressive_weakness_with_any_tingling(entries, expected):
    assert ("rapidly_progressive_weakness" in fired(symptoms=[symptom(*e) for e in entries])) is expected


@pytest.mark.parametrize("companion", ["facial_weakness", "ear_pain", "hearing_loss", "vertigo"])
@pytest.mark.parametrize(
    ("blister_onset", "companion_onset", "expected"),
    [("sudden", "gradual", True), ("unknown", "sudden", True), ("longstanding", "sudden", False),
     ("sudden", "longstanding", False)],
)  # fmt: skip
def test_it_suspects_ramsay_hunt_from_new_blisters_with_a_new_ear_or_face_sign(
    companion, blister_onset, companion_onset, expected
):
    codes = fired(symptoms=[symptom("ear_or_mouth_blisters", blister_onset), symptom(companion, companion_onset)])

    assert ("possible_ramsay_hunt" in codes) is expected


def test_ear_pain_alone_changes_nothing():
    assert fired(symptoms=symptoms(("ear_pain", "sudden"))) == {"isolated_twitch"}


@pytest.mark.parametrize(("onset", "expected"), [("sudden", True), ("gradual", True), ("unknown", True),
                                                 ("longstanding", False)])  # fmt: skip
def test_it_flags_new_hearing_loss(onset, expected):
    assert ("new_hearing_loss" in fired(symptoms=[symptom("hearing_loss", onset)])) is expected


@pytest.mark.parametrize(
    ("history", "code", "expected"),
    [
        ([], "one_sided_numbness", True),
        (["prior_stroke"], "one_sided_numbness", False),
        (["prior_stroke"], "one_sided_weakness", False),
        (["prior_stroke"], "slurred_speech", True),
    ],
)
def test_it_applies_the_prior_stroke_exception_to_one_sided_numbness_too(history, code, expected):
    codes = fired(history=history, symptoms=[symptom(code, "longstanding")])

    assert ("longstanding_neuro_symptom" in codes) is expected


@pytest.mark.parametrize(("duration_days", "expected"), [(20, False), (21, True)])
def test_it_calls_a_twitch_persistent_from_21_days(duration_days, expected):
    assert ("persistent_twitch" in fired(duration_days=duration_days)) is expected


# --- the advice, in four steps --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "advice"),
    [
        pytest.param({"measurements": glucose(3.5)}, ["treat_low_blood_glucose", "same_day_medical_review"],
                     id="low glucose: first aid first"),
        pytest.param({"measurements": glucose(2.5)}, ["treat_low_blood_glucose", "call_emergency_services"],
                     id="very low glucose: first aid, then the call; no glucose check"),
        pytest.param({"history": ["diabetes_treated"], "symptoms": symptoms(("personality_change", "gradual"))},
                     ["treat_low_blood_glucose", "call_emergency_services", "check_blood_glucose"],
                     id="symptomatic, unmeasured: first aid first, glucose check kept"),
        pytest.param({"measurements": glucose(3.5), "symptoms": symptoms(("slurred_speech", "sudden"))},
                     ["call_emergency_services", "treat_low_blood_glucose"],
                     id="stroke signs: the call first, then first aid"),
        pytest.param({"measurements": glucose(3.5), "symptoms": symptoms(("reduced_consciousness", "sudden"))},
                     ["call_emergency_services", "do_not_give_food_or_drink"],
                     id="cannot swallow: nothing by mouth, in first aid's place"),
        pytest.param({"history": ["diabetes_treated"],
                      "symptoms": symptoms(("seizure", "sudden"), ("slurred_speech", "sudden"))},
                     ["call_emergency_services", "check_blood_glucose", "do_not_give_food_or_drink"],
                     id="stroke and seizure: nothing by mouth"),
        pytest.param({"history": ["diabetes_treated"], "symptoms": symptoms(("tremor", "sudden"))},
                     ["treat_low_blood_glucose", "check_blood_glucose", "same_day_medical_review"],
                     id="possible hypo: first aid first"),
        pytest.param({"history": ["diabetes_treated"],
                      "symptoms": symptoms(("tremor", "sudden"), ("difficulty_swallowing", "gradual"))},
                     ["same_day_medical_review", "mri_brain", "check_blood_glucose", "do_not_give_food_or_drink"],
                     id="possible hypo, cannot swallow: nothing by mouth in place"),
        pytest.param({"measurements": calcium(2.1)}, ["same_day_medical_review"], id="low calcium"),
        pytest.param({"measurements": calcium(1.5)}, ["call_emergency_services", "ecg"],
                     id="very low calcium: no calcium check"),
        pytest.param({"locations": ["eyelid", "arm"], "side": "both", "duration_days": 2,
                      "measurements": {**calcium(2.4), **glucose(5.0)}},
                     ["same_day_medical_review"], id="multifocal, both measured"),
        pytest.param({"locations": ["eyelid", "arm"], "side": "both", "duration_days": 2},
                     ["same_day_medical_review", "check_blood_glucose", "check_serum_calcium"],
                     id="multifocal, nothing measured"),
        pytest.param({"history": ["lithium"], "symptoms": symptoms(("tremor", "gradual")), "spreading": True},
                     ["check_lithium_level", "same_day_medical_review"], id="urgent drops the appointment"),
        pytest.param({"history": ["lithium"], "symptoms": symptoms(("tremor", "gradual"), ("confusion", "gradual"))},
                     ["call_emergency_services"], id="emergency drops the lithium level and review"),
        pytest.param({"history": [*PREGNANT, "started_antiemetic_or_antipsychotic"],
                      "symptoms": symptoms(("headache", "gradual"))},
                     ["same_day_maternity_assessment", "same_day_medical_review", "review_new_medicine"],
                     id="maternity assessment beside a medicine review"),
        pytest.param({"history": PREGNANT, "symptoms": symptoms(("seizure", "sudden"))},
                     ["call_emergency_services", "check_blood_glucose"], id="eclampsia and seizure"),
        pytest.param({"symptoms": symptoms(("seizure", "sudden")), "locations": ["whole_side_of_face"],
                      "history": ["multiple_sclerosis"]},
                     ["call_emergency_services", "check_blood_glucose"],
                     id="emergency drops referrals, scans and team advice"),
        pytest.param({"context": {"poor_sleep": True, "low_fluid_intake": True}, "duration_days": 30},
                     ["book_appointment", "hydration", "rest_and_stress_reduction"],
                     id="routine keeps self-care advice"),
        pytest.param({"context": {"low_fluid_intake": True}}, ["hydration", "watchful_waiting"], id="self-care"),
    ],
)  # fmt: skip
def test_it_builds_the_advice_in_the_four_steps_of_the_specification(fields, advice):
    assert list(assess_fields(**fields).recommendations) == advice
