"""The code lists of the current rule set, each code with its plain-English title.

Dict order is the vocabulary order: the engine lists inputs in this order so
its results never depend on the order the intake form sent them in.
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

    @classmethod
    def from_code(cls, code: str) -> "Level":
        return cls[code.upper()]


# Each level's code, by level (a Level or its int: an IntEnum hashes as its value); read once, used per finding.
LEVEL_CODES: dict[int, str] = {level: level.code for level in Level}


SYMPTOMS: dict[str, str] = {
    "headache": "Headache",
    "dizziness": "Dizziness",
    "vertigo": "Vertigo",
    "loss_of_balance": "Loss of balance",
    "loss_of_coordination": "Loss of coordination",
    "unsteadiness": "Unsteadiness",
    "facial_weakness": "Facial weakness",
    "facial_numbness": "Facial numbness",
    "tingling": "Tingling",
    "one_sided_weakness": "Weakness on one side of the body",
    "one_sided_paralysis": "Paralysis on one side of the body",
    "muscle_weakness": "Muscle weakness",
    "double_vision": "Double vision",
    "vision_loss": "Loss of vision",
    "difficulty_swallowing": "Difficulty swallowing",
    "slurred_speech": "Slurred speech",
    "confusion": "Confusion",
    "drowsiness": "Drowsiness",
    "memory_problems": "Memory problems",
    "personality_change": "Personality change",
    "seizure": "Seizure (fit)",
    "persistent_nausea_vomiting": "Persistent nausea or vomiting",
    "palpitations": "Palpitations",
    "breathing_difficulty": "Difficulty breathing",
    "fainting": "Fainting",
    "anxiety": "Anxiety",
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

RECOMMENDATIONS: dict[str, str] = {
    "call_emergency_services": "Call emergency services now",
    "same_day_medical_review": "Same-day medical assessment",
    "book_appointment": "Book a routine appointment",
    "neurology_referral": "Refer to neurology",
    "mri_brain": "Consider an MRI of the brain",
    "check_serum_calcium": "Check serum calcium",
    "check_blood_glucose": "Check blood glucose",
    "treat_low_blood_glucose": "Treat low blood glucose",
    "ecg": "Record an ECG",
    "inform_ms_team": "Inform the patient's MS team",
    "inform_stroke_rehab_team": "Inform the stroke rehabilitation team",
    "rest_and_stress_reduction": "Rest, sleep and reduce stress",
    "hydration": "Drink enough fluids",
    "watchful_waiting": "Watchful waiting with self-care advice",
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
CONTEXT_FLAGS = ("poor_sleep", "high_stress", "low_fluid_intake")
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
}
