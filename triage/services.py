"""Writes: storing presentations, assessments and reviews, managing keys, recording access.

Each public function is atomic and writes its audit event in the same
transaction as the change it records, with the acting party passed as `by`.
"""

import hashlib
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from triage.audit import SYSTEM, Actor, audit_record
from triage.contract import InvalidBody, ReviewDecision, ReviewInput, canonical, stored_canonical, validated
from triage.counters import count_in_window
from triage.models import ApiKey, Assessment, AuditAction, Presentation, Review, ReviewStatus, Role
from triage.rules import Assessment as AssessmentResult
from triage.rules import RuleSet, assess, presentation_from_payload
from triage.rulesets import active_ruleset, unread_inputs

UNIQUE_EXTERNAL_ID = "presentation_unique_client_external_id"


class ExternalIdConflict(Exception):
    """The client already used this external_id for a different presentation."""


def presentation_submit(*, body: Any, client: ApiKey | None, by: Actor) -> tuple[Presentation, bool]:
    """Validate, store and assess a request body, or return the stored presentation for a retry of the same body.

    Returns (presentation, created); contract.InvalidBody for an invalid body. Racing duplicates are settled by
    the unique constraint, not by a check-then-insert, so exactly one row is ever stored.
    """
    received_at = timezone.now()
    payload = canonical(body, received_at=received_at)
    try:
        return _presentation_store(payload, client=client, by=by, received_at=received_at), True
    except IntegrityError as exc:
        if getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None) != UNIQUE_EXTERNAL_ID:
            raise
    stored = Presentation.objects.select_related("current_assessment").get(
        client=client, external_id=payload["external_id"]
    )
    if stored_canonical(stored.payload) != payload:  # both canonical: a default spelt out is the same request
        raise ExternalIdConflict(payload["external_id"])
    _record_access(by=by, event_type="presentation.retry", presentation=stored)
    return stored, False


def assessment_preview(*, body: Any, by: Actor) -> tuple[AssessmentResult, datetime]:
    """Score a body exactly as a POST would (the same validation, the active rule set) and store nothing but an
    audit event without the patient's reference: a sandbox for integrators' tests and the API docs' examples."""
    assessed_at = timezone.now()
    payload = canonical(body, received_at=assessed_at)
    ruleset = active_ruleset()
    unread_inputs(payload, ruleset)
    result = assess(presentation_from_payload(payload), ruleset)
    audit_record(
        by=by,
        action=AuditAction.EXECUTE,
        event_type="assessment.preview",
        status=200,
        entity_type="Assessment",
        detail={"ruleset_version": result.ruleset_version, "level": result.level.code, "flagged": result.flagged},
    )
    return result, assessed_at


def presentation_create(
    *, payload: Mapping[str, Any], client: ApiKey | None, by: Actor, received_at: datetime | None = None
) -> Presentation:
    """Store a presentation (any valid body, kept in its canonical form) and its first assessment, or neither."""
    received_at = received_at or timezone.now()
    return _presentation_store(
        canonical(payload, received_at=received_at), client=client, by=by, received_at=received_at
    )


def _presentation_store(
    payload: dict[str, Any], *, client: ApiKey | None, by: Actor, received_at: datetime
) -> Presentation:
    """Score under the active rule set (refusing what it cannot read), then store both, or neither."""
    ruleset = active_ruleset()
    unread_inputs(payload, ruleset)
    result = assess(presentation_from_payload(payload), ruleset)
    patient = payload["patient"]
    presentation = Presentation(
        client=client,
        external_id=payload["external_id"],
        patient_reference=patient["reference"],
        age_years=patient["age_years"],
        sex=patient["sex"],
        payload=payload,
        received_at=received_at,
    )
    assessment = _assessment_set(presentation, result, assessed_at=received_at)
    presentation.alert_due = result.flagged  # the alerts' outbox: the worker's sweep fans it out
    with transaction.atomic():
        # The two refer to each other; PostgreSQL checks foreign keys at commit.
        presentation.save(force_insert=True)
        assessment.save(force_insert=True)
        _record_assessment(by=by, event_type="presentation.create", presentation=presentation)
    return presentation


def presentation_reassess(*, presentation: Presentation, by: Actor, ruleset: RuleSet | None = None) -> Assessment:
    """Score a stored presentation again (under the active rule set unless told), keeping earlier assessments."""
    presentations_reassess(presentation_ids=[presentation.pk], ruleset=ruleset or active_ruleset(), by=by)
    presentation.refresh_from_db()
    return presentation.current_assessment


