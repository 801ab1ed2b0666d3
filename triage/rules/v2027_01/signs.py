"""When each rule of 2027.01 fires: the specification's code sets and its "fires when" column.

Each predicate returns the input paths that fired it, or nothing; see `triage.rules.ruleset.Predicate`.
"""

from collections.abc import Mapping

from ..predicates import (
    ANY_ONSET,
    FACIAL_LOCATIONS,
    GRADUAL,
    GRADUAL_OR_UNKNOWN,
    HISTORY_PATHS,
    LIMB_LOCATIONS,
    LONGSTANDING,
    NOT_LONGSTANDING,
    NOT_SUDDEN,
    SUDDEN,
    SUDDEN_OR_UNKNOWN,
    SYMPTOM_PATHS,
    all_of,
    each,
    history,
    locations,
    symptoms_with,
    unique,
)
from ..presentation import Presentation
from ..ruleset import Paths
from ..vocabulary import Level

NEW = NOT_LONGSTANDING

# --- code sets ------------------------------------------------------------------------

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
SUDDEN_ONLY = ("headache", "dizziness", "vertigo")
STROKE_SIGNS: dict[str, frozenset[str]] = {
    **each(FOCAL + ACUTE, SUDDEN_OR_UNKNOWN),
    **each(SUDDEN_ONLY, SUDDEN),
}
TINGLING = ("tingling", "tingling_around_mouth", "tingling_hands_or_feet")

WIDESPREAD = frozenset({"widespread"})
ARM_OR_HAND = frozenset({"arm", "hand"})
ARM_HAND_OR_LEG = frozenset({"arm", "hand", "leg"})
FACE_LIMB_OR_WIDESPREAD = FACIAL_LOCATIONS | LIMB_LOCATIONS | WIDESPREAD

# NO-ORAL: cannot safely take anything by mouth (each only while not resolved).
NO_ORAL = {"reduced_consciousness": ANY_ONSET, "difficulty_swallowing": ANY_ONSET, "seizure": SUDDEN_OR_UNKNOWN}

# Findings that explain anxiety and mood change (restlessness is an early sign of each), or leave them to the
# same-day or emergency assessment they ask for.
HYPO_WITHDRAWAL_OR_TOXICITY = frozenset(
    {
        "severe_hypoglycaemia",
        "possible_hypoglycaemia",
        "low_blood_glucose",
        "complicated_alcohol_withdrawal",
        "alcohol_withdrawal",
        "severe_serotonin_toxicity",
        "possible_serotonin_toxicity",
        "severe_lithium_toxicity",
        "possible_lithium_toxicity",
    }
)

AGE = ("patient.age_years",)
PATTERN = ("twitch.pattern",)
DURATION = ("twitch.duration_days",)
SIDE = ("twitch.side",)
ANTICOAGULANT = (HISTORY_PATHS["anticoagulant"],)
GLUCOSE = ("measurements.blood_glucose",)
CALCIUM = ("measurements.serum_calcium",)
MAGNESIUM = ("measurements.serum_magnesium",)
VOMITING = (SYMPTOM_PATHS["persistent_nausea_vomiting"],)
STOPPED_DRINKING = ("context.stopped_heavy_drinking",)


# --- the twitch -------------------------------------------------------------------------


def within_a_week(p: Presentation) -> Paths:
    return DURATION if p.twitch.duration_days <= 7 else ()


def constant(p: Presentation) -> Paths:
    return PATTERN if p.twitch.pattern == "constant" else ()


def _face_and_limb(twitch_at: tuple[str, ...]) -> bool:
    return not FACIAL_LOCATIONS.isdisjoint(twitch_at) and not LIMB_LOCATIONS.isdisjoint(twitch_at)


def extensive(p: Presentation) -> Paths:
    """EXTENSIVE: widespread, or a facial and a limb location (any side); the locations that make it so."""
    if _face_and_limb(p.twitch.locations):
        return locations(p, FACE_LIMB_OR_WIDESPREAD)
    return locations(p, WIDESPREAD)


def arm_and_leg(p: Presentation) -> Paths:
    """ARM-AND-LEG: arm or hand, and leg (any side)."""
    twitch_at = p.twitch.locations
    return locations(p, ARM_HAND_OR_LEG) if "leg" in twitch_at and not ARM_OR_HAND.isdisjoint(twitch_at) else ()


