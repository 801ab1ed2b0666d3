"""Stored rows to response bodies, as plain dicts (the shapes are in serializers.py)."""

import uuid
from datetime import datetime
from typing import Any

import orjson
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast

from triage.models import Presentation, Review
from triage.payload import with_defaults
from triage.rules import Level


def presentation_body(presentation: Presentation) -> dict[str, Any]:
    """The presentation as submitted (defaults filled in) with its id, status and current assessment."""
    assessment = presentation.current_assessment
    return _body(
        presentation.id, presentation.external_id, presentation.received_at, presentation.review_status,
        presentation.payload, assessment.id, assessment.level, assessment.flagged, assessment.score,
        assessment.ruleset_version, assessment.assessed_at, assessment.findings, assessment.recommendations,
    )  # fmt: skip


def queue_rows(queryset: QuerySet[Presentation]) -> QuerySet:
    """The columns a queue page reads: no model instances, one row of plain values per presentation.

    Findings and recommendations come as JSON text, never parsed: they go into the response as
    they are (orjson fragments), which halves the CPU time of a 50-row page. The payload, which
    takes its defaults first, comes as text too, for orjson to parse rather than the json module.
    """
    return queryset.annotate(
        payload_json=Cast("payload", TextField()),
        findings_json=Cast("current_assessment__findings", TextField()),
        recommendations_json=Cast("current_assessment__recommendations", TextField()),
    ).values_list(
        "id", "external_id", "received_at", "review_status", "payload_json", "current_assessment__id",
        "current_assessment__level", "current_assessment__flagged", "current_assessment__score",
        "current_assessment__ruleset_version", "current_assessment__assessed_at", "findings_json",
        "recommendations_json", "queue_rank",
    )  # fmt: skip


def queue_row_body(row: tuple) -> dict[str, Any]:
    """The same body as presentation_body, from a row of `queue_rows`."""
    (
        presentation_id, external_id, received_at, review_status, payload, assessment_id, level, flagged, score,
        ruleset_version, assessed_at, findings, recommendations, _queue_rank,
    ) = row  # fmt: skip
    return _body(
        presentation_id, external_id, received_at, review_status, orjson.loads(payload), assessment_id, level,
        flagged, score, ruleset_version, assessed_at, orjson.Fragment(findings), orjson.Fragment(recommendations),
    )  # fmt: skip


def _body(
    presentation_id: uuid.UUID, external_id: str, received_at: datetime, review_status: str, payload: dict,
    assessment_id: uuid.UUID, level: int, flagged: bool, score: int, ruleset_version: str, assessed_at: datetime,
    findings: list | orjson.Fragment, recommendations: list | orjson.Fragment,
) -> dict[str, Any]:  # fmt: skip
    submitted = with_defaults(payload)
    del submitted["external_id"]
    return {
        "id": str(presentation_id),
        "external_id": external_id,
        "received_at": _utc(received_at),
        "review_status": review_status,
        **submitted,
        "assessment": {
            "id": str(assessment_id),
            "level": LEVEL_CODES[level],
            "flagged": flagged,
            "score": score,
            "ruleset_version": ruleset_version,
            "assessed_at": _utc(assessed_at),
            "findings": findings,
            "recommendations": recommendations,
        },
    }


def _utc(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


LEVEL_CODES = {level.value: level.code for level in Level}


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