@dataclass
class Reassessed:
    """What a batch's re-assessment changed, by presentation id."""

    raised: list[uuid.UUID] = field(default_factory=list)  # pending again
    lowered: list[uuid.UUID] = field(default_factory=list)
    unflagged: list[uuid.UUID] = field(default_factory=list)
    kept: list[uuid.UUID] = field(default_factory=list)  # inputs the rule set cannot read: not re-scored
    done: int = 0


# What re-scoring a presentation reads: not its old assessment, whose findings are a page of JSON each.
REASSESS_READS = ("id", "payload", "level", "flagged", "review_status", "alert_due", "patient_reference")


def presentations_reassess(
    *, presentation_ids: Sequence[uuid.UUID], ruleset: RuleSet, by: Actor, dry_run: bool = False
) -> Reassessed:
    """Re-score a batch in one transaction with its audit events: all of it is stored, or none. Each presentation
    is read locked, in the transaction, so that a review recorded meanwhile is neither lost nor overwritten. A
    case whose level rises goes back to the queue as pending; earlier assessments are kept. One with inputs the
    rule set cannot read (a rollback to an older version) keeps its assessment: it would be scored without them.
    `dry_run`: what would change, nothing locked or stored."""
    changed = Reassessed()
    with transaction.atomic():
        locked = Presentation.objects.filter(pk__in=presentation_ids).only(*REASSESS_READS)
        locked = locked if dry_run else locked.select_for_update()
        presentations, assessments = [], []
        assessed_at = timezone.now()
        for presentation in locked.order_by("id"):
            payload = stored_canonical(presentation.payload)
            try:
                unread_inputs(payload, ruleset)
            except InvalidBody:
                changed.kept.append(presentation.pk)
                continue
            result = assess(presentation_from_payload(payload), ruleset)
            if result.level > presentation.level:
                presentation.review_status = ReviewStatus.PENDING
                presentation.alert_due |= result.flagged  # newly urgent or emergency: say so
                changed.raised.append(presentation.pk)
            elif result.level < presentation.level:
                changed.lowered.append(presentation.pk)
            if presentation.flagged and not result.flagged:
                changed.unflagged.append(presentation.pk)
            presentations.append(presentation)
            assessments.append(_assessment_set(presentation, result, assessed_at=assessed_at))
        changed.done = len(presentations)
        if dry_run:
            return changed
        Assessment.objects.bulk_create(assessments)
        _current_assessments_update(presentations)
        # The batch's audit appends sent without waiting for each answer (psycopg's pipeline mode): one round trip
        # each cost re-assessment a third of its time. An append that fails still fails the batch, at the sync,
        # as Django's own error (wrap_database_errors), as any other statement's would.
        with connection.wrap_database_errors, connection.connection.pipeline():
            for presentation in presentations:
                pending_again = presentation.pk in changed.raised
                _record_assessment(
                    by=by, event_type="assessment.create", presentation=presentation, pending_again=pending_again
                )
    return changed


# What a presentation copies from its current assessment (for the queue to filter and sort on), its status, and
# whether its alert is due.
REASSESSED_COLUMNS = {
    "current_assessment_id": "uuid",
    "level": "smallint",
    "flagged": "boolean",
    "score": "smallint",
    "queue_rank": "smallint",
    "review_status": "text",
    "alert_due": "boolean",
}


def _current_assessments_update(presentations: Sequence[Presentation]) -> None:
    """One UPDATE for a batch, its rows sent as one JSON document: Django's bulk_update writes a CASE per column
    and row, and cost re-assessment two thirds of its time (under 500 presentations a second, against 1,000)."""
    rows = [{"id": p.pk, **{column: getattr(p, column) for column in REASSESSED_COLUMNS}} for p in presentations]
    columns = ", ".join(f"{column} {kind}" for column, kind in REASSESSED_COLUMNS.items())
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Presentation._meta.db_table} AS p "  # noqa: S608 (names are the model's; values a parameter)
            f"SET {', '.join(f'{column} = v.{column}' for column in REASSESSED_COLUMNS)} "
            f"FROM jsonb_to_recordset(%s::jsonb) AS v(id uuid, {columns}) WHERE p.id = v.id",
            [orjson.dumps(rows).decode()],
        )


