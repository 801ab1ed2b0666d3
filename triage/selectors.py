"""Reads: the rule catalogue, the clinician queue and case page, API keys and users' privileges."""

import uuid
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Count, F, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from triage.evidence import passages
from triage.models import ApiKey, Assessment, AuditAction, AuditEvent, Presentation, Review, ReviewStatus, Role
from triage.rules import RULESETS, Level
from triage.rules.measurements import MEASUREMENT_TITLES
from triage.rules.vocabulary import (
    FLAG_PHRASES,
    HISTORY,
    LEVEL_CODES,
    LOCATIONS,
    RECOMMENDATIONS,
    SYMPTOM_ONSETS,
    SYMPTOMS,
)


def _coded(titles: dict[str, str], codes: tuple[str, ...]) -> list[dict[str, str]]:
    return [{"code": code, "title": titles[code]} for code in codes]


def rule_catalogue(version: str) -> dict[str, Any]:
    """One rule set version as the API returns it: rules with their source passages' text, and its code lists."""
    text = passages()
    ruleset = RULESETS[version]
    return {
        "ruleset_version": ruleset.version,
        "levels": [level.code for level in Level],
        "rules": [
            {
                "code": rule.code,
                "title": rule.title,
                "description": rule.description,
                "category": rule.category,
                "level": rule.level.code,
                "points": rule.points,
                "recommendations": list(rule.recommendations),
                "sources": [{"id": source, "text": text[source]} for source in rule.sources],
            }
            for rule in ruleset.rules
        ],
        "recommendations": _coded(RECOMMENDATIONS, ruleset.recommendations),
        "vocabularies": {
            "symptoms": _coded(SYMPTOMS, ruleset.symptoms),
            "history": _coded(HISTORY, ruleset.history),
            "locations": _coded(LOCATIONS, ruleset.locations),
            "context": [{"code": code, "title": FLAG_PHRASES[code].capitalize()} for code in ruleset.context],
            "dispositions": [{"code": code, "title": title} for code, title in Review.Disposition.choices],
        },
    }


def presentation_list(*, client: ApiKey | None) -> QuerySet[Presentation]:
    """Presentations the caller may see, with their current assessment: an intake client's own only."""
    presentations = Presentation.objects.select_related("current_assessment")
    return presentations if client is None else presentations.filter(client=client)


QueuePosition = tuple[int, datetime, uuid.UUID]  # queue_rank, received_at, id: where a page ends


class QueueRow(NamedTuple):
    """A presentation in the queue: its position, and itself as the API shows it, as JSON text."""

    queue_rank: int
    received_at: datetime
    id: uuid.UUID
    shown: str


def presentation_queue(
    *,
    client: ApiKey | None,
    limit: int,
    after: QueuePosition | None = None,
    level: str | None = None,
    flagged: bool | None = None,
    review_status: str | None = None,
    received_after: datetime | None = None,
    received_before: datetime | None = None,
) -> list[QueueRow]:
    """Up to `limit` presentations in queue order, after the position `after`, narrowed by each filter given.

    A written-out statement (ADR 0011): PostgreSQL writes each presentation as the API shows it, which
    `representations.Presentation` then validates, where model instances and their JSON decoded in Python
    cost a page twice the time.
    """
    conditions, params = [], []
    for condition, value in (
        ("p.client_id = %s", client.pk if client is not None else None),
        ("p.level = %s", int(Level.from_code(level)) if level is not None else None),
        ("p.review_status = %s", review_status),
        ("p.received_at >= %s", received_after),
        ("p.received_at < %s", received_before),
    ):
        if value is not None:
            conditions.append(condition)
            params.append(value)
    if flagged is not None:
        conditions.append("p.flagged" if flagged else "NOT p.flagged")
    if after is not None:
        conditions.append("(p.queue_rank, p.received_at, p.id) > (%s, %s, %s)")  # one row comparison: the index's
        params += after
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    with connection.cursor() as cursor:
        cursor.execute(f"{QUEUE_ROWS} {where} ORDER BY p.queue_rank, p.received_at, p.id LIMIT %s", [*params, limit])
        return [QueueRow._make(row) for row in cursor.fetchall()]