def multifocal(p: Presentation) -> Paths:
    """MULTIFOCAL: widespread, or a facial and a limb location on both sides."""
    if p.twitch.side == "both" and _face_and_limb(p.twitch.locations):
        return locations(p, FACE_LIMB_OR_WIDESPREAD) + SIDE
    return locations(p, WIDESPREAD)


def jerking_locations(p: Presentation) -> Paths:
    """The locations that make a twitch EXTENSIVE or ARM-AND-LEG (every MULTIFOCAL twitch is EXTENSIVE)."""
    return extensive(p) or arm_and_leg(p)


def new_widespread_jerking(p: Presentation) -> Paths:
    """NEW WIDESPREAD JERKING: EXTENSIVE or ARM-AND-LEG, for 7 days or less."""
    if p.twitch.duration_days > 7:
        return ()
    return all_of(jerking_locations(p), DURATION)


# --- conditions read by several rules ---------------------------------------------------------


def no_oral(p: Presentation) -> Paths:
    """NO-ORAL: the symptoms that make taking anything by mouth unsafe."""
    return symptoms_with(p, NO_ORAL, resolved=False) if p.symptoms else ()


NEW_FEVER = {"fever": NEW}
NEW_TREMOR = {"tremor": NEW}
SEROTONIN_MENTAL_OR_AUTONOMIC = each(("agitation", "sweating", "fever", "confusion", "diarrhoea"), NEW)


def serotonin_toxicity_signs(p: Presentation) -> Paths:
    """SEROTONIN TOXICITY signs: a recent serotonergic medicine change, new jerking or tremor, and a change in
    mental state or in the autonomic nervous system."""
    if "serotonergic_medicine_change" not in p.history:
        return ()
    jerking = new_widespread_jerking(p) + symptoms_with(p, NEW_TREMOR)
    if not jerking:
        return ()
    return all_of(history(p, "serotonergic_medicine_change"), jerking, symptoms_with(p, SEROTONIN_MENTAL_OR_AUTONOMIC))


def explained_anxiety(fired: Mapping[str, Level]) -> bool:
    return not HYPO_WITHDRAWAL_OR_TOXICITY.isdisjoint(fired)


# --- emergency rules ----------------------------------------------------------------------


