"""Reads: the rule catalogue and the clinician queue."""

from functools import cache
from typing import Any

from triage.evidence import passages
from triage.rules import RULES, RULESET_VERSION, Level
from triage.rules.vocabulary import HISTORY, LOCATIONS, RECOMMENDATIONS, SYMPTOMS


def _coded(titles: dict[str, str]) -> list[dict[str, str]]:
    return [{"code": code, "title": title} for code, title in titles.items()]


@cache
def rule_catalogue() -> dict[str, Any]:
    """The whole rule set as the API returns it: rules with their source passages' text, and every code list."""
    text = passages()
    return {
        "ruleset_version": RULESET_VERSION,
        "levels": [level.code for level in Level],
        "rules": [
            {
                "code": rule.code,
                "title": rule.title,
                "description": rule.description,
                "category": rule.category,
                "level": rule.level.code,
                "points": rule.points,
                "recommendations": list(rule.recommendations),
                "sources": [{"id": source, "text": text[source]} for source in rule.sources],
            }
            for rule in RULES
        ],
        "recommendations": _coded(RECOMMENDATIONS),
        "vocabularies": {
            "symptoms": _coded(SYMPTOMS),
            "history": _coded(HISTORY),
            "locations": _coded(LOCATIONS),
        },
    }
