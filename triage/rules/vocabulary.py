"""Every code any rule set version has used, each with its plain-English title: the union of their vocabularies.

Dict order is the newest version's vocabulary order. Symptoms, history and locations keep the older codes'
relative order, so inputs sort the same under every version; 2027.01 reordered its recommendations, and each
RuleSet lists its own codes in its own order (`triage.rules.RULESETS`). The engine lists inputs in this order
so that its results never depend on the order the intake form sent them in.
"""

from enum import IntEnum


class Level(IntEnum):
    """Triage levels, ordered so that comparison means "more urgent"."""

    SELF_CARE = 0
    ROUTINE = 1
    URGENT = 2
    EMERGENCY = 3

    @property
    def code(self) -> str:
        return self.name.lower()

    @property
    def title(self) -> str:
        """As every page and resource shows it ("Self care"), never its code."""
        return self.name.replace("_", " ").capitalize()

    @classmethod
    def from_code(cls, code: str) -> "Level":
        return cls[code.upper()]


# The levels that flag a case (urgent or above): alerted, counted as red flags, never closed without a reason.
FLAGGED_LEVELS = tuple(level for level in Level if level >= Level.URGENT)

# Each level's code, by level (a Level or its int: an IntEnum hashes as its value); read once, used per finding.
LEVEL_CODES: dict[int, str] = {level: level.code for level in Level}


SYMPTOMS: dict[str, str] = {
    "headache": "Headache",
    "thunderclap_headache": "Thunderclap headache",
    "dizziness": "Dizziness",
    "vertigo": "Vertigo",
    "loss_of_balance": "Loss of balance",
    "loss_of_coordination": "Loss of coordination",
    "unsteadiness": "Unsteadiness",
    "facial_weakness": "Facial weakness",
    "facial_numbness": "Facial numbness",
    "one_sided_numbness": "Numbness on one side of the body",
    "tingling": "Tingling",
    "tingling_around_mouth": "Tingling around the mouth",
    "tingling_hands_or_feet": "Tingling in the hands or feet",
    "carpopedal_spasm": "Hand or foot spasm (carpopedal spasm)",
    "one_sided_weakness": "Weakness on one side of the body",
    "one_sided_paralysis": "Paralysis on one side of the body",
    "muscle_weakness": "Muscle weakness",
    "tremor": "Tremor",
    "sweating": "Sweating",
    "double_vision": "Double vision",
    "vision_loss": "Loss of vision",
    "difficulty_swallowing": "Difficulty swallowing",
    "slurred_speech": "Slurred speech",
    "hearing_loss": "Hearing loss",
    "ear_pain": "Ear pain",
    "ear_or_mouth_blisters": "Blisters in or around the ear or mouth",
    "confusion": "Confusion",
    "drowsiness": "Drowsiness",
    "reduced_consciousness": "Reduced consciousness",
    "memory_problems": "Memory problems",
    "personality_change": "Personality change",
    "seizure": "Seizure (fit)",
    "bitten_tongue": "Bitten tongue",
    "fever": "Fever",
    "neck_stiffness": "Neck stiffness",
    "persistent_nausea_vomiting": "Persistent nausea or vomiting",
    "diarrhoea": "Diarrhoea",
    "palpitations": "Palpitations",
    "breathing_difficulty": "Difficulty breathing",
    "fainting": "Fainting",
    "anxiety": "Anxiety",
    "agitation": "Agitation",
    "panic_attack": "Panic attack",
    "low_mood": "Low mood",
}

HISTORY: dict[str, str] = {
    "multiple_sclerosis": "Multiple sclerosis",
    "prior_stroke": "Previous stroke",
    "diabetes_treated": "Diabetes treated with insulin or other glucose-lowering medicine",
    "thyroid_or_parathyroid_surgery": "Thyroid or parathyroid surgery",
    "facial_nerve_injury": "Facial nerve injury",
    "anxiety_disorder": "Anxiety disorder",
    "recent_head_injury": "Head injury in the last 7 days",
    "anticoagulant": "Anticoagulant medicine",
    "antiplatelet": "Antiplatelet medicine other than aspirin alone",
    "pregnant_or_recent_birth": "Pregnant, or gave birth in the last 6 weeks",
    "started_antiemetic_or_antipsychotic": (
        "Anti-sickness medicine or antipsychotic started or raised in the last 7 days"
    ),
    "serotonergic_medicine_change": "Medicine that raises serotonin started or raised in the last 14 days",
    "lithium": "Lithium",
}