def possible_stroke_or_tia(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    if not p.symptoms:
        return ()
    if "anticoagulant" in p.history and symptoms_with(p, STROKE_SIGNS, resolved=True):
        # A resolved sign in someone anticoagulated: a bleed must be excluded at once (G24).
        return symptoms_with(p, STROKE_SIGNS) + ANTICOAGULANT
    return symptoms_with(p, STROKE_SIGNS, resolved=False)


THUNDERCLAP = {"thunderclap_headache": ANY_ONSET}
SUDDEN_HEADACHE = {"headache": SUDDEN}
HAEMORRHAGE_COMPANIONS = each(("neck_stiffness", "persistent_nausea_vomiting", "seizure", "reduced_consciousness"), NEW)


def possible_subarachnoid_haemorrhage(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    if not p.symptoms:
        return ()
    sudden_headache = symptoms_with(p, SUDDEN_HEADACHE)
    with_companions = all_of(sudden_headache, symptoms_with(p, HAEMORRHAGE_COMPANIONS)) if sudden_headache else ()
    return symptoms_with(p, THUNDERCLAP) + with_companions


MENINGITIS_COMPANIONS = each(
    ("neck_stiffness", "confusion", "drowsiness", "reduced_consciousness", "personality_change", "seizure"), NEW
)


def possible_meningitis_or_encephalitis(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    fever = symptoms_with(p, NEW_FEVER) if p.symptoms else ()
    return all_of(fever, symptoms_with(p, MENINGITIS_COMPANIONS)) if fever else ()


NEW_OR_UNKNOWN_SEIZURE = {"seizure": SUDDEN_OR_UNKNOWN}
BITTEN_TONGUE = {"bitten_tongue": ANY_ONSET}  # its own onset is not read
NEW_BLACKOUT = each(("fainting", "reduced_consciousness"), SUDDEN_OR_UNKNOWN)


def seizure(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    if not p.symptoms:
        return ()
    tongue = symptoms_with(p, BITTEN_TONGUE)
    blackout = all_of(tongue, symptoms_with(p, NEW_BLACKOUT)) if tongue else ()
    return symptoms_with(p, NEW_OR_UNKNOWN_SEIZURE) + blackout


def continuous_jerking(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    if p.twitch.pattern != "constant" or p.twitch.duration_days > 7:
        return ()
    return all_of(PATTERN, jerking_locations(p), DURATION)


HYPOGLYCAEMIA_SYMPTOMS = each(
    (
        "confusion",
        "slurred_speech",
        "unsteadiness",
        "personality_change",
        "drowsiness",
        "seizure",
        "reduced_consciousness",
    ),
    NEW,
)


def severe_hypoglycaemia(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    glucose = p.measurements.get("blood_glucose")
    if glucose is not None:
        if glucose.is_severe_low:
            return GLUCOSE
        # A measured glucose that is not low rules out every other route; a missing one never does.
        if not glucose.is_low:
            return ()
    symptom_route = (
        all_of(history(p, "diabetes_treated"), symptoms_with(p, HYPOGLYCAEMIA_SYMPTOMS))
        if "diabetes_treated" in p.history
        else ()
    )
    if glucose is None:
        return symptom_route
    cannot_swallow = no_oral(p)
    return unique(GLUCOSE + cannot_swallow + symptom_route) if cannot_swallow or symptom_route else ()


LOW_CALCIUM_COMPANIONS = each(("palpitations", "seizure", "carpopedal_spasm"), ANY_ONSET)
HAND = frozenset({"hand"})
CARPOPEDAL_SPASM = {"carpopedal_spasm": ANY_ONSET}


def severe_hypocalcaemia(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    calcium = p.measurements.get("serum_calcium")
    if calcium is None:
        if "thyroid_or_parathyroid_surgery" not in p.history:
            return ()
        return all_of(history(p, "thyroid_or_parathyroid_surgery"), symptoms_with(p, CARPOPEDAL_SPASM))
    if not calcium.is_low:
        return ()
    if calcium.is_severe_low:
        return CALCIUM
    return all_of(CALCIUM, symptoms_with(p, LOW_CALCIUM_COMPANIONS) + locations(p, HAND))


LOW_MAGNESIUM_COMPANIONS = LOW_CALCIUM_COMPANIONS  # the same three signs, by the specification's table


def severe_hypomagnesaemia(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    magnesium = p.measurements.get("serum_magnesium")
    if magnesium is None or not magnesium.is_low:
        return ()
    if magnesium.is_severe_low:
        return MAGNESIUM
    return all_of(MAGNESIUM, symptoms_with(p, LOW_MAGNESIUM_COMPANIONS))


ECLAMPSIA_SYMPTOMS = {"seizure": ANY_ONSET, "reduced_consciousness": ANY_ONSET, "confusion": NEW}


def possible_eclampsia(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    if "pregnant_or_recent_birth" not in p.history:
        return ()
    signs = symptoms_with(p, ECLAMPSIA_SYMPTOMS) + all_of(extensive(p), within_a_week(p))
    return all_of(history(p, "pregnant_or_recent_birth"), signs)


HEAD_INJURY_SYMPTOMS = each(
    (
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
    ),
    NEW,
)


def head_injury_red_flags(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    if "recent_head_injury" not in p.history:
        return ()
    red_flags = history(p, "anticoagulant") + history(p, "antiplatelet") + symptoms_with(p, HEAD_INJURY_SYMPTOMS)
    return all_of(history(p, "recent_head_injury"), red_flags)


def febrile_child_red_flag(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    if p.age_years >= 6:
        return ()
    fever = symptoms_with(p, NEW_FEVER)
    if not fever:
        return ()
    return AGE + fever if p.age_years < 1 else all_of(AGE, fever, constant(p))


def infant_possible_seizure(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    if p.age_years >= 1:
        return ()
    return all_of(AGE, extensive(p), within_a_week(p))


WITHDRAWAL_SYMPTOMS = each(("seizure", "confusion", "drowsiness", "reduced_consciousness"), NEW)


def complicated_alcohol_withdrawal(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    if not p.context.stopped_heavy_drinking:
        return ()
    return all_of(STOPPED_DRINKING, symptoms_with(p, WITHDRAWAL_SYMPTOMS))


SEVERE_SEROTONIN_SIGNS = each(("fever", "confusion", "reduced_consciousness", "seizure"), NEW)


def severe_serotonin_toxicity(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    signs = serotonin_toxicity_signs(p)
    return unique(all_of(signs, symptoms_with(p, SEVERE_SEROTONIN_SIGNS))) if signs else ()


SEVERE_LITHIUM_SIGNS = each(("confusion", "drowsiness", "reduced_consciousness", "seizure"), NEW)


def severe_lithium_toxicity(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    if "lithium" not in p.history:
        return ()
    return all_of(history(p, "lithium"), symptoms_with(p, SEVERE_LITHIUM_SIGNS))


# Each already reads this fever and calls for emergency care.
FEVER_ALREADY_READ = frozenset(
    {"possible_meningitis_or_encephalitis", "febrile_child_red_flag", "severe_serotonin_toxicity"}
)


def fever_with_widespread_jerking(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    fever = symptoms_with(p, NEW_FEVER) if p.symptoms else ()
    if not fever or not FEVER_ALREADY_READ.isdisjoint(fired):
        return ()
    return all_of(fever, new_widespread_jerking(p))


# --- urgent rules ------------------------------------------------------------------------

TUMOUR_SIGNS = {
    **each(("memory_problems", "personality_change"), NEW),
    **each(
        ("confusion", "drowsiness", "vision_loss", "one_sided_weakness", "one_sided_paralysis", "one_sided_numbness"),
        GRADUAL,
    ),
    "seizure": GRADUAL,
}
NEW_HEADACHE = {"headache": NEW}


def intracranial_tumour_signs(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    if not p.symptoms:
        return ()
    signs = symptoms_with(p, TUMOUR_SIGNS)
    vomiting = p.symptom("persistent_nausea_vomiting")
    if vomiting is None or vomiting.onset == "longstanding":
        return signs
    if vomiting.onset in GRADUAL_OR_UNKNOWN and not vomiting.resolved:
        return signs + VOMITING
    # Vomiting with a new headache may be raised intracranial pressure, whatever its onset (ADR 0004).
    headache = symptoms_with(p, NEW_HEADACHE)
    return signs + VOMITING + headache if headache else signs


WEAKNESS_COMPANIONS = each(
    (*TINGLING, "difficulty_swallowing", "loss_of_balance", "loss_of_coordination", "unsteadiness"), ANY_ONSET
)
SUDDEN_WEAKNESS = {"muscle_weakness": SUDDEN}
GRADUAL_OR_UNKNOWN_WEAKNESS = {"muscle_weakness": GRADUAL_OR_UNKNOWN}


def rapidly_progressive_weakness(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    if p.symptom("muscle_weakness") is None:
        return ()
    sudden = symptoms_with(p, SUDDEN_WEAKNESS)
    if sudden:
        return sudden
    return all_of(symptoms_with(p, GRADUAL_OR_UNKNOWN_WEAKNESS), symptoms_with(p, WEAKNESS_COMPANIONS))


HYPOGLYCAEMIA_WARNINGS = {
    **each(("tremor", "sweating"), NEW),
    **each(("palpitations", "anxiety"), SUDDEN_OR_UNKNOWN),
}


def possible_hypoglycaemia(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    if "diabetes_treated" not in p.history or "blood_glucose" in p.measurements or "severe_hypoglycaemia" in fired:
        return ()
    return all_of(history(p, "diabetes_treated"), symptoms_with(p, HYPOGLYCAEMIA_WARNINGS))


AFTER_NECK_SURGERY_LOCATIONS = frozenset({"mouth", "cheek", "whole_side_of_face", "hand", "widespread"})
MOUTH_OR_HAND = frozenset({"mouth", "hand"})
ANY_TINGLING = each(TINGLING, ANY_ONSET)
LOW_CALCIUM_SYMPTOMS = each(("palpitations", "muscle_weakness", *TINGLING), ANY_ONSET)
PERIORAL_TINGLING = {"tingling_around_mouth": ANY_ONSET}
PERIPHERAL_TINGLING = {"tingling_hands_or_feet": ANY_ONSET}


def suspected_hypocalcaemia(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    if "serum_calcium" in p.measurements or "severe_hypocalcaemia" in fired:
        return ()
    paths: Paths = ()
    if "thyroid_or_parathyroid_surgery" in p.history:  # (a)
        paths += all_of(
            history(p, "thyroid_or_parathyroid_surgery"),
            locations(p, AFTER_NECK_SURGERY_LOCATIONS) + symptoms_with(p, ANY_TINGLING),
        )
    at_mouth_or_hand = locations(p, MOUTH_OR_HAND)
    if at_mouth_or_hand:  # (b)
        paths += all_of(at_mouth_or_hand, symptoms_with(p, LOW_CALCIUM_SYMPTOMS))
    if p.symptoms:
        paths += symptoms_with(p, CARPOPEDAL_SPASM)  # (c)
        paths += all_of(symptoms_with(p, PERIORAL_TINGLING), symptoms_with(p, PERIPHERAL_TINGLING))  # (d)
    return unique(paths) if paths else ()


def multifocal_jerking(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    if "continuous_jerking" in fired:
        return ()
    several_places = multifocal(p)
    if several_places and (p.twitch.duration_days <= 7 or p.twitch.pattern == "constant"):
        return several_places + (within_a_week(p) or PATTERN)
    if p.twitch.pattern == "constant":
        return all_of(arm_and_leg(p), PATTERN)
    return ()


def child_under_2_twitch(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    return AGE if p.age_years < 2 else ()


def febrile_child_twitch(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    if p.age_years >= 6 or "febrile_child_red_flag" in fired:
        return ()
    return all_of(AGE, symptoms_with(p, NEW_FEVER))


PRE_ECLAMPSIA_SYMPTOMS = each(("headache", "vision_loss", "double_vision", "persistent_nausea_vomiting"), NEW)


def possible_pre_eclampsia(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    if "pregnant_or_recent_birth" not in p.history or "possible_eclampsia" in fired:
        return ()
    return all_of(history(p, "pregnant_or_recent_birth"), symptoms_with(p, PRE_ECLAMPSIA_SYMPTOMS) + extensive(p))


def head_injury(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    return () if "head_injury_red_flags" in fired else history(p, "recent_head_injury")


def alcohol_withdrawal(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    if not p.context.stopped_heavy_drinking or "complicated_alcohol_withdrawal" in fired:
        return ()
    return STOPPED_DRINKING


def possible_serotonin_toxicity(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    return () if "severe_serotonin_toxicity" in fired else serotonin_toxicity_signs(p)


LITHIUM_TOXICITY_SIGNS = each(
    (
        "tremor",
        "unsteadiness",
        "loss_of_coordination",
        "slurred_speech",
        "diarrhoea",
        "persistent_nausea_vomiting",
        "muscle_weakness",
    ),
    NEW,
)


def possible_lithium_toxicity(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    if "lithium" not in p.history or "severe_lithium_toxicity" in fired:
        return ()
    return all_of(history(p, "lithium"), symptoms_with(p, LITHIUM_TOXICITY_SIGNS) + new_widespread_jerking(p))


NEW_BLISTERS = {"ear_or_mouth_blisters": NEW}
RAMSAY_HUNT_COMPANIONS = each(("facial_weakness", "ear_pain", "hearing_loss", "vertigo"), NEW)


def possible_ramsay_hunt(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    blisters = symptoms_with(p, NEW_BLISTERS) if p.symptoms else ()
    return all_of(blisters, symptoms_with(p, RAMSAY_HUNT_COMPANIONS)) if blisters else ()


# --- routine and self-care rules ----------------------------------------------------------

LONGSTANDING_NEURO = each(
    (*FOCAL, *ACUTE, "persistent_nausea_vomiting", "memory_problems", "personality_change", "seizure"), LONGSTANDING
)
# Residual one-sided deficits after a known stroke are expected, not new.
LONGSTANDING_NEURO_AFTER_STROKE = {
    code: onsets
    for code, onsets in LONGSTANDING_NEURO.items()
    if code not in {"one_sided_weakness", "one_sided_paralysis", "one_sided_numbness"}
}


def longstanding_neuro_symptom(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    after_stroke = "prior_stroke" in p.history
    return symptoms_with(p, LONGSTANDING_NEURO_AFTER_STROKE if after_stroke else LONGSTANDING_NEURO)


SUDDEN_MOOD = each(("anxiety", "low_mood"), SUDDEN)


def sudden_mood_change(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    if not p.symptoms or explained_anxiety(fired):
        return ()
    return symptoms_with(p, SUDDEN_MOOD)


ANXIETY_SYMPTOMS = {"anxiety": NOT_SUDDEN, "panic_attack": ANY_ONSET}


def anxiety_related(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    symptoms = () if explained_anxiety(fired) else symptoms_with(p, ANXIETY_SYMPTOMS)
    return symptoms + history(p, "anxiety_disorder")