# A presentation as the API shows it: the stored body, with its id, status and current assessment (the level by
# its code). Table names are the models', the level codes the vocabulary's; every value is a parameter.
QUEUE_ROWS = f"""
    SELECT p.queue_rank, p.received_at, p.id, (p.payload || jsonb_build_object(
        'id', p.id, 'received_at', p.received_at, 'review_status', p.review_status,
        'assessment', jsonb_build_object(
            'id', a.id, 'level', (ARRAY[{", ".join(f"'{code}'" for code in LEVEL_CODES.values())}])[a.level + 1],
            'flagged', a.flagged, 'score', a.score, 'ruleset_version', a.ruleset_version,
            'assessed_at', a.assessed_at, 'findings', a.findings, 'recommendations', a.recommendations)))::text
    FROM {Presentation._meta.db_table} p LEFT JOIN {Assessment._meta.db_table} a ON a.id = p.current_assessment_id
"""  # noqa: S608


def presentation_get(*, presentation_id: uuid.UUID, client: ApiKey | None) -> Presentation:
    """One presentation the caller may see; Presentation.DoesNotExist otherwise, so ids cannot be probed."""
    return presentation_list(client=client).get(pk=presentation_id)


def presentation_list_stale(*, ruleset_version: str) -> QuerySet[Presentation]:
    """Presentations whose current assessment was made under another rule set than `ruleset_version`."""
    return Presentation.objects.exclude(current_assessment__ruleset_version=ruleset_version)


def review_queue() -> QuerySet[Presentation]:
    """The admin queue: presentations in queue order with their assessment and latest reviewer, in one query."""
    latest_reviewer = Review.objects.filter(presentation=OuterRef("pk")).order_by("-reviewed_at")
    latest_reviewer = latest_reviewer.values(name=Coalesce(F("reviewer_user__username"), F("reviewer_key__name")))[:1]
    return (
        Presentation.objects.select_related("current_assessment")
        .annotate(last_reviewer=Subquery(latest_reviewer))
        .order_by("queue_rank", "received_at", "id")
    )


def pending_flagged_counts() -> dict[str, int]:
    """How many emergency and urgent presentations still wait for review."""
    pending = Presentation.objects.filter(review_status=ReviewStatus.PENDING, flagged=True)
    return pending.aggregate(
        emergency=Count("pk", filter=Q(level=Level.EMERGENCY)), urgent=Count("pk", filter=Q(level=Level.URGENT))
    )


# A case is stamped when its request arrives and committed after the audit chain's lock: one stamped just before a
# queue page was made may be committed after its read. Counted as new rather than missed.
ARRIVALS_MARGIN = timedelta(seconds=5)


def queue_arrivals(since: datetime) -> dict[str, int]:
    """Cases pending review received since `since` (less ARRIVALS_MARGIN), by level: counts only, for the queue's
    notice that new cases arrived. Not those a re-assessment re-scored (every case in a batch is): a raised one is
    alerted instead."""
    pending = Presentation.objects.filter(review_status=ReviewStatus.PENDING, received_at__gt=since - ARRIVALS_MARGIN)
    return pending.aggregate(
        total=Count("pk"),
        emergency=Count("pk", filter=Q(level=Level.EMERGENCY)),
        urgent=Count("pk", filter=Q(level=Level.URGENT)),
    )


def presentation_case(presentation: Presentation) -> dict[str, Any]:
    """Everything the case page shows, in the clinic's words: the submission, the assessment, reviews, audit."""
    submitted = presentation.payload
    assessment = presentation.current_assessment
    text = passages()
    twitch = submitted["twitch"]
    return {
        "submitted": submitted,
        "locations": [LOCATIONS[code] for code in twitch["locations"]],
        # Every yes/no answer of the contract that is yes (a new one without a phrase fails loudly, not silently).
        "twitch_flags": [FLAG_PHRASES[name] for name, given in twitch.items() if given is True],
        "context_flags": [FLAG_PHRASES[name] for name, given in submitted["context"].items() if given],
        "symptoms": [
            {"title": SYMPTOMS[s["code"]], "onset": SYMPTOM_ONSETS[s["onset"]], "resolved": s["resolved"]}
            for s in submitted["symptoms"]
        ],
        "history": [HISTORY[code] for code in submitted["history"]],
        "measurements": [
            {"title": MEASUREMENT_TITLES[name], **values} for name, values in submitted["measurements"].items()
        ],
        "assessment": assessment,
        "findings": [
            {**finding, "passages": [{"id": source, "text": text[source]} for source in finding["sources"]]}
            for finding in assessment.findings
        ],
        "recommendations": [RECOMMENDATIONS[code] for code in assessment.recommendations],
        "reviews": presentation.reviews.select_related("reviewer_user", "reviewer_key").order_by("-reviewed_at"),
        "audit_events": AuditEvent.objects.filter(entity_id=str(presentation.id)).order_by("-sequence"),  # newest first
    }


