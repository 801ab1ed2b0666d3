"""Writes: storing presentations and their assessments. Each public function is atomic."""

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from triage.models import ApiKey, Assessment, Presentation, Role
from triage.rules import assess, presentation_from_payload


def presentation_create(
    *, payload: Mapping[str, Any], client: ApiKey | None, received_at: datetime | None = None
) -> Presentation:
    """Store a validated presentation and its first assessment together, or neither."""
    received_at = received_at or timezone.now()
    result = assess(presentation_from_payload(payload))
    patient = payload["patient"]
    assessment_id = uuid.uuid4()
    with transaction.atomic():
        # Foreign keys are deferred on PostgreSQL, so the presentation can point at
        # its assessment before that row exists: two INSERTs, no UPDATE.
        presentation = Presentation.objects.create(
            client=client,
            external_id=payload["external_id"],
            patient_reference=patient["reference"],
            age_years=patient["age_years"],
            sex=patient.get("sex", "unknown"),
            payload=dict(payload),
            received_at=received_at,
            current_assessment_id=assessment_id,
            level=result.level,
            flagged=result.flagged,
            score=result.score,
        )
        Assessment.objects.create(
            id=assessment_id,
            presentation=presentation,
            ruleset_version=result.ruleset_version,
            level=result.level,
            flagged=result.flagged,
            score=result.score,
            findings=result.findings_as_dicts(),
            recommendations=list(result.recommendations),
            assessed_at=received_at,
        )
    return presentation


def presentation_reassess(*, presentation: Presentation) -> Assessment:
    """Score a stored presentation again under the current rule set, keeping earlier assessments."""
    result = assess(presentation_from_payload(presentation.payload))
    with transaction.atomic():
        assessment = Assessment.objects.create(
            presentation=presentation,
            ruleset_version=result.ruleset_version,
            level=result.level,
            flagged=result.flagged,
            score=result.score,
            findings=result.findings_as_dicts(),
            recommendations=list(result.recommendations),
            assessed_at=timezone.now(),
        )
        presentation.current_assessment = assessment
        presentation.level, presentation.flagged, presentation.score = result.level, result.flagged, result.score
        presentation.save(update_fields=["current_assessment", "level", "flagged", "score"])
    return assessment


def api_key_create(*, name: str, role: Role | str) -> tuple[ApiKey, str]:
    """Create a key and return it with the raw secret, which is never stored and never shown again."""
    return ApiKey.objects.create_key(name=name, role=Role(role))
