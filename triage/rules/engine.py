"""Run the rule table over a presentation and combine the findings.

A pure function: no clock, no database, no settings. The same presentation
always gives the same assessment under the same rule set version.
"""

from dataclasses import asdict, dataclass
from typing import Any

from .catalogue import RULES, RULESET_VERSION, Rule
from .presentation import Presentation
from .vocabulary import FLAG_PHRASES, HISTORY, LOCATIONS, SYMPTOMS, Level

SCORE_CAP = 100
ADVICE_DROPPED_WHEN_FLAGGED = frozenset(
    {"book_appointment", "watchful_waiting", "rest_and_stress_reduction", "hydration"}
)


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    title: str
    category: str
    level: str
    points: int
    triggered_by: tuple[str, ...]
    rationale: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Assessment:
    ruleset_version: str
    level: Level
    flagged: bool
    score: int
    findings: tuple[Finding, ...]
    recommendations: tuple[str, ...]

    def findings_as_dicts(self) -> list[dict[str, Any]]:
        return [{**asdict(f), "triggered_by": list(f.triggered_by), "sources": list(f.sources)} for f in self.findings]


def assess(presentation: Presentation) -> Assessment:
    """Score a validated presentation against rule set 2026.11."""
    fired: dict[str, Level] = {}
    findings: list[Finding] = []
    for rule in RULES:
        triggered_by = rule.fires(presentation, fired)
        if triggered_by:
            fired[rule.code] = rule.level
            findings.append(_finding(rule, triggered_by, presentation))

    level = max(fired.values(), default=Level.SELF_CARE)
    # Highest level first; sorted() is stable, so table order holds within a level.
    fired_rules = sorted((r for r in RULES if r.code in fired), key=lambda r: -r.level)
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
    evidence = _join([describe_input(path, presentation) for path in triggered_by])
    return Finding(
        code=rule.code,
        title=rule.title,
        category=rule.category,
        level=rule.level.code,
        points=rule.points,
        triggered_by=triggered_by,
        rationale=rule.rationale.format(evidence=evidence),
        sources=rule.sources,
    )


def describe_input(path: str, presentation: Presentation) -> str:
    """An input path in plain words, e.g. `symptoms.headache` -> "headache of gradual onset"."""
    section, _, name = path.partition(".")
    if section == "symptoms":
        symptom = presentation.symptom(name)
        if symptom is None:
            raise KeyError(path)
        return f"{SYMPTOMS[name].lower()} of {symptom.onset} onset{', now resolved' if symptom.resolved else ''}"
    if section == "history":
        return f"history of {HISTORY[name][0].lower()}{HISTORY[name][1:]}"
    if section == "measurements":
        m = presentation.measurements[name]
        kind = f" ({m.kind})" if name == "serum_calcium" else ""
        return f"{name.replace('_', ' ')}{kind} of {m.value:g} {m.unit}"
    if name.startswith("locations."):
        return f"twitch at the {LOCATIONS[name.removeprefix('locations.')].lower()}"
    if name == "side":
        return f"twitch side {presentation.twitch.side}"
    if name == "duration_days":
        return f"twitch lasting {presentation.twitch.duration_days} days"
    return FLAG_PHRASES[name]


def _join(phrases: list[str]) -> str:
    return phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]