def audit_events_naming(patient_reference: str) -> Q:
    """Audit events that name a patient, by the exact reference: an event about one of their presentations (its
    patient_reference), or a page of presentations that showed one (the references a list event's detail holds)."""
    return Q(patient_reference=patient_reference) | Q(detail__patient_references__contains=[patient_reference])


def audit_reads_showing(patient_reference: str) -> Q:
    """The successful reads that showed a patient: case pages, API reads and retries, queue and list pages."""
    successful_reads = Q(action=AuditAction.READ, outcome="success", entity_type="Presentation")
    return successful_reads & audit_events_naming(patient_reference)


def audit_patient_viewers(*, patient_reference: str, limit: int = 100) -> list[dict[str, Any]]:
    """Who saw a patient: each agent (type, name, role) with how many reads showed them, first and last, the most
    recent first; at most `limit` agents."""
    reads = AuditEvent.objects.filter(audit_reads_showing(patient_reference))
    agents = reads.values("agent_type", "agent_name", "agent_role")
    summary = agents.annotate(reads=Count("pk"), first=Min("recorded"), last=Max("recorded")).order_by("-last")
    return list(summary[:limit])


# Intake is for machine clients: a Django user can hold the clinician and auditor roles only.
USER_ROLES = (Role.CLINICIAN, Role.AUDITOR)


def user_roles(user: Any) -> frozenset[str]:
    """The roles a Django user holds (their groups of those names), read once per user object: a request's."""
    if not hasattr(user, "_triage_roles"):
        user._triage_roles = _role_names(user)
    return user._triage_roles


def _role_names(user: Any) -> frozenset[str]:
    return frozenset(user.groups.filter(name__in=USER_ROLES).values_list("name", flat=True))


def user_privileges(user: Any) -> dict[str, Any]:
    """What a Django user may do here, as stored now: roles, flags and permissions given to them directly."""
    return {
        "roles": sorted(_role_names(user)),
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "permissions": _permission_names(user.user_permissions),
    }


def group_privileges(group: Group) -> dict[str, Any]:
    """What a group gives its members, as stored now: its name (a role's, if it is one) and its permissions."""
    return {
        "name": group.name,
        "permissions": _permission_names(group.permissions),
        "members": sorted(group.user_set.values_list("username", flat=True)),
    }


def _permission_names(permissions: Any) -> list[str]:
    return sorted(
        f"{app}.{codename}" for app, codename in permissions.values_list("content_type__app_label", "codename")
    )


def alert_delivery_status() -> dict[str, Any]:
    """For the queue's header: when a worker last reported, and the oldest alert not yet delivered (counting the
    flagged cases whose alert the worker has not yet swept out to the endpoints)."""
    from procrastinate.contrib.django.models import ProcrastinateWorker

    from triage.models import Alert

    waiting, dead = Q(status=Alert.Status.PENDING), Q(status=Alert.Status.DEAD)
    counts = Alert.objects.aggregate(
        undelivered=Count("pk", filter=waiting), dead=Count("pk", filter=dead), oldest=Min("created_at", filter=waiting)
    )
    due = Presentation.objects.filter(alert_due=True, flagged=True).aggregate(
        count=Count("pk"),
        oldest=Min("current_assessment__assessed_at"),  # when it became due
    )
    return {
        "last_heartbeat": ProcrastinateWorker.objects.aggregate(last=Max("last_heartbeat"))["last"],
        "oldest_undelivered": min(filter(None, (counts["oldest"], due["oldest"])), default=None),
        "undelivered": counts["undelivered"] + due["count"],
        "dead": counts["dead"],
    }
