"""Writes: storing presentations and their assessments. Each public function is atomic."""

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from triage.models import ApiKey, Assessment, Presentation, Review, ReviewStatus, Role
from triage.payload import with_defaults
from triage.rules import assess, presentation_from_payload

UNIQUE_EXTERNAL_ID = "presentation_unique_client_external_id"


class ExternalIdConflict(Exception):
    """The client already used this external_id for a different presentation."""


def presentation_submit(*, payload: Mapping[str, Any], client: ApiKey | None) -> tuple[Presentation, bool]:
    """Store and assess a presentation, or return the stored one for a retry of the same request.

    Returns (presentation, created). Racing duplicates are settled by the unique
    constraint, not by a check-then-insert, so exactly one row is ever stored.
    """
    try:
        return presentation_create(payload=payload, client=client), True
    except IntegrityError as exc:
        if getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None) != UNIQUE_EXTERNAL_ID:
            raise
    stored = Presentation.objects.select_related("current_assessment").get(
        client=client, external_id=payload["external_id"]
    )
    if with_defaults(stored.payload) != with_defaults(payload):
        raise ExternalIdConflict(payload["external_id"])
    return stored, False


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
            queue_rank=Presentation.queue_rank_for(result.level, result.score),
        )
        # Kept on the instance, so reading the answer back costs no query.
        presentation.current_assessment = Assessment.objects.create(
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
        presentation.queue_rank = Presentation.queue_rank_for(result.level, result.score)
        presentation.save(update_fields=["current_assessment", "level", "flagged", "score", "queue_rank"])
    return assessment


def review_record(
    *,
    presentation: Presentation,
    status: str,
    disposition: str = "",
    note: str = "",
    by: AbstractBaseUser | ApiKey,
) -> Review:
    """Keep a new review and make its status the presentation's current one."""
    reviewer = {"reviewer_key": by} if isinstance(by, ApiKey) else {"reviewer_user": by}
    with transaction.atomic():
        review = Review.objects.create(
            presentation=presentation,
            status=status,
            disposition=disposition,
            note=note,
            reviewed_at=timezone.now(),
            **reviewer,
        )
        presentation.review_status = ReviewStatus(status)
        presentation.save(update_fields=["review_status"])
    return review


def api_key_create(*, name: str, role: Role | str) -> tuple[ApiKey, str]:
    """Create a key and return it with the raw secret, which is never stored and never shown again."""
    with transaction.atomic():
        return ApiKey.objects.create_key(name=name, role=Role(role))


def api_key_revoke(*, name: str) -> ApiKey:
    """Revoke the live key with this name; it fails at once on its next request."""
    with transaction.atomic():
        api_key = ApiKey.objects.select_for_update().get(name=name, revoked=False)
        api_key.revoked = True
        api_key.save(update_fields=["revoked"])
    return api_key