def _assessment_set(presentation: Presentation, result: AssessmentResult, *, assessed_at: datetime) -> Assessment:
    """A new assessment (not yet stored), made the presentation's current one."""
    assessment = _new_assessment(presentation, result, assessed_at=assessed_at)
    presentation.current_assessment = assessment
    presentation.level, presentation.flagged, presentation.score = result.level, result.flagged, result.score
    presentation.queue_rank = Presentation.queue_rank_for(result.level)
    return assessment


def _new_assessment(presentation: Presentation, result: AssessmentResult, *, assessed_at: datetime) -> Assessment:
    return Assessment(
        presentation=presentation,
        ruleset_version=result.ruleset_version,
        level=result.level,
        flagged=result.flagged,
        score=result.score,
        findings=result.findings_as_dicts(),
        recommendations=list(result.recommendations),
        assessed_at=assessed_at,
    )


def _record_assessment(*, by: Actor, event_type: str, presentation: Presentation, pending_again: bool = False) -> None:
    assessment = presentation.current_assessment
    detail = {
        "assessment_id": str(assessment.id),
        "ruleset_version": assessment.ruleset_version,
        "level": assessment.level_code,
        "score": assessment.score,
        "flagged": assessment.flagged,
    }
    if pending_again:  # a re-assessment raised the level: the case is back in the queue, whatever its status was
        detail["review_status"] = ReviewStatus.PENDING
    status = None if by.kind == SYSTEM.kind else 201  # an HTTP status only where a request made it
    _record_presentation_event(by, AuditAction.CREATE, event_type, status, presentation, detail)


def presentation_read_record(*, presentation: Presentation, by: Actor) -> None:
    """Record that the caller read one presentation (the model, or the row the API's reads give)."""
    _record_access(by=by, event_type="presentation.read", presentation=presentation)


def _record_access(*, by: Actor, event_type: str, presentation: Presentation) -> None:
    _record_presentation_event(by, AuditAction.READ, event_type, 200, presentation)


def _record_presentation_event(
    by: Actor,
    action: AuditAction,
    event_type: str,
    status: int | None,
    presentation: Presentation,
    detail: dict[str, Any] | None = None,
) -> None:
    audit_record(
        by=by,
        action=action,
        event_type=event_type,
        status=status,
        entity_type="Presentation",
        entity_id=presentation.id,
        patient_reference=presentation.patient_reference,
        detail=detail,
    )


def presentation_list_record(
    *, presentation_ids: Sequence[uuid.UUID | str], patient_references: Sequence[str], by: Actor, event_type: str
) -> None:
    """Record a read of a page of presentations: which ones the caller was shown, by id and patient reference.

    `patient_references[i]` is the reference of `presentation_ids[i]`, as the page showed it (the caller has both
    on its rows: no query here). A search for a patient reference then finds the pages that showed that patient.
    """
    if len(patient_references) != len(presentation_ids):
        raise ValueError("A page's record needs one patient reference for each presentation id.")
    audit_record(
        by=by,
        action=AuditAction.READ,
        event_type=event_type,
        status=200,
        entity_type="Presentation",
        detail={
            "ids": [str(presentation_id) for presentation_id in presentation_ids],
            "patient_references": list(patient_references),
        },
    )


def audit_read_record(*, sequences: Sequence[int], by: Actor) -> None:
    """Record that the caller read these audit events: the audit log holds patient references too."""
    audit_record(
        by=by, action=AuditAction.READ, event_type="audit_event.read", status=200, detail={"sequences": list(sequences)}
    )


# Repeats of one failed request are counted per minute; see failed_request_record.
REPEAT_WINDOW_SECONDS = 60


def failed_request_record(
    *, by: Actor, action: AuditAction, event_type: str, status: int, entity_type: str = "", entity_id: object = ""
) -> None:
    """Record a refused (or failed) request, each repeat of it sparingly.

    The same failure again (the same address, caller, event, status and entity) within the same minute is
    counted, and recorded only the 2nd, 4th, 8th, ... time, with the count so far in its detail (`repeat`):
    a flood of N identical refusals costs about log2(N) events, and the trail still says who probed what
    and how often, to within a factor of two. Counted in PostgreSQL, across instances (triage.counters).
    """
    same_refusal = repr((by.client_ip, by.kind, by.name, event_type, status, str(entity_id)))
    key = "refusal:" + hashlib.blake2b(same_refusal.encode(), digest_size=16).hexdigest()
    repeat = count_in_window(key, REPEAT_WINDOW_SECONDS, time.time())
    if repeat & (repeat - 1):  # not a power of two
        return
    audit_record(
        by=by,
        action=action,
        event_type=event_type,
        outcome="failure",
        status=status,
        entity_type=entity_type,
        entity_id=entity_id,
        detail={"repeat": repeat, "window_seconds": REPEAT_WINDOW_SECONDS} if repeat > 1 else None,
    )


