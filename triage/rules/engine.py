"""Run the rule table over a presentation and combine the findings.

A pure function: no clock, no database, no settings. The same presentation
always gives the same assessment under the same rule set version.
"""

from typing import Any, NamedTuple

from .catalogue import RULES, RULESET_VERSION, Rule
from .presentation import Presentation
from .vocabulary import FLAG_PHRASES, HISTORY, LOCATIONS, SYMPTOMS, Level

SCORE_CAP = 100
ADVICE_DROPPED_WHEN_FLAGGED = frozenset(
    {"book_appointment", "watchful_waiting", "rest_and_stress_reduction", "hydration"}
)


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
    """Score a validated presentation against rule set 2026.11."""
    fired: dict[str, Level] = {}
    fired_rules: list[Rule] = []
    findings: list[Finding] = []
    for rule in RULES:
        triggered_by = rule.fires(presentation, fired)
        if triggered_by:
            fired[rule.code] = rule.level
            fired_rules.append(rule)
            findings.append(_finding(rule, triggered_by, presentation))

    level = max(fired.values(), default=Level.SELF_CARE)
    # Highest level first; sort() is stable, so table order holds within a level.
    fired_rules.sort(key=lambda r: -r.level)
    return Assessment(
        ruleset_version=RULESET_VERSION,
        level=level,
        flagged=level >= Level.URGENT,
        score=min(sum(f.points for f in findings), SCORE_CAP),
        findings=tuple(findings),
        recommendations=recommendations_for(fired_rules, level),
    )


def recommendations_for(fired_rules: list[Rule], level: Level) -> tuple[str, ...]:
    """First occurrence of each recommendation, leaving out advice that would undersell the level."""
    dropped: set[str] = set()
    if level >= Level.URGENT:
        dropped |= ADVICE_DROPPED_WHEN_FLAGGED
    if level == Level.EMERGENCY:
        dropped.add("same_day_medical_review")
    ordered = dict.fromkeys(code for rule in fired_rules for code in rule.recommendations)
    return tuple(code for code in ordered if code not in dropped)


def _finding(rule: Rule, triggered_by: tuple[str, ...], presentation: Presentation) -> Finding:
    phrases = [describe_input(path, presentation) for path in triggered_by]
    evidence = phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]
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


# Titles as words inside a sentence, and level codes, prepared once.
LEVEL_CODES = {level: level.code for level in Level}
SYMPTOM_WORDS = {code: title.lower() for code, title in SYMPTOMS.items()}
HISTORY_WORDS = {code: f"history of {title[0].lower()}{title[1:]}" for code, title in HISTORY.items()}
LOCATION_WORDS = {f"locations.{code}": f"twitch at the {title.lower()}" for code, title in LOCATIONS.items()}


def describe_input(path: str, presentation: Presentation) -> str:
    """An input path in plain words, e.g. `symptoms.headache` -> "headache of gradual onset"."""
    section, _, name = path.partition(".")
    if section == "symptoms":
        symptom = presentation.symptom(name)
        if symptom is None:
            raise KeyError(path)
        return f"{SYMPTOM_WORDS[name]} of {symptom.onset} onset{', now resolved' if symptom.resolved else ''}"
    if section == "history":
        return HISTORY_WORDS[name]
    if section == "measurements":
        m = presentation.measurements[name]
        kind = f" ({m.kind})" if name == "serum_calcium" else ""
        return f"{name.replace('_', ' ')}{kind} of {m.value:g} {m.unit}"
    if name.startswith("locations."):
        return LOCATION_WORDS[name]
    if name == "side":
        return f"twitch side {presentation.twitch.side}"
    if name == "duration_days":
        return f"twitch lasting {presentation.twitch.duration_days} days"
    return FLAG_PHRASES[name]
