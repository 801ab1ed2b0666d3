"""Run a rule set's table over a presentation and combine the findings.

A pure function: no clock, no database, no settings. The same presentation
always gives the same assessment under the same rule set version.
"""

from operator import attrgetter
from typing import Any, NamedTuple

from .presentation import Presentation
from .ruleset import Describe, Paths, Rule, RuleSet
from .vocabulary import LEVEL_CODES, Level

SCORE_CAP = 100
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


def rules_fired(presentation: Presentation, ruleset: RuleSet) -> dict[str, tuple[Rule, Paths]]:
    """The rules that fire, by code in table order, each with the inputs that fired it: the decision before its
    wording (what an impact report compares). Predicates see the codes and levels of the rules above them."""
    fired: dict[str, Level] = {}
    found: dict[str, tuple[Rule, Paths]] = {}
    for rule in ruleset.rules:
        triggered_by = rule.fires(presentation, fired)
        if triggered_by:
            fired[rule.code] = rule.level
            found[rule.code] = (rule, triggered_by)
    return found


def assess(presentation: Presentation, ruleset: RuleSet) -> Assessment:
    """Score a validated presentation against the given rule set; the assessment records its version."""
    fired_rules: list[Rule] = []
    findings: list[Finding] = []
    score = 0
    describe = ruleset.describe
    for rule, triggered_by in rules_fired(presentation, ruleset).values():
        fired_rules.append(rule)
        findings.append(_finding(rule, triggered_by, presentation, describe))
        score += rule.points

    level = max([rule.level for rule in fired_rules], default=SELF_CARE)
    # Highest level first; a sort, reversed or not, is stable, so table order holds within a level.
    fired_rules.sort(key=BY_LEVEL, reverse=True)
    return Assessment(
        ruleset.version, level, level >= URGENT, min(score, SCORE_CAP), tuple(findings),
        ruleset.recommend(fired_rules, level, presentation),
    )  # fmt: skip


def _finding(rule: Rule, triggered_by: tuple[str, ...], presentation: Presentation, describe: Describe) -> Finding:
    if len(triggered_by) == 1:
        evidence = describe(triggered_by[0], presentation)
    else:
        phrases = [describe(path, presentation) for path in triggered_by]
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