LOCATIONS: dict[str, str] = {
    "eyelid": "Eyelid",
    "around_eye": "Around the eye",
    "forehead": "Forehead",
    "cheek": "Cheek",
    "mouth": "Mouth",
    "jaw": "Jaw",
    "whole_side_of_face": "Whole side of the face",
    "neck": "Neck",
    "arm": "Arm",
    "hand": "Hand",
    "leg": "Leg",
    "trunk": "Trunk",
    "widespread": "Widespread",
}

# Each title says what the specification's "meaning" column says.
RECOMMENDATIONS: dict[str, str] = {
    "call_emergency_services": "Call emergency services now",
    "treat_low_blood_glucose": (
        "If awake and able to swallow: take 15 to 20 g of fast-acting sugar now (glucose tablets or a sugary drink), "
        "recheck glucose after 10 to 15 minutes and repeat up to 3 times; if glucose cannot be checked, treat anyway"
    ),
    "do_not_give_food_or_drink": (
        "Give nothing by mouth (risk of choking); emergency services can give glucose or glucagon by injection"
    ),
    "same_day_medical_review": "Same-day medical assessment",
    "same_day_maternity_assessment": "Same-day maternity assessment, including blood pressure and a urine test",
    "review_new_medicine": (
        "Speak to the prescriber or a pharmacist today about the new medicine "
        "(do not stop an antipsychotic without advice)"
    ),
    "book_appointment": "Book a routine appointment",
    "neurology_referral": "Referral to neurology",
    "mri_brain": "MRI scan of the brain",
    "check_serum_calcium": "Check serum calcium today",
    "check_blood_glucose": "Check blood glucose now",
    "check_lithium_level": (
        "Check the blood lithium level and kidney function today; do not take the next lithium dose until advised"
    ),
    "ecg": "ECG (heart rhythm tracing)",
    "inform_ms_team": "Tell the MS team",
    "inform_stroke_rehab_team": "Tell the stroke rehabilitation team",
    "rest_and_stress_reduction": "Rest and reduce stress",
    "hydration": "Drink enough fluids",
    "watchful_waiting": "Watch and wait; seek advice if it changes",
}

SYMPTOM_ONSETS: dict[str, str] = {
    "sudden": "Sudden (minutes to hours)",
    "gradual": "Gradual (days or longer, progressive)",
    "longstanding": "Longstanding (unchanged for months or more)",
    "unknown": "Unknown",
}

TWITCH_ONSETS = ("sudden", "gradual", "unknown")
SIDES = ("left", "right", "both", "unknown")
SEXES = ("female", "male", "other", "unknown")
PATTERNS = ("intermittent", "constant")
TWITCH_FLAGS = ("spreading", "worsening", "interferes_with_vision", "loss_of_facial_control")
CONTEXT_FLAGS = ("poor_sleep", "high_stress", "low_fluid_intake", "stopped_heavy_drinking")
CALCIUM_KINDS = ("total", "adjusted")

# Plain words for the inputs a rationale can quote.
FLAG_PHRASES: dict[str, str] = {
    "spreading": "the twitch is spreading",
    "worsening": "the twitch is worsening",
    "interferes_with_vision": "the twitch interferes with vision",
    "loss_of_facial_control": "loss of control of the facial muscles",
    "poor_sleep": "poor sleep",
    "high_stress": "high stress",
    "low_fluid_intake": "low fluid intake",
    "stopped_heavy_drinking": "stopped or sharply cut down heavy drinking in the last 7 days",
}
