"""Reads: the rule catalogue and the clinician queue."""

import uuid
from functools import cache
from typing import Any

from django.db.models import QuerySet

from triage.evidence import passages
from triage.models import ApiKey, Presentation
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


def presentation_list(*, client: ApiKey | None) -> QuerySet[Presentation]:
    """Presentations with their current assessment; an intake client's own only."""
    presentations = Presentation.objects.select_related("current_assessment")
    return presentations.filter(client=client) if client is not None else presentations


def presentation_get(*, presentation_id: uuid.UUID, client: ApiKey | None) -> Presentation:
    """One presentation the caller may see; Presentation.DoesNotExist otherwise, so ids cannot be probed."""
    return presentation_list(client=client).get(pk=presentation_id)
