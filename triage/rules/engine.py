"""Run the rule table over a presentation and combine the findings.

A pure function: no clock, no database, no settings. The same presentation
always gives the same assessment under the same rule set version.
"""

from operator import attrgetter
from typing import Any, NamedTuple

from .catalogue import RULES, RULESET_VERSION, Rule
from .presentation import Presentation
from .vocabulary import CONTEXT_FLAGS, FLAG_PHRASES, HISTORY, LEVEL_CODES, LOCATIONS, SYMPTOMS, Level

SCORE_CAP = 100
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
SELF_CARE, URGENT = Level.SELF_CARE, Level.URGENT  # enum attribute lookups are slow on Python 3.11
BY_LEVEL = attrgetter("level")


class Finding(NamedTuple):
    """One rule that fired (a NamedTuple: immutable, and cheap to make thousands of times a second)."""

    code: str
    title: str
    category: str
    level: str
    points: int
    triggered_by: tuple[str, ...]
    rationale: str
    sources: tuple[str, ...]


class Assessment(NamedTuple):
    """The result of scoring one presentation."""

    ruleset_version: str
    level: Level
    flagged: bool
    score: int
    findings: tuple[Finding, ...]
    recommendations: tuple[str, ...]

    def findings_as_dicts(self) -> list[dict[str, Any]]:
        return [
            {**f._asdict(), "triggered_by": list(f.triggered_by), "sources": list(f.sources)} for f in self.findings
        ]


def assess(presentation: Presentation) -> Assessment:
    """Score a validated presentation against the current rule set (RULESET_VERSION)."""
    fired: dict[str, Level] = {}
    fired_rules: list[Rule] = []
    findings: list[Finding] = []
    score = 0
    for rule in RULES:
        triggered_by = rule.fires(presentation, fired)
        if triggered_by:
            fired[rule.code] = rule.level
            fired_rules.append(rule)
            findings.append(_finding(rule, triggered_by, presentation))
            score += rule.points

    level = max(fired.values(), default=SELF_CARE)
    # Highest level first; a sort, reversed or not, is stable, so table order holds within a level.
    fired_rules.sort(key=BY_LEVEL, reverse=True)
    return Assessment(
        RULESET_VERSION, level, level >= URGENT, min(score, SCORE_CAP), tuple(findings),
        recommendations_for(fired_rules, level),
    )  # fmt: skip


def recommendations_for(fired_rules: list[Rule], level: Level) -> tuple[str, ...]:
    """First occurrence of each recommendation, leaving out advice that would undersell the level."""
    dropped = ADVICE_DROPPED[level]
    ordered: dict[str, None] = {}
    for rule in fired_rules:
        ordered.update(dict.fromkeys(rule.recommendations))
    return tuple([code for code in ordered if code not in dropped])


def _finding(rule: Rule, triggered_by: tuple[str, ...], presentation: Presentation) -> Finding:
    if len(triggered_by) == 1:
        evidence = describe_input(triggered_by[0], presentation)
    else:
        phrases = [describe_input(path, presentation) for path in triggered_by]
        evidence = ", ".join(phrases[:-1]) + " and " + phrases[-1]
    return Finding(
        rule.code,
        rule.title,
        rule.category,
        LEVEL_CODES[rule.level],
        rule.points,
        triggered_by,
        rule.rationale.format(evidence=evidence),
        rule.sources,
    )


# Titles as words inside a sentence, prepared once.
SYMPTOM_WORDS = {code: title.lower() for code, title in SYMPTOMS.items()}
# Every input path whose words do not depend on the values sent.
FIXED_PHRASES = {
    **{f"history.{code}": f"history of {title[0].lower()}{title[1:]}" for code, title in HISTORY.items()},
    **{f"twitch.locations.{code}": f"twitch at the {title.lower()}" for code, title in LOCATIONS.items()},
    **{f"{'context' if name in CONTEXT_FLAGS else 'twitch'}.{name}": phrase for name, phrase in FLAG_PHRASES.items()},
}


def _as_sent(value: float) -> str:
    """A measured value written short (2.2, 70) but never rounded: 2.1999999 is below a 2.2 threshold."""
    short = f"{value:g}"
    return short if float(short) == value else repr(value)


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
        return f"{SYMPTOM_WORDS[name]} of {symptom.onset} onset{', now resolved' if symptom.resolved else ''}"
    if section == "measurements":
        m = presentation.measurements[name]
        kind = f" ({m.kind})" if name == "serum_calcium" else ""
        return f"{name.replace('_', ' ')}{kind} of {_as_sent(m.value)} {m.unit}"
    if path == "twitch.side":
        return f"twitch side {presentation.twitch.side}"
    if path == "twitch.duration_days":
        return f"twitch lasting {presentation.twitch.duration_days} days"
    raise KeyError(path)