def review_create(
    *,
    presentation: Presentation,
    status: str,
    disposition: str | None = None,
    note: str = "",
    reviewed_by: str = "",
    by: Actor,
    reviewer: AbstractBaseUser | ApiKey,
) -> Review:
    """Keep a new review and make its status the presentation's current one.

    `reviewer` is the Django user or API key who reviewed; `by` is the same party as an audit actor. The review's
    rules (triage.contract.ReviewDecision; with a key, ReviewInput: it names the person) hold here, whoever calls:
    InvalidBody otherwise, and nothing kept.
    """
    with_key = isinstance(reviewer, ApiKey)
    decision = {"status": status, "disposition": disposition or None, "note": note}
    if with_key:
        validated(ReviewInput, {**decision, "reviewed_by": reviewed_by})
    else:
        validated(ReviewDecision, decision)
    reviewer_field = {"reviewer_key": reviewer} if with_key else {"reviewer_user": reviewer}
    with transaction.atomic():
        review = Review.objects.create(
            presentation=presentation,
            status=status,
            disposition=disposition or "",
            note=note,
            reviewed_by=reviewed_by,
            reviewed_at=timezone.now(),
            **reviewer_field,
        )
        previous = presentation.review_status
        presentation.review_status = ReviewStatus(status)
        presentation.save(update_fields=["review_status"])
        # The disposition's code and whether a note was given, never the note's text; the person who decided.
        detail = {
            "review_id": str(review.id),
            "from_status": previous,
            "to_status": status,
            "disposition": disposition or "",
            "has_note": bool(note),
            "reviewed_by": reviewed_by,
        }
        _record_presentation_event(by, AuditAction.UPDATE, "presentation.review", 201, presentation, detail)
    return review


def api_key_create(*, name: str, role: Role | str, by: Actor) -> tuple[ApiKey, str]:
    """Create a key and return it with the raw secret, which is never stored and never shown again."""
    with transaction.atomic():
        api_key, raw_key = ApiKey.objects.create_key(name=name, role=Role(role))
        _record_key_event(api_key, AuditAction.CREATE, "api_key.create", by)
    return api_key, raw_key


def api_key_revoke(*, name: str, by: Actor) -> ApiKey:
    """Revoke the live key with this name; it fails at once on its next request."""
    with transaction.atomic():
        api_key = ApiKey.objects.select_for_update().get(name=name, revoked=False)
        api_key.revoked = True
        api_key.save(update_fields=["revoked"])
        _record_key_event(api_key, AuditAction.UPDATE, "api_key.revoke", by)
    return api_key


def privileges_record(
    *, entity_type: str, name: str, before: dict[str, Any] | None, after: dict[str, Any] | None, by: Actor
) -> None:
    """Record a change of who may do what: a Django user or group added or deleted, or what it grants changed.

    `entity_type` is "User" or "Group"; `before`/`after` are `selectors.user_privileges` or `group_privileges`
    (None: no such user or group). Nothing is written if they are equal.
    """
    if before == after:
        return
    if before is None:
        action, change = AuditAction.CREATE, "create"
    elif after is None:
        action, change = AuditAction.DELETE, "delete"
    else:
        action, change = AuditAction.UPDATE, "privileges"
    audit_record(
        by=by,
        action=action,
        event_type=f"{entity_type.lower()}.{change}",
        entity_type=entity_type,
        entity_id=name,
        detail={"before": before, "after": after},
    )


def _record_key_event(api_key: ApiKey, action: AuditAction, event_type: str, by: Actor) -> None:
    audit_record(
        by=by,
        action=action,
        event_type=event_type,
        entity_type="ApiKey",
        entity_id=api_key.prefix,
        detail={"name": api_key.name, "role": api_key.role},
    )
