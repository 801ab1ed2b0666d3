"""The red-flag engine: each rule set version as data, and a pure function that applies one.

Every version is held side by side (stored assessments keep the version they were made under), so a
caller always says which version to assess under: `assess(presentation, RULESETS[version])`.
"""

from .engine import Assessment, Finding, assess, rules_fired
from .presentation import Presentation, presentation_from_payload
from .ruleset import Rule, RuleSet
from .v2026_11 import RULESET as V2026_11
from .v2027_01 import RULESET as V2027_01
from .vocabulary import FLAGGED_LEVELS, Level

# Oldest first.
RULESETS: dict[str, RuleSet] = {ruleset.version: ruleset for ruleset in (V2026_11, V2027_01)}
RULESET_VERSIONS = tuple(RULESETS)
NEWEST = RULESET_VERSIONS[-1]

__all__ = [
    "FLAGGED_LEVELS",
    "NEWEST",
    "RULESETS",
    "RULESET_VERSIONS",
    "Assessment",
    "Finding",
    "Level",
    "Presentation",
    "Rule",
    "RuleSet",
    "assess",
    "presentation_from_payload",
    "rules_fired",
]
