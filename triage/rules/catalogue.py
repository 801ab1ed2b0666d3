"""Rule set 2026.11 as data: one row per red-flag rule, in specification order.

Each rule's predicate returns the input paths that fired it (empty when it
did not fire), so a finding can always say what triggered it. Predicates see
the codes and levels of the rules above them, which the few rules that depend
on others (`low_blood_glucose`, `isolated_twitch` …) read.
"""

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from .presentation import Presentation
from .vocabulary import LOCATIONS, SYMPTOMS, Level

RULESET_VERSION = "2026.11"
# Every version this engine has had, oldest first: stored assessments may carry any of them.
RULESET_VERSIONS = ("2026.11",)

Paths = tuple[str, ...]
Predicate = Callable[[Presentation, Mapping[str, Level]], Paths]

ANY_ONSET = frozenset({"sudden", "gradual", "longstanding", "unknown"})
SUDDEN = frozenset({"sudden"})
GRADUAL = frozenset({"gradual"})
LONGSTANDING = frozenset({"longstanding"})
SUDDEN_OR_UNKNOWN = frozenset({"sudden", "unknown"})
NOT_LONGSTANDING = frozenset({"sudden", "gradual", "unknown"})
GRADUAL_OR_UNKNOWN = frozenset({"gradual", "unknown"})
GRADUAL_OR_LONGSTANDING = frozenset({"gradual", "longstanding"})
NOT_SUDDEN = frozenset({"gradual", "longstanding", "unknown"})

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
FACIAL_LOCATIONS = frozenset({"eyelid", "around_eye", "forehead", "cheek", "mouth", "jaw", "whole_side_of_face"})
WHOLE_SIDE = frozenset({"whole_side_of_face"})
LIMB_LOCATIONS = frozenset({"arm", "hand", "leg"})
# Eyelid and around the eye are one periocular region.
FACIAL_REGIONS = {
    "eyelid": "periocular",
    "around_eye": "periocular",
    "forehead": "forehead",
    "cheek": "cheek",
    "mouth": "mouth",
    "jaw": "jaw",
}

# Input paths made once, not per assessment.
SYMPTOM_PATHS = {code: f"symptoms.{code}" for code in SYMPTOMS}
LOCATION_PATHS = {code: f"twitch.locations.{code}" for code in LOCATIONS}
ROUTINE = Level.ROUTINE  # enum attribute lookups are slow on Python 3.11

STROKE_SIGNS: dict[str, frozenset[str]] = {
    **dict.fromkeys(FOCAL + ACUTE, SUDDEN_OR_UNKNOWN),
    **dict.fromkeys(SUDDEN_ONLY, SUDDEN),
}


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    description: str
    category: str
    level: Level
    points: int
    recommendations: tuple[str, ...]
    sources: tuple[str, ...]
    # One sentence for the clinician; {evidence} becomes the triggering inputs in words.
    rationale: str
    fires: Predicate


# --- building blocks for predicates -------------------------------------------------


def symptoms_with(
    p: Presentation, onsets_by_code: Mapping[str, Collection[str]], resolved: bool | None = None
) -> Paths:
    """Paths of the symptoms whose code is listed with their onset.

    `resolved=None` counts a symptom whether or not it has gone.
    """
    paths: Paths = ()
    for s in p.symptoms:  # a plain loop: most presentations match none, and then nothing is allocated
        if s.onset in onsets_by_code.get(s.code, ()) and (resolved is None or s.resolved == resolved):
            paths += (SYMPTOM_PATHS[s.code],)
    return paths


def each(codes: Collection[str], onsets: frozenset[str]) -> dict[str, frozenset[str]]:
    return dict.fromkeys(codes, onsets)


def history(p: Presentation, code: str) -> Paths:
    return (f"history.{code}",) if code in p.history else ()


def locations(p: Presentation, codes: Collection[str]) -> Paths:
    paths: Paths = ()
    for code in p.twitch.locations:
        if code in codes:
            paths += (LOCATION_PATHS[code],)
    return paths


def twitch_flag(name: str) -> Predicate:
    path = (f"twitch.{name}",)
    return lambda p, fired: path if getattr(p.twitch, name) else ()


def history_rule(code: str) -> Predicate:
    return lambda p, fired: history(p, code)


def symptom_rule(onsets_by_code: Mapping[str, Collection[str]], resolved: bool | None = None) -> Predicate:
    def predicate(p: Presentation, fired: Mapping[str, Level]) -> Paths:
        return symptoms_with(p, onsets_by_code, resolved) if p.symptoms else ()

    return predicate


def all_of(*parts: Paths) -> Paths:
    """The union of the parts when every part is non-empty, else nothing."""
    return tuple(path for part in parts for path in part) if all(parts) else ()


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


def measured_low_unless(measurement: str, severe_rule: str) -> Predicate:
    def predicate(p: Presentation, fired: Mapping[str, Level]) -> Paths:
        value = p.measurements.get(measurement)
        low = value is not None and value.is_low and severe_rule not in fired
        return (f"measurements.{measurement}",) if low else ()

    return predicate


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


def one_sided(p: Presentation) -> Paths:
    # An unknown side is read as possibly one-sided.
    return ("twitch.side",) if p.twitch.side != "both" else ()


def possible_focal_seizure(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    limbs = locations(p, LIMB_LOCATIONS)
    return all_of(one_sided(p), locations(p, FACIAL_LOCATIONS), limbs) if limbs else ()


def hemifacial_pattern(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    if p.twitch.side == "both":
        return ()
    whole_side = locations(p, WHOLE_SIDE)
    if whole_side:
        return all_of(one_sided(p), whole_side)
    regions = {FACIAL_REGIONS[code] for code in p.twitch.locations if code in FACIAL_REGIONS}
    return all_of(one_sided(p), locations(p, FACIAL_REGIONS)) if len(regions) >= 2 else ()


def persistent_twitch(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    return ("twitch.duration_days",) if p.twitch.duration_days >= 21 else ()


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


def glucose_unchecked_in_diabetes(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    return history(p, "diabetes_treated") if "blood_glucose" not in p.measurements else ()


ANXIETY_SYMPTOMS = {"anxiety": NOT_SUDDEN, "panic_attack": ANY_ONSET}


def anxiety_related(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    symptoms = symptoms_with(p, ANXIETY_SYMPTOMS)
    return symptoms + history(p, "anxiety_disorder")


def context_flags(*names: str) -> Predicate:
    paths = {name: f"context.{name}" for name in names}

    def predicate(p: Presentation, fired: Mapping[str, Level]) -> Paths:
        found: Paths = ()
        for name, path in paths.items():
            if getattr(p.context, name):
                found += (path,)
        return found

    return predicate


def isolated_twitch(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    if fired and max(fired.values()) >= ROUTINE:
        return ()
    return tuple([LOCATION_PATHS[code] for code in p.twitch.locations])


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
