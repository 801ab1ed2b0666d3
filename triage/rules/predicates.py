"""Building blocks shared by every rule set's predicates (see `ruleset.Predicate`)."""

from collections.abc import Collection, Mapping
from operator import attrgetter

from .presentation import Presentation
from .ruleset import Paths, Predicate
from .vocabulary import HISTORY, LOCATIONS, SYMPTOMS, Level

ANY_ONSET = frozenset({"sudden", "gradual", "longstanding", "unknown"})
SUDDEN = frozenset({"sudden"})
GRADUAL = frozenset({"gradual"})
LONGSTANDING = frozenset({"longstanding"})
SUDDEN_OR_UNKNOWN = frozenset({"sudden", "unknown"})
NOT_LONGSTANDING = frozenset({"sudden", "gradual", "unknown"})  # "NEW" in the 2027.01 specification
GRADUAL_OR_UNKNOWN = frozenset({"gradual", "unknown"})
GRADUAL_OR_LONGSTANDING = frozenset({"gradual", "longstanding"})
NOT_SUDDEN = frozenset({"gradual", "longstanding", "unknown"})

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
HISTORY_PATHS = {code: f"history.{code}" for code in HISTORY}
LOCATION_PATHS = {code: f"twitch.locations.{code}" for code in LOCATIONS}
ROUTINE = Level.ROUTINE  # enum attribute lookups are slow on Python 3.11


def symptoms_with(
    p: Presentation, onsets_by_code: Mapping[str, Collection[str]], resolved: bool | None = None
) -> Paths:
    """Paths of the symptoms whose code is listed with their onset.

    `resolved=None` counts a symptom whether or not it has gone.
    """
    paths: Paths = ()
    onsets_of = onsets_by_code.get
    for s in p.symptoms:  # a plain loop: most presentations match none, and then nothing is allocated
        onsets = onsets_of(s.code)
        if onsets is not None and s.onset in onsets and (resolved is None or s.resolved is resolved):
            paths += (SYMPTOM_PATHS[s.code],)
    return paths


def each(codes: Collection[str], onsets: frozenset[str]) -> dict[str, frozenset[str]]:
    return dict.fromkeys(codes, onsets)


def history(p: Presentation, code: str) -> Paths:
    return (HISTORY_PATHS[code],) if code in p.history else ()


def locations(p: Presentation, codes: Collection[str]) -> Paths:
    paths: Paths = ()
    for code in p.twitch.locations:
        if code in codes:
            paths += (LOCATION_PATHS[code],)
    return paths


def all_of(*parts: Paths) -> Paths:
    """The union of the parts when every part is non-empty, else nothing."""
    return tuple(path for part in parts for path in part) if all(parts) else ()


def unique(paths: Paths) -> Paths:
    """Each path once, first occurrence kept."""
    return tuple(dict.fromkeys(paths))


def twitch_flag(name: str) -> Predicate:
    path = (f"twitch.{name}",)
    flag = attrgetter(name)
    return lambda p, fired: path if flag(p.twitch) else ()


def history_rule(code: str) -> Predicate:
    path = (HISTORY_PATHS[code],)
    return lambda p, fired: path if code in p.history else ()


def symptom_rule(onsets_by_code: Mapping[str, Collection[str]], resolved: bool | None = None) -> Predicate:
    def predicate(p: Presentation, fired: Mapping[str, Level]) -> Paths:
        return symptoms_with(p, onsets_by_code, resolved) if p.symptoms else ()

    return predicate


def context_flags(*names: str) -> Predicate:
    paths = {name: f"context.{name}" for name in names}

    def predicate(p: Presentation, fired: Mapping[str, Level]) -> Paths:
        found: Paths = ()
        for name, path in paths.items():
            if getattr(p.context, name):
                found += (path,)
        return found

    return predicate


def measured_low_unless(measurement: str, severe_rule: str) -> Predicate:
    path = (f"measurements.{measurement}",)

    def predicate(p: Presentation, fired: Mapping[str, Level]) -> Paths:
        value = p.measurements.get(measurement)
        return path if value is not None and value.is_low and severe_rule not in fired else ()

    return predicate


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


def glucose_unchecked_in_diabetes(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    return history(p, "diabetes_treated") if "blood_glucose" not in p.measurements else ()


def isolated_twitch(p: Presentation, fired: Mapping[str, Level]) -> Paths:
    if fired and max(fired.values()) >= ROUTINE:
        return ()
    return tuple([LOCATION_PATHS[code] for code in p.twitch.locations])
