"""Rule set 2027.01 (clinical-rules.md): the table, when each rule fires, and the advice procedure."""

from ..measurements import LIMITS
from ..ruleset import RuleSet
from ..vocabulary import CONTEXT_FLAGS, HISTORY, LOCATIONS, RECOMMENDATIONS, SYMPTOMS
from ..wording import describe_graded_input
from .advice import recommendations_for
from .table import RULES

# The newest version's vocabularies are the union vocabularies, in their order.
RULESET = RuleSet(
    version="2027.01",
    rules=RULES,
    symptoms=tuple(SYMPTOMS),
    history=tuple(HISTORY),
    locations=tuple(LOCATIONS),
    context=CONTEXT_FLAGS,
    measurements=tuple(LIMITS),
    recommendations=tuple(RECOMMENDATIONS),
    recommend=recommendations_for,
    describe=describe_graded_input,
)
