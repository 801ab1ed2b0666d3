"""Stored rows to response bodies, as plain dicts (the shapes are in serializers.py)."""

from typing import Any

from triage.models import Assessment, Presentation, Review
from triage.payload import with_defaults
from triage.rules import Level


def presentation_body(presentation: Presentation) -> dict[str, Any]:
    """The presentation as submitted (defaults filled in) with its id, status and current assessment."""
    submitted = with_defaults(presentation.payload)
    return {
        "id": str(presentation.id),
        "external_id": presentation.external_id,
        "received_at": presentation.received_at.isoformat().replace("+00:00", "Z"),
        "review_status": presentation.review_status,
        **{key: value for key, value in submitted.items() if key != "external_id"},
        "assessment": assessment_body(presentation.current_assessment),
    }


def assessment_body(assessment: Assessment) -> dict[str, Any]:
    return {
        "id": str(assessment.id),
        "level": Level(assessment.level).code,
        "flagged": assessment.flagged,
        "score": assessment.score,
        "ruleset_version": assessment.ruleset_version,
        "assessed_at": assessment.assessed_at.isoformat().replace("+00:00", "Z"),
        "findings": assessment.findings,
        "recommendations": assessment.recommendations,
    }


def review_body(review: Review) -> dict[str, Any]:
    return {
        "id": str(review.id),
        "presentation_id": str(review.presentation_id),
        "status": review.status,
        "disposition": review.disposition,
        "note": review.note,
        "reviewer": review.reviewer_name,
        "reviewed_at": review.reviewed_at.isoformat().replace("+00:00", "Z"),
    }
