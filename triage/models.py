"""Presentations, their assessments, and the API keys that send them."""

import uuid

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from rest_framework_api_key.models import AbstractAPIKey
from uuid_utils.compat import uuid7

from triage.rules import FLAGGED_LEVELS, Level


class Role(models.TextChoices):
    INTAKE = "intake", "Intake system"
    CLINICIAN = "clinician", "Clinician"
    AUDITOR = "auditor", "Auditor"


class ApiKey(AbstractAPIKey):
    """A machine client's key: random, shown once, stored as a SHA-512 hash, revocable."""

    role = models.CharField(max_length=16, choices=Role.choices)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "API key"
        verbose_name_plural = "API keys"
        # A name identifies one live key; revoked keys keep their name for the record.
        constraints = [
            models.UniqueConstraint(fields=["name"], condition=Q(revoked=False), name="apikey_unique_live_name")
        ]


LEVEL_CHOICES = [(level.value, level.code) for level in Level]


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    IN_REVIEW = "in_review", "In review"
    REVIEWED = "reviewed", "Reviewed"


class Presentation(models.Model):
    """A patient-reported twitch presentation, stored as submitted in the contract's canonical form.

    `payload` is the validated request body with every default written out (triage.contract); the typed
    columns beside it hold what the queue filters and sorts on, copied from the current assessment.
    """

    # Time-ordered (UUIDv7): each new row's key lands at the end of the primary key's index, and of the
    # assessments' index by presentation, not on a random page of it (ADR 0008).
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    # Not indexed alone: the unique (client, external_id) and the client's queue index both lead with it.
    client = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.PROTECT, related_name="presentations", db_index=False
    )
    external_id = models.CharField(max_length=64)
    patient_reference = models.CharField(max_length=64)
    age_years = models.PositiveSmallIntegerField()
    sex = models.CharField(max_length=8)
    payload = models.JSONField()
    received_at = models.DateTimeField()
    review_status = models.CharField(max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    current_assessment = models.OneToOneField(
        "Assessment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    level = models.PositiveSmallIntegerField(choices=LEVEL_CHOICES)
    flagged = models.BooleanField()
    score = models.PositiveSmallIntegerField()
    # Queue position as one ascending number (most urgent level first; then oldest first, by received_at), so
    # keyset pagination is a single row comparison on (queue_rank, received_at, id) over one index.
    queue_rank = models.PositiveSmallIntegerField()
    # The alerts' outbox: set in the transaction of a change that flags the case (intake, a raised re-assessment),
    # cleared by the worker's sweep when it fans the alert out to the endpoints (triage.alerts). No extra write.
    alert_due = models.BooleanField(default=False, db_default=False, editable=False)  # (COPY, raw SQL: false)

    class Meta:
        constraints = [
            # NULLS NOT DISTINCT: presentations loaded without a client are unique by external_id too.
            models.UniqueConstraint(
                fields=["client", "external_id"], name="presentation_unique_client_external_id", nulls_distinct=False
            ),
            models.CheckConstraint(condition=Q(score__lte=100), name="presentation_score_capped"),
        ]
        indexes = [
            # The clinician queue: most urgent first, then oldest, then id (rule set 2027.01: score does not order it).
            models.Index(fields=["queue_rank", "received_at", "id"], name="presentation_queue"),
            models.Index(fields=["client", "queue_rank", "received_at", "id"], name="presentation_client_queue"),
            models.Index(fields=["review_status", "received_at"], name="presentation_review_status"),
            models.Index(fields=["received_at"], name="presentation_received_at"),
            models.Index(fields=["patient_reference"], name="presentation_patient_ref"),
            # The queue's "pending emergency / urgent" counts read this small index only.
            models.Index(
                fields=["level"],
                condition=Q(review_status="pending", flagged=True),
                name="presentation_pending_flagged",
            ),
            # The worker's sweep reads the few cases whose alert is due, oldest first (ids are time-ordered).
            models.Index(fields=["id"], condition=Q(alert_due=True), name="presentation_alert_due"),
        ]

    def __str__(self) -> str:
        # Not the patient reference or external id: this titles the admin's case page (the browser's history keeps
        # titles), and text a client sent would sit there beside the breadcrumbs, unisolated.
        return f"Presentation {self.pk}"

    @staticmethod
    def queue_rank_for(level: Level) -> int:
        return Level.EMERGENCY - level


class Assessment(models.Model):
    """One scoring run of a presentation; never rewritten, re-scoring adds a new one."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)  # time-ordered, as a presentation's
    # Not indexed alone: assessment_by_presentation leads with it.
    presentation = models.ForeignKey(Presentation, on_delete=models.PROTECT, related_name="assessments", db_index=False)
    ruleset_version = models.CharField(max_length=16)
    level = models.PositiveSmallIntegerField(choices=LEVEL_CHOICES)
    flagged = models.BooleanField()
    score = models.PositiveSmallIntegerField()
    findings = models.JSONField()
    recommendations = models.JSONField()
    assessed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(score__lte=100), name="assessment_score_capped"),
            models.CheckConstraint(
                condition=Q(flagged=True, level__gte=Level.URGENT) | Q(flagged=False, level__lt=Level.URGENT),
                name="assessment_flagged_iff_urgent_or_above",
            ),
        ]
        indexes = [models.Index(fields=["presentation", "-assessed_at"], name="assessment_by_presentation")]

    def __str__(self) -> str:
        return f"{self.ruleset_version} {self.level_code} ({self.score})"

    @property
    def level_code(self) -> str:
        return Level(self.level).code


class Review(models.Model):
    """One clinician review of a presentation; every review is kept, the latest status is on the presentation."""

    class Status(models.TextChoices):
        IN_REVIEW = "in_review", "In review"
        REVIEWED = "reviewed", "Reviewed"

    class Disposition(models.TextChoices):
        """What the clinician did (api-contract.md); the catalogue lists them."""

        EMERGENCY_SERVICES_CALLED = "emergency_services_called", "Emergency services were called"
        ADVISED_EMERGENCY_SERVICES = "advised_emergency_services", "Advised to call emergency services now"
        SAME_DAY_ASSESSMENT_ARRANGED = "same_day_assessment_arranged", "Same-day assessment arranged"
        REFERRED_TO_SPECIALIST = "referred_to_specialist", "Referred to a specialist service"
        ROUTINE_APPOINTMENT_ARRANGED = "routine_appointment_arranged", "Routine appointment arranged"
        SELF_CARE_ADVICE_GIVEN = "self_care_advice_given", "Self-care advice and safety-netting given"
        ALREADY_RECEIVING_CARE = "already_receiving_care", "Already being assessed or treated elsewhere"
        UNABLE_TO_CONTACT = "unable_to_contact", "Could not be contacted (the note says what was done next)"
        NO_ACTION_NEEDED = "no_action_needed", "No clinical action needed (the note says why)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    presentation = models.ForeignKey(Presentation, on_delete=models.PROTECT, related_name="reviews")
    status = models.CharField(max_length=16, choices=Status.choices)
    disposition = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    reviewer_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    reviewer_key = models.ForeignKey(ApiKey, null=True, blank=True, on_delete=models.PROTECT)
    # The person who decided, named by a clinician's tool that records the review with its API key.
    reviewed_by = models.CharField(max_length=64, blank=True)
    reviewed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(reviewer_user__isnull=False) | Q(reviewer_key__isnull=False), name="review_has_reviewer"
            ),
        ]
        indexes = [models.Index(fields=["presentation", "-reviewed_at"], name="review_by_presentation")]

    def __str__(self) -> str:
        return f"{self.get_status_display()} by {self.reviewer_name}"

    @property
    def reviewer_name(self) -> str:
        if self.reviewer_user:
            return self.reviewer_user.get_username()
        return f"{self.reviewed_by} ({self.reviewer_key.name})" if self.reviewed_by else self.reviewer_key.name


class RuleSetRelease(models.Model):
    """A rule set version made active, by whose approval and on which impact report; never changed afterwards.

    The newest release is the active version: new presentations are scored under it (triage.rulesets).
    """

    version = models.CharField(max_length=16)
    previous_version = models.CharField(max_length=16, blank=True)
    approved_by = models.CharField(max_length=150, help_text="The clinical safety officer who signed it off.")
    impact_report_sha256 = models.CharField(max_length=64, blank=True)
    activated_at = models.DateTimeField()

    class Meta:
        # Newest first by id, not by the clock: a clock stepped back must not make an older release the active one.
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"Rule set {self.version}"


class AlertEvent(models.TextChoices):
    """What an alert endpoint can subscribe to."""

    FLAGGED = "presentation.flagged", "A presentation was assessed as urgent or emergency"
    ESCALATED = "presentation.escalated", "A flagged presentation is still pending past its threshold"


# The levels an alert endpoint can subscribe to: the flagged ones.
ALERT_LEVELS = tuple(level.code for level in FLAGGED_LEVELS)


class AlertEndpoint(models.Model):
    """A receiver of signed alerts (Standard Webhooks): an on-call system, a paging gateway, a chat bridge."""

    name = models.CharField(max_length=100, unique=True)
    url = models.URLField(max_length=500)
    # The signing secret (`whsec_` and base64): shown once when made or rotated, kept to sign every message.
    secret = models.CharField(max_length=100, editable=False)
    events = models.JSONField(help_text="Event types it receives: presentation.flagged, presentation.escalated.")
    levels = models.JSONField(help_text="Levels it receives: urgent, emergency.")
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Alert(models.Model):
    """One message to one endpoint, made by the worker when it fans out a change's alert (triage.alerts) and
    delivered by it. Its id is the message's `webhook-id`, the same on every attempt."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        DEAD = "dead", "Dead-lettered"

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    endpoint = models.ForeignKey(AlertEndpoint, null=True, on_delete=models.SET_NULL, related_name="alerts")
    presentation = models.ForeignKey(Presentation, on_delete=models.PROTECT, related_name="alerts")
    event_type = models.CharField(max_length=32, choices=AlertEvent.choices)
    body = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"], name="alert_by_status")]

    def __str__(self) -> str:
        return f"{self.event_type} to {self.endpoint or '(removed endpoint)'}: {self.get_status_display()}"


class AuditAction(models.TextChoices):
    """FHIR AuditEvent.action codes."""

    CREATE = "C", "Create"
    READ = "R", "Read"
    UPDATE = "U", "Update"
    DELETE = "D", "Delete"
    EXECUTE = "E", "Execute"


# Each action as a compliance officer reads an event: "read", not "R" (the labels stay FHIR's code names).
AUDIT_ACTION_WORDS = {
    AuditAction.CREATE: "created",
    AuditAction.READ: "read",
    AuditAction.UPDATE: "updated",
    AuditAction.DELETE: "deleted",
    AuditAction.EXECUTE: "executed",
}


class AuditEvent(models.Model):
    """One append-only, hash-chained audit record, shaped after FHIR AuditEvent.

    Ids, codes and levels only: never clinical content or free text. No foreign
    keys: the record outlives and never depends on the rows it describes.
    """

    sequence = models.BigIntegerField(unique=True, editable=False)
    recorded = models.DateTimeField(editable=False)
    action = models.CharField(max_length=1, choices=AuditAction.choices)
    event_type = models.CharField(max_length=64)
    outcome = models.CharField(max_length=8, choices=[("success", "success"), ("failure", "failure")])
    status = models.PositiveSmallIntegerField(null=True, blank=True, help_text="HTTP status, where there was one")
    agent_type = models.CharField(max_length=16)
    agent_name = models.CharField(max_length=150, blank=True)
    agent_role = models.CharField(max_length=64, blank=True)
    # Text, not inet: the chain hashes exactly what was written, so nothing may normalise it on the way back.
    client_ip = models.CharField(max_length=45, blank=True)
    user_agent = models.CharField(max_length=256, blank=True)
    entity_type = models.CharField(max_length=32, blank=True)
    entity_id = models.CharField(max_length=64, blank=True)
    patient_reference = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=128, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)  # unique: a constraint, so no LIKE index beside it

    class Meta:
        ordering = ["-sequence"]
        constraints = [models.UniqueConstraint(fields=["hash"], name="audit_unique_hash")]
        indexes = [
            models.Index(fields=["recorded"], name="audit_recorded"),
            models.Index(fields=["entity_id", "sequence"], name="audit_entity"),
            models.Index(fields=["patient_reference", "sequence"], name="audit_patient"),
            models.Index(fields=["agent_name", "sequence"], name="audit_agent"),
        ]
        triggers = [
            # History cannot be changed: not by the app, the admin, a shell or a bulk queryset call.
            pgtrigger.Protect(name="audit_no_update_or_delete", operation=pgtrigger.Update | pgtrigger.Delete),
            pgtrigger.Trigger(
                name="audit_no_truncate",
                operation=pgtrigger.Truncate,
                level=pgtrigger.Statement,
                when=pgtrigger.Before,
                func="RAISE EXCEPTION 'pgtrigger: Cannot truncate % table', TG_TABLE_NAME;",
            ),
        ]

    def __str__(self) -> str:
        words = self.action_in_words()
        if self.outcome != "success":  # a refusal says so, with its HTTP status where there was one
            words += f", {self.outcome} {self.status or ''}".rstrip()
        return f"Audit event {self.sequence}: {self.event_type} ({words})"

    def action_in_words(self) -> str:
        """The action in plain words: "created", "read", "updated", "deleted" or "executed"."""
        return AUDIT_ACTION_WORDS[AuditAction(self.action)]


class RateCounter(models.Model):
    """A count in a fixed time window, shared by every app instance (triage.counters): UNLOGGED, so a crash
    empties it (migration 0019) and limits start afresh."""

    key = models.TextField(primary_key=True)
    window_start = models.BigIntegerField()
    count = models.IntegerField()
    ends_at = models.DateTimeField()

    class Meta:
        db_table = "triage_rate_counter"

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
