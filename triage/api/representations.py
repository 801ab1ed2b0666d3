"""Stored rows to response bodies, as plain dicts (the shapes are in serializers.py)."""

from datetime import datetime
from typing import Any

import orjson

from triage.models import Presentation, Review
from triage.payload import with_defaults
from triage.rules.vocabulary import LEVEL_CODES
from triage.selectors import PresentationRow


def presentation_body(presentation: Presentation) -> dict[str, Any]:
    """The presentation as submitted (defaults filled in) with its id, status and current assessment."""
    assessment = presentation.current_assessment
    return _body(
        str(presentation.id), presentation.external_id, _utc(presentation.received_at), presentation.review_status,
        presentation.payload, str(assessment.id), assessment.level, assessment.flagged, assessment.score,
        assessment.ruleset_version, _utc(assessment.assessed_at), assessment.findings, assessment.recommendations,
    )  # fmt: skip


def presentation_row_body(row: PresentationRow) -> dict[str, Any]:
    """The same body as presentation_body, from a row of `selectors.presentation_queue` or `presentation_shown`."""
    return _body(
        row.id, row.external_id, utc_text(row.received_at), row.review_status, orjson.loads(row.payload),
        row.assessment_id, row.level, row.flagged, row.score, row.ruleset_version, utc_text(row.assessed_at),
        orjson.Fragment(row.findings), orjson.Fragment(row.recommendations),
    )  # fmt: skip


def _body(
    presentation_id: str, external_id: str, received_at: str, review_status: str, payload: dict, assessment_id: str,
    level: int, flagged: bool, score: int, ruleset_version: str, assessed_at: str,
    findings: list | orjson.Fragment, recommendations: list | orjson.Fragment,
) -> dict[str, Any]:  # fmt: skip
    submitted = with_defaults(payload)
    del submitted["external_id"]
    return {
        "id": presentation_id,
        "external_id": external_id,
        "received_at": received_at,
        "review_status": review_status,
        **submitted,
        "assessment": {
            "id": assessment_id,
            "level": LEVEL_CODES[level],
            "flagged": flagged,
            "score": score,
            "ruleset_version": ruleset_version,
            "assessed_at": assessed_at,
            "findings": findings,
            "recommendations": recommendations,
        },
    }


def _utc(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def utc_text(text: str) -> str:
    """`_utc` of a moment PostgreSQL wrote (`selectors._utc_text`): Python leaves out zero microseconds."""
    return text[:-8] + "Z" if text.endswith(".000000Z") else text


def review_body(review: Review) -> dict[str, Any]:
    return {
        "id": str(review.id),
        "presentation_id": str(review.presentation_id),
        "status": review.status,
        "disposition": review.disposition,
        "note": review.note,
        "reviewer": review.reviewer_name,
        "reviewed_at": _utc(review.reviewed_at),
    }
