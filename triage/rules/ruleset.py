"""A rule set version as data: its rules in table order, its vocabularies and its own advice procedure."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .presentation import Presentation
from .vocabulary import Level

Paths = tuple[str, ...]
# A rule's predicate sees the codes and levels of the rules above it that fired, and returns the input
# paths that fired it (empty when it did not fire), so that a finding can always say what triggered it.
Predicate = Callable[[Presentation, Mapping[str, Level]], Paths]


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    title: str
    description: str
    category: str
    level: Level
    points: int
    recommendations: tuple[str, ...]
    sources: tuple[str, ...]
    # One sentence for the clinician; {evidence} becomes the triggering inputs in words.
    rationale: str
    fires: Predicate


# The fired rules (highest level first, table order within a level), the level and the presentation.
Recommend = Callable[[Sequence[Rule], Level, Presentation], tuple[str, ...]]
# An input path in plain words, for the rationale.
Describe = Callable[[str, Presentation], str]


@dataclass(frozen=True)
class RuleSet:
    """One version of the rules. Its code lists are in vocabulary order; titles are in `vocabulary`."""

    version: str
    rules: tuple[Rule, ...]
    symptoms: tuple[str, ...]
    history: tuple[str, ...]
    locations: tuple[str, ...]
    context: tuple[str, ...]
    measurements: tuple[str, ...]
    recommendations: tuple[str, ...]
    recommend: Recommend
    describe: Describe
