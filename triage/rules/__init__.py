"""The red-flag engine: rule set 2026.11 as data and a pure function over it."""

from .catalogue import RULES, RULESET_VERSION, RULESET_VERSIONS, Rule
from .engine import Assessment, Finding, assess
from .presentation import Presentation, presentation_from_payload
from .vocabulary import Level

__all__ = [
    "RULES",
    "RULESET_VERSION",
    "RULESET_VERSIONS",
    "Assessment",
    "Finding",
    "Level",
    "Presentation",
    "Rule",
    "assess",
    "presentation_from_payload",
]
