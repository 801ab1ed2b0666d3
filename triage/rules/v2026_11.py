"""Rule set 2026.11 (clinical-rules-2026.11.md) as data: one row per red-flag rule, in specification order.

Held unchanged beside newer versions: stored assessments made under it can be explained and re-run.
"""

from collections.abc import Mapping, Sequence

from .predicates import (
    ANY_ONSET,
    GRADUAL,
    GRADUAL_OR_LONGSTANDING,
    GRADUAL_OR_UNKNOWN,
    LONGSTANDING,
    NOT_LONGSTANDING,
    NOT_SUDDEN,
    SUDDEN,
    SUDDEN_OR_UNKNOWN,
    all_of,
    context_flags,
    each,
    glucose_unchecked_in_diabetes,
    hemifacial_pattern,
    history,
    history_rule,
    isolated_twitch,
    locations,
    measured_low_unless,
    persistent_twitch,
    possible_focal_seizure,
    symptom_rule,
    symptoms_with,
    twitch_flag,
)
from .presentation import Presentation
from .ruleset import Paths, Rule, RuleSet
from .vocabulary import Level
from .wording import describe_input

VERSION = "2026.11"

# Its vocabularies, in its own specification's order.
SYMPTOMS = (
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
HISTORY = (
    "multiple_sclerosis",
    "prior_stroke",
    "diabetes_treated",
    "thyroid_or_parathyroid_surgery",
    "facial_nerve_injury",
    "anxiety_disorder",
)
LOCATIONS = (
    "eyelid",
    "around_eye",
    "forehead",
    "cheek",
    "mouth",
    "jaw",
    "whole_side_of_face",
    "neck",
    "arm",
    "hand",
    "leg",
    "trunk",
    "widespread",
)
CONTEXT = ("poor_sleep", "high_stress", "low_fluid_intake")
MEASUREMENTS = ("serum_calcium", "blood_glucose")
RECOMMENDATIONS = (
    "call_emergency_services",
    "same_day_medical_review",
    "book_appointment",
    "neurology_referral",
    "mri_brain",
    "check_serum_calcium",
    "check_blood_glucose",
    "treat_low_blood_glucose",
    "ecg",
    "inform_ms_team",
    "inform_stroke_rehab_team",
    "rest_and_stress_reduction",
    "hydration",
    "watchful_waiting",
)

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

STROKE_SIGNS: dict[str, frozenset[str]] = {
    **dict.fromkeys(FOCAL + ACUTE, SUDDEN_OR_UNKNOWN),
    **dict.fromkeys(SUDDEN_ONLY, SUDDEN),
}


# --- predicates that need more than one line ----------------------------------------

HYPOGLYCAEMIA_SYMPTOMS = each(
    ("confusion", "slurred_speech", "unsteadiness", "personality_change", "drowsiness", "seizure"),
    NOT_LONGSTANDING,
)


def severe_hypoglycaemia(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    glucose = p.measurements.get("blood_glucose")
    measured: Paths = ("measurements.blood_glucose",) if glucose is not None else ()
    if glucose is not None and glucose.is_severe_low:
        return measured
    # A measured glucose that is not low rules out the symptom route; a missing one never does.
    if glucose is not None and not glucose.is_low:
        return ()
    symptom_route = all_of(history(p, "diabetes_treated"), symptoms_with(p, HYPOGLYCAEMIA_SYMPTOMS))
    return symptom_route + measured if symptom_route else ()


def severe_hypocalcaemia(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    calcium = p.measurements.get("serum_calcium")
    if calcium is None or not calcium.is_low:
        return ()
    if calcium.is_severe_low:
        return ("measurements.serum_calcium",)
    companions = symptoms_with(p, each(("palpitations", "seizure"), ANY_ONSET)) + locations(p, {"hand"})
    return all_of(("measurements.serum_calcium",), companions)


WEAKNESS_COMPANIONS = each(
    ("tingling", "difficulty_swallowing", "loss_of_balance", "loss_of_coordination", "unsteadiness"), ANY_ONSET
)


def rapidly_progressive_weakness(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    if p.symptom("muscle_weakness") is None:
        return ()
    sudden = symptoms_with(p, {"muscle_weakness": SUDDEN})
    if sudden:
        return sudden
    return all_of(symptoms_with(p, {"muscle_weakness": GRADUAL_OR_UNKNOWN}), symptoms_with(p, WEAKNESS_COMPANIONS))


AFTER_NECK_SURGERY_LOCATIONS = frozenset({"mouth", "cheek", "whole_side_of_face", "hand", "widespread"})
LOW_CALCIUM_LOCATIONS = frozenset({"mouth", "hand"})
LOW_CALCIUM_SYMPTOMS = each(("palpitations", "muscle_weakness", "tingling"), ANY_ONSET)


def suspected_hypocalcaemia(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    if "serum_calcium" in p.measurements:
        return ()
    after_surgery: Paths = ()
    if "thyroid_or_parathyroid_surgery" in p.history:
        after_surgery = all_of(
            history(p, "thyroid_or_parathyroid_surgery"),
            locations(p, AFTER_NECK_SURGERY_LOCATIONS) + symptoms_with(p, {"tingling": ANY_ONSET}),
        )
    at_mouth_or_hand = locations(p, LOW_CALCIUM_LOCATIONS)
    with_symptoms = all_of(at_mouth_or_hand, symptoms_with(p, LOW_CALCIUM_SYMPTOMS)) if at_mouth_or_hand else ()
    return tuple(dict.fromkeys(after_surgery + with_symptoms)) if after_surgery or with_symptoms else ()


LONGSTANDING_NEURO = each(
    (*FOCAL, *ACUTE, "persistent_nausea_vomiting", "memory_problems", "personality_change", "seizure"), LONGSTANDING
)
# Residual one-sided deficits after a known stroke are expected, not new.
LONGSTANDING_NEURO_AFTER_STROKE = {
    code: onsets
    for code, onsets in LONGSTANDING_NEURO.items()
    if code not in {"one_sided_weakness", "one_sided_paralysis"}
}
STROKE_DEFICITS = each(("one_sided_weakness", "one_sided_paralysis"), LONGSTANDING)


def longstanding_neuro_symptom(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    after_stroke = "prior_stroke" in p.history
    return symptoms_with(p, LONGSTANDING_NEURO_AFTER_STROKE if after_stroke else LONGSTANDING_NEURO)


def post_stroke_recovery_twitch(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    if "prior_stroke" not in p.history:
        return ()
    return all_of(history(p, "prior_stroke"), symptoms_with(p, STROKE_DEFICITS))


ANXIETY_SYMPTOMS = {"anxiety": NOT_SUDDEN, "panic_attack": ANY_ONSET}


def anxiety_related(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    symptoms = symptoms_with(p, ANXIETY_SYMPTOMS)
    return symptoms + history(p, "anxiety_disorder")


# --- the table --------------------------------------------------------------------

E, U, R, S = Level.EMERGENCY, Level.URGENT, Level.ROUTINE, Level.SELF_CARE

RULES: tuple[Rule, ...] = (
    Rule(
        "possible_stroke_or_tia",
        "Possible stroke or TIA",
        "A stroke sign that has not resolved: a focal or acute neurological symptom of sudden or unknown onset, "
        "or a sudden headache, dizziness or vertigo.",
        "cerebrovascular",
        E,
        40,
        ("call_emergency_services", "check_blood_glucose"),
        ("S07", "S19", "G01", "G02"),
        "Stroke signs that are still present ({evidence}) need emergency assessment for stroke or TIA.",
        symptom_rule(STROKE_SIGNS, resolved=False),
    ),
    Rule(
        "seizure",
        "Seizure",
        "A new seizure, or one whose onset is unknown.",
        "intracranial",
        E,
        40,
        ("call_emergency_services", "check_blood_glucose", "mri_brain"),
        ("S15", "S16"),
        "A new or unexplained seizure ({evidence}) needs emergency assessment and a glucose check.",
        symptom_rule({"seizure": SUDDEN_OR_UNKNOWN}),
    ),
    Rule(
        "severe_hypoglycaemia",
        "Possible severe hypoglycaemia",
        "Severely low blood glucose, or treated diabetes with confusion, slurred speech, unsteadiness, personality "
        "change, drowsiness or a seizure, unless a measured glucose is not low.",
        "metabolic",
        E,
        40,
        ("call_emergency_services", "check_blood_glucose", "treat_low_blood_glucose"),
        ("S24", "G03"),
        "Severe hypoglycaemia is possible ({evidence}) and must be treated as an emergency.",
        severe_hypoglycaemia,
    ),
    Rule(
        "severe_hypocalcaemia",
        "Possible severe hypocalcaemia",
        "Severely low serum calcium, or low calcium with palpitations, a seizure or twitching of the hand.",
        "metabolic",
        E,
        40,
        ("call_emergency_services", "check_serum_calcium", "ecg"),
        ("S06", "G04"),
        "Severe hypocalcaemia ({evidence}) can cause arrhythmia and seizures and needs emergency treatment.",
        severe_hypocalcaemia,
    ),
    Rule(
        "breathing_or_fainting",
        "Breathing difficulty or fainting",
        "Difficulty breathing or fainting that has not resolved.",
        "systemic",
        E,
        40,
        ("call_emergency_services",),
        ("S06", "G04"),
        "Ongoing {evidence} with twitching needs emergency assessment.",
        symptom_rule(each(("breathing_difficulty", "fainting"), ANY_ONSET), resolved=False),
    ),
    Rule(
        "possible_tia",
        "Possible TIA",
        "A stroke sign that has resolved: a transient ischaemic attack still needs same-day assessment.",
        "cerebrovascular",
        U,
        20,
        ("same_day_medical_review", "check_blood_glucose"),
        ("S07", "S19", "G02"),
        "Stroke signs that have resolved ({evidence}) suggest a possible TIA, which needs same-day assessment.",
        symptom_rule(STROKE_SIGNS, resolved=True),
    ),
    Rule(
        "recent_breathing_or_fainting",
        "Recent breathing difficulty or fainting",
        "Difficulty breathing or fainting in the last 7 days that has resolved.",
        "systemic",
        U,
        20,
        ("same_day_medical_review", "ecg"),
        ("S06", "G04"),
        "Recent {evidence} with twitching needs a same-day review and an ECG.",
        symptom_rule(each(("breathing_difficulty", "fainting"), ANY_ONSET), resolved=True),
    ),
    Rule(
        "brainstem_signs",
        "Possible brainstem signs",
        "Gradual difficulty swallowing, facial weakness or numbness, double vision or slurred speech.",
        "structural",
        U,
        20,
        ("same_day_medical_review", "mri_brain"),
        ("S08", "S09"),
        "Gradually developing {evidence} can come from a brainstem lesion and needs same-day review.",
        symptom_rule(
            each(
                ("difficulty_swallowing", "facial_weakness", "facial_numbness", "double_vision", "slurred_speech"),
                GRADUAL,
            )
        ),
    ),
    Rule(
        "intracranial_tumour_signs",
        "Possible intracranial tumour signs",
        "Persistent nausea or vomiting, memory problems or personality change that is not longstanding; or gradual "
        "confusion, drowsiness, vision loss, one-sided weakness or paralysis, or seizures.",
        "structural",
        U,
        20,
        ("same_day_medical_review", "mri_brain"),
        ("S08", "S15", "S16", "S17", "S18"),
        "New or progressive {evidence} can be signs of an intracranial tumour and need same-day review.",
        symptom_rule(
            {
                **each(("persistent_nausea_vomiting", "memory_problems", "personality_change"), NOT_LONGSTANDING),
                **each(
                    ("confusion", "drowsiness", "vision_loss", "one_sided_weakness", "one_sided_paralysis"), GRADUAL
                ),
                "seizure": GRADUAL,
            }
        ),
    ),
    Rule(
        "rapidly_progressive_weakness",
        "Rapidly progressive weakness",
        "Sudden muscle weakness, or gradual or unknown-onset weakness with tingling, swallowing difficulty or "
        "loss of balance or coordination.",
        "neuromuscular",
        U,
        20,
        ("same_day_medical_review",),
        ("S02", "G05"),
        "Progressive weakness ({evidence}) needs same-day assessment for a neuromuscular cause.",
        rapidly_progressive_weakness,
    ),
    Rule(
        "low_blood_glucose",
        "Low blood glucose",
        "Measured blood glucose below 3.9 mmol/L (70 mg/dL) without signs of severe hypoglycaemia.",
        "metabolic",
        U,
        20,
        ("check_blood_glucose", "treat_low_blood_glucose", "same_day_medical_review"),
        ("S24", "G03"),
        "A low {evidence} needs treatment and a same-day review.",
        measured_low_unless("blood_glucose", "severe_hypoglycaemia"),
    ),
    Rule(
        "low_calcium",
        "Low serum calcium",
        "Measured serum calcium below 2.20 mmol/L (8.8 mg/dL) without signs of severe hypocalcaemia.",
        "metabolic",
        U,
        20,
        ("check_serum_calcium", "same_day_medical_review"),
        ("S06",),
        "A low {evidence} can cause twitching and needs same-day review.",
        measured_low_unless("serum_calcium", "severe_hypocalcaemia"),
    ),
    Rule(
        "suspected_hypocalcaemia",
        "Suspected hypocalcaemia",
        "No calcium result, with thyroid or parathyroid surgery and perioral, facial or hand twitching or tingling; "
        "or mouth or hand twitching with palpitations, muscle weakness or tingling.",
        "metabolic",
        U,
        20,
        ("check_serum_calcium", "ecg", "same_day_medical_review"),
        ("S06", "G04"),
        "Without a calcium result, {evidence} suggest hypocalcaemia, which needs checking today.",
        suspected_hypocalcaemia,
    ),
    Rule(
        "loss_of_facial_control",
        "Loss of facial control",
        "The patient reports losing control of the facial muscles.",
        "hemifacial",
        U,
        20,
        ("same_day_medical_review",),
        ("S13",),
        "The patient reports {evidence}, which needs same-day review.",
        twitch_flag("loss_of_facial_control"),
    ),
    Rule(
        "possible_focal_seizure",
        "Possible focal motor seizure",
        "Twitching of the face and a limb that is not on both sides.",
        "intracranial",
        U,
        20,
        ("same_day_medical_review", "mri_brain"),
        ("S13", "S15", "G06"),
        "Twitching of the face and a limb on one side ({evidence}) can be a focal motor seizure.",
        possible_focal_seizure,
    ),
    Rule(
        "hemifacial_pattern",
        "Hemifacial spasm pattern",
        "One-sided twitching of the whole side of the face or of two or more facial regions.",
        "hemifacial",
        R,
        5,
        ("neurology_referral", "mri_brain"),
        ("S01", "S03", "S07", "S09", "S21", "S23"),
        "One-sided twitching across the face ({evidence}) fits hemifacial spasm, which needs a neurology review.",
        hemifacial_pattern,
    ),
    Rule(
        "spreading_twitch",
        "Spreading twitch",
        "The twitch is spreading to other muscles.",
        "course",
        R,
        5,
        ("book_appointment",),
        ("S13",),
        "The patient reports that {evidence}, which warrants a routine appointment.",
        twitch_flag("spreading"),
    ),
    Rule(
        "persistent_twitch",
        "Persistent twitch",
        "The twitch has lasted 21 days or more.",
        "course",
        R,
        5,
        ("book_appointment",),
        ("S02",),
        "A {evidence} has not settled on its own and warrants a routine appointment.",
        persistent_twitch,
    ),
    Rule(
        "worsening_twitch",
        "Worsening twitch",
        "The twitch is getting worse.",
        "course",
        R,
        5,
        ("book_appointment",),
        ("S02",),
        "The patient reports that {evidence}, which warrants a routine appointment.",
        twitch_flag("worsening"),
    ),
    Rule(
        "twitch_affects_vision",
        "Twitch affects vision",
        "The twitch interferes with vision.",
        "course",
        R,
        5,
        ("book_appointment",),
        ("S02",),
        "The patient reports that {evidence}, which warrants a routine appointment.",
        twitch_flag("interferes_with_vision"),
    ),
    Rule(
        "twitch_with_significant_symptom",
        "Twitch with another significant symptom",
        "Muscle weakness or palpitations; a headache, dizziness or vertigo that is not sudden; or gradual or "
        "longstanding loss of balance, coordination or steadiness.",
        "course",
        R,
        5,
        ("book_appointment",),
        ("S02",),
        "Twitching together with {evidence} warrants a routine appointment.",
        symptom_rule(
            {
                **each(("muscle_weakness", "palpitations"), ANY_ONSET),
                **each(SUDDEN_ONLY, NOT_SUDDEN),
                **each(("loss_of_balance", "loss_of_coordination", "unsteadiness"), GRADUAL_OR_LONGSTANDING),
            }
        ),
    ),
    Rule(
        "longstanding_neuro_symptom",
        "Longstanding neurological symptom",
        "A focal, acute or other neurological symptom that has been present for months, except one-sided weakness "
        "or paralysis after a known stroke.",
        "structural",
        R,
        5,
        ("neurology_referral",),
        ("S08", "S15"),
        "Longstanding {evidence} has not been explained and warrants a neurology referral.",
        longstanding_neuro_symptom,
    ),
    Rule(
        "facial_nerve_injury",
        "Previous facial nerve injury",
        "A history of facial nerve injury, a known cause of hemifacial spasm.",
        "hemifacial",
        R,
        5,
        ("neurology_referral",),
        ("S01",),
        "A {evidence} can cause hemifacial spasm and warrants a neurology referral.",
        history_rule("facial_nerve_injury"),
    ),
    Rule(
        "ms_related_twitch",
        "Twitch in multiple sclerosis",
        "A history of multiple sclerosis, in which facial twitching can occur.",
        "demyelinating",
        R,
        5,
        ("inform_ms_team",),
        ("S14", "S22"),
        "With a {evidence}, a new twitch should be reported to the MS team.",
        history_rule("multiple_sclerosis"),
    ),
    Rule(
        "post_stroke_recovery_twitch",
        "Twitch during stroke recovery",
        "A previous stroke with longstanding one-sided weakness or paralysis.",
        "cerebrovascular",
        R,
        5,
        ("inform_stroke_rehab_team",),
        ("S20",),
        "After a stroke, twitching with {evidence} can accompany recovery and should be shared with the "
        "rehabilitation team.",
        post_stroke_recovery_twitch,
    ),
    Rule(
        "sudden_mood_change",
        "Sudden mood change",
        "Sudden anxiety or low mood.",
        "intracranial",
        R,
        5,
        ("book_appointment",),
        ("S18",),
        "A sudden change of mood ({evidence}) warrants a routine appointment.",
        symptom_rule(each(("anxiety", "low_mood"), SUDDEN)),
    ),
    Rule(
        "glucose_unchecked_in_diabetes",
        "Glucose not checked in treated diabetes",
        "Treated diabetes and no blood glucose result.",
        "metabolic",
        R,
        5,
        ("check_blood_glucose",),
        ("S24",),
        "With a {evidence} and no glucose result, blood glucose should be checked.",
        glucose_unchecked_in_diabetes,
    ),
    Rule(
        "anxiety_related",
        "Anxiety-related twitch",
        "Anxiety that is not sudden, panic attacks, or a known anxiety disorder.",
        "functional",
        S,
        1,
        ("rest_and_stress_reduction",),
        ("S04", "S05"),
        "Twitching is common with anxiety ({evidence}).",
        anxiety_related,
    ),
    Rule(
        "dehydration",
        "Possible dehydration",
        "Low fluid intake.",
        "lifestyle",
        S,
        1,
        ("hydration",),
        ("S11",),
        "The patient reports {evidence}, and dehydration can cause twitching.",
        context_flags("low_fluid_intake"),
    ),
    Rule(
        "sleep_or_stress",
        "Poor sleep or stress",
        "Poor sleep or high stress.",
        "lifestyle",
        S,
        1,
        ("rest_and_stress_reduction",),
        ("S12",),
        "The patient reports {evidence}, which commonly cause twitching.",
        context_flags("poor_sleep", "high_stress"),
    ),
    Rule(
        "isolated_twitch",
        "Isolated twitch",
        "No finding of routine level or above.",
        "benign",
        S,
        0,
        ("watchful_waiting",),
        ("S10", "S22"),
        "An isolated twitch ({evidence}) with no red flags usually settles with watchful waiting.",
        isolated_twitch,
    ),
)


# --- advice -------------------------------------------------------------------------

ADVICE_DROPPED_WHEN_FLAGGED = frozenset(
    {"book_appointment", "watchful_waiting", "rest_and_stress_reduction", "hydration"}
)
# Advice that would undersell each level, per level (looked up, not rebuilt, on every assessment).
ADVICE_DROPPED = {
    Level.SELF_CARE: frozenset(),
    Level.ROUTINE: frozenset(),
    Level.URGENT: ADVICE_DROPPED_WHEN_FLAGGED,
    Level.EMERGENCY: ADVICE_DROPPED_WHEN_FLAGGED | {"same_day_medical_review"},
}


def recommendations_for(fired_rules: Sequence[Rule], level: Level, presentation: Presentation) -> tuple[str, ...]:
    """First occurrence of each recommendation, leaving out advice that would undersell the level."""
    dropped = ADVICE_DROPPED[level]
    ordered: dict[str, None] = {}
    for rule in fired_rules:
        ordered.update(dict.fromkeys(rule.recommendations))
    return tuple([code for code in ordered if code not in dropped])


RULESET = RuleSet(
    version=VERSION,
    rules=RULES,
    symptoms=SYMPTOMS,
    history=HISTORY,
    locations=LOCATIONS,
    context=CONTEXT,
    measurements=MEASUREMENTS,
    recommendations=RECOMMENDATIONS,
    recommend=recommendations_for,
    describe=describe_input,
)
