"""What the API answers about a presentation: one pydantic model per shape, for the body and its schema alike.

A presentation is shown as stored (the contract's canonical form, triage.contract) with its id, status and
current assessment. Class names become the schema's component names.
"""

import uuid
from datetime import datetime
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from triage import models, selectors
from triage.contract import STORED, PresentationInput
from triage.rules import Assessment as AssessmentResult
from triage.rules.vocabulary import LEVEL_CODES, RECOMMENDATIONS
from triage.selectors import QueueRow

LevelCode = Literal[tuple(LEVEL_CODES.values())]


class _Shown(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Finding(_Shown):
    code: str = Field(description="A rule code from GET /api/v1/rules/.")
    title: str
    category: str
    level: LevelCode
    points: int
    triggered_by: list[str] = Field(description="Input paths that fired the rule, e.g. `symptoms.slurred_speech`.")
    rationale: str = Field(description="One sentence for the clinician.")
    sources: list[str] = Field(description="Evidence passage ids, e.g. `S06`.")


class AssessmentPreview(_Shown):
    """An assessment as POST /api/v1/assessments/preview answers it: scored, not stored (so no id)."""

    level: LevelCode
    flagged: bool = Field(description="True exactly when the level is urgent or emergency.")
    score: Annotated[int, Field(ge=0, le=100)]
    ruleset_version: str
    assessed_at: datetime
    findings: list[Finding]
    recommendations: list[Literal[tuple(RECOMMENDATIONS)]]


class Assessment(AssessmentPreview):
    id: uuid.UUID


class Preview(_Shown):
    assessment: AssessmentPreview


def preview_body(result: AssessmentResult, assessed_at: datetime) -> dict[str, Any]:
    """What a preview answers: the assessment a POST of the same body would get now, nothing stored."""
    return Preview.model_validate(
        {
            "assessment": {
                "level": result.level.code,
                "flagged": result.flagged,
                "score": result.score,
                "ruleset_version": result.ruleset_version,
                "assessed_at": assessed_at,
                "findings": result.findings_as_dicts(),
                "recommendations": list(result.recommendations),
            }
        }
    ).model_dump(mode="json")


class Presentation(PresentationInput):
    id: uuid.UUID
    received_at: datetime
    review_status: Literal[tuple(models.ReviewStatus.values)]
    assessment: Assessment


def presentation_body(presentation: models.Presentation) -> dict[str, Any]:
    """The presentation with its current assessment (fetched with it: `select_related("current_assessment")`)."""
    assessment = presentation.current_assessment
    return Presentation.model_validate(
        {
            **presentation.payload,
            "id": presentation.id,
            "received_at": presentation.received_at,
            "review_status": presentation.review_status,
            "assessment": {
                "id": assessment.id,
                "level": LEVEL_CODES[assessment.level],
                "flagged": assessment.flagged,
                "score": assessment.score,
                "ruleset_version": assessment.ruleset_version,
                "assessed_at": assessment.assessed_at,
                "findings": assessment.findings,
                "recommendations": assessment.recommendations,
            },
        },
        context=STORED,
    ).model_dump(mode="json")


def queue_item_body(row: QueueRow) -> dict[str, Any]:
    """The same body as presentation_body, from a queue row, which PostgreSQL wrote as JSON."""
    return Presentation.model_validate_json(row.shown, context=STORED).model_dump(mode="json")


class Review(_Shown):
    id: uuid.UUID
    presentation_id: uuid.UUID
    status: Literal[tuple(models.Review.Status.values)]
    disposition: str = Field(description="A disposition code (reviews stored before 2027.01 keep their text).")
    note: str
    reviewer: str = Field(description="The reviewing user's name, or the person named and the API key's name.")
    reviewed_by: str = Field(description="The person a clinician's tool named; empty for a review made in the admin.")
    reviewed_at: datetime


def review_body(review: models.Review) -> dict[str, Any]:
    return Review(
        id=review.id,
        presentation_id=review.presentation_id,
        status=review.status,
        disposition=review.disposition,
        note=review.note,
        reviewer=review.reviewer_name,
        reviewed_by=review.reviewed_by,
        reviewed_at=review.reviewed_at,
    ).model_dump(mode="json")


# --- the rule catalogue --------------------------------------------------------------


class CodeTitle(_Shown):
    code: str
    title: str


class SourcePassage(_Shown):
    id: str = Field(description="Evidence passage id: S01-S24 (seed passages) or G01-G27 (guideline summaries).")
    text: str


class CatalogueRule(_Shown):
    code: str
    title: str
    description: str
    category: str
    level: LevelCode
    points: int
    recommendations: list[Literal[tuple(RECOMMENDATIONS)]]
    sources: list[SourcePassage]


class Vocabularies(_Shown):
    symptoms: list[CodeTitle]
    history: list[CodeTitle]
    locations: list[CodeTitle]
    context: list[CodeTitle]
    dispositions: list[CodeTitle]


class RuleCatalogue(_Shown):
    ruleset_version: str
    levels: list[LevelCode] = Field(description="Levels, lowest first.")
    rules: list[CatalogueRule]
    recommendations: list[CodeTitle]
    vocabularies: Vocabularies


@cache
def rule_catalogue_body(version: str) -> dict[str, Any]:
    """A whole rule set version (`selectors.rule_catalogue`), the same for every caller: shaped once."""
    return RuleCatalogue.model_validate(selectors.rule_catalogue(version)).model_dump(mode="json")
