"""The advice of an assessment under 2027.01, in the specification's four steps."""

from collections.abc import Sequence

from ..presentation import Presentation
from ..ruleset import Rule
from ..vocabulary import Level
from .signs import no_oral

EMERGENCY, URGENT = Level.EMERGENCY, Level.URGENT  # enum attribute lookups are slow on Python 3.11
# What must happen now; referrals, scans, appointments and self-care advice are left to the receiving team.
EMERGENCY_ADVICE = frozenset(
    {"call_emergency_services", "treat_low_blood_glucose", "check_blood_glucose", "check_serum_calcium", "ecg"}
)
# Advice that would undersell a same-day assessment.
DROPPED_WHEN_URGENT = frozenset({"book_appointment", "watchful_waiting", "rest_and_stress_reduction", "hydration"})
# A check is not advised for what was measured.
CHECKS = (("check_blood_glucose", "blood_glucose"), ("check_serum_calcium", "serum_calcium"))
FIRST_AID = "treat_low_blood_glucose"


def recommendations_for(fired_rules: Sequence[Rule], level: Level, presentation: Presentation) -> tuple[str, ...]:
    """The advice: collected from the fired rules (highest level first, then table order), fitted to the level,
    without checks already measured, and with low glucose first aid put where it is safe."""
    ordered: dict[str, None] = {}  # 1. collect, first occurrence kept
    for rule in fired_rules:
        ordered.update(dict.fromkeys(rule.recommendations))
    if level == EMERGENCY:  # 2. fit the level
        advice = [code for code in ordered if code in EMERGENCY_ADVICE]
    elif level == URGENT:
        advice = [code for code in ordered if code not in DROPPED_WHEN_URGENT]
    else:
        advice = list(ordered)
    for check, measurement in CHECKS:  # 3. already measured
        if check in advice and measurement in presentation.measurements:
            advice.remove(check)
    if FIRST_AID in advice:  # 4. low glucose first aid
        if no_oral(presentation):
            advice[advice.index(FIRST_AID)] = "do_not_give_food_or_drink"
        else:
            advice.remove(FIRST_AID)
            # The stroke call is the time-critical step; that finding lists the call first.
            stroke = any(rule.code == "possible_stroke_or_tia" for rule in fired_rules)
            advice.insert(1 if stroke else 0, FIRST_AID)
    return tuple(advice)
