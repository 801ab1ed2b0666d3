"""The v1 API's smaller shapes: the queue's query filters, audit events and problem details.

Class names become the schema's component names.
"""

from rest_framework import serializers

from triage.api.fields import (
    QueryBooleanField,
    QueryDateTimeField,
)
from triage.models import AuditEvent, ReviewStatus
from triage.rules import RULESETS
from triage.rules.vocabulary import LEVEL_CODES

LEVELS = list(LEVEL_CODES.values())  # the level codes, least urgent first


# --- input ------------------------------------------------------------------------
# (Request bodies are triage.contract's.)


class PresentationQuerySerializer(serializers.Serializer):
    # The queue's filters, as query parameters; each one given narrows the list.
    level = serializers.ChoiceField(choices=LEVELS, required=False)
    flagged = QueryBooleanField(required=False)
    review_status = serializers.ChoiceField(choices=ReviewStatus.choices, required=False)
    received_after = QueryDateTimeField(required=False, help_text="Received at or after this time.")
    received_before = QueryDateTimeField(required=False, help_text="Received before this time, not at it.")


class RuleCatalogueQuerySerializer(serializers.Serializer):
    version = serializers.ChoiceField(
        choices=list(RULESETS), required=False, help_text="A rule set version; the active one when not given."
    )


# --- output -----------------------------------------------------------------------
# (Presentations, reviews and the rule catalogue are shown by triage.api.representations.)


class AuditEventSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="sequence", help_text="The event's sequence number in the chain.")

    class Meta:
        model = AuditEvent
        fields = [
            "id", "recorded", "action", "event_type", "outcome", "status", "agent_type", "agent_name", "agent_role",
            "client_ip", "user_agent", "entity_type", "entity_id", "patient_reference", "request_id", "detail",
            "prev_hash", "hash",
        ]  # fmt: skip


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="Dotted path of the bad field, e.g. `symptoms.0.onset`.")
    message = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()


class ValidationProblemSerializer(ProblemSerializer):
    errors = FieldErrorSerializer(many=True)
