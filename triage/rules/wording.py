"""Input paths in plain words, for the one-sentence rationale of each finding."""

from .presentation import Presentation
from .vocabulary import CONTEXT_FLAGS, FLAG_PHRASES, HISTORY, LOCATIONS, SYMPTOMS

# Titles as words inside a sentence, prepared once.
SYMPTOM_WORDS = {code: title.lower() for code, title in SYMPTOMS.items()}
# History read as something the patient takes or has had (titles of older codes read after "history of").
HISTORY_WORDS = {
    "recent_head_injury": "a head injury in the last 7 days",
    "anticoagulant": "taking an anticoagulant",
    "antiplatelet": "taking an antiplatelet",
    "pregnant_or_recent_birth": "pregnant or gave birth in the last 6 weeks",
    "started_antiemetic_or_antipsychotic": (
        "an anti-sickness medicine or antipsychotic started or raised in the last 7 days"
    ),
    "serotonergic_medicine_change": "a medicine that raises serotonin started or raised in the last 14 days",
    "lithium": "taking lithium",
}
# Every input path whose words do not depend on the values sent.
FIXED_PHRASES = {
    **{f"history.{code}": f"history of {title[0].lower()}{title[1:]}" for code, title in HISTORY.items()},
    **{f"history.{code}": words for code, words in HISTORY_WORDS.items()},
    **{f"twitch.locations.{code}": f"twitch at the {title.lower()}" for code, title in LOCATIONS.items()},
    **{f"{'context' if name in CONTEXT_FLAGS else 'twitch'}.{name}": phrase for name, phrase in FLAG_PHRASES.items()},
}
# Symptoms whose own onset no rule reads (a bitten tongue describes a blackout or fit).
ONSET_NOT_READ = frozenset({"bitten_tongue"})


def _as_sent(value: float) -> str:
    """A measured value written short (2.2, 70) but never rounded: 2.1999999 is below a 2.2 threshold."""
    short = f"{value:g}"
    return short if float(short) == value else repr(value)


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def describe_input(path: str, presentation: Presentation) -> str:
    """An input path in plain words, e.g. `symptoms.headache` -> "headache of gradual onset"."""
    phrase = FIXED_PHRASES.get(path)
    if phrase is not None:
        return phrase
    section, _, name = path.partition(".")
    if section == "symptoms":
        symptom = presentation.symptom(name)
        if symptom is None:
            raise KeyError(path)
        if name in ONSET_NOT_READ:
            return SYMPTOM_WORDS[name]
        return f"{SYMPTOM_WORDS[name]} of {symptom.onset} onset{', now resolved' if symptom.resolved else ''}"
    if section == "measurements":
        m = presentation.measurements[name]
        kind = f" ({m.kind})" if name == "serum_calcium" else ""
        return f"{name.replace('_', ' ')}{kind} of {_as_sent(m.value)} {m.unit}"
    if path == "twitch.side":
        return f"twitch side {presentation.twitch.side}"
    if path == "twitch.duration_days":
        days = presentation.twitch.duration_days
        return f"twitch lasting {_plural(days, 'day')}" if days else "twitch lasting less than a day"
    if path == "twitch.pattern":
        return f"{presentation.twitch.pattern} twitching"
    if path == "patient.age_years":
        return f"age {_plural(presentation.age_years, 'year')}"
    raise KeyError(path)


def describe_graded_input(path: str, presentation: Presentation) -> str:
    """As `describe_input`, with a measured value graded: "severely low" only below its severe threshold."""
    if path.startswith("measurements."):
        m = presentation.measurements[path.partition(".")[2]]
        grade = "severely low " if m.is_severe_low else "low " if m.is_low else ""
        return grade + describe_input(path, presentation)
    return describe_input(path, presentation)
