"""The v1 API's smaller shapes: query filters, the review form, audit events and problem details.

Input serializers validate strictly (unknown fields and codes are 400s). Class names become the schema's
component names.
"""

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

from triage.api.fields import (
    CodeField,
    QueryBooleanField,
    QueryDateTimeField,
    StrictCharField,
)
from triage.models import AuditEvent, Review, ReviewStatus
from triage.rules.vocabulary import (
    LEVEL_CODES,
)

NON_FIELD_ERRORS = serializers.api_settings.NON_FIELD_ERRORS_KEY
LEVELS = list(LEVEL_CODES.values())  # the level codes, least urgent first


class StrictSerializer(serializers.Serializer):
    # Rejects fields it does not know, alongside every other error in the same body.
    # (A comment, not a docstring: the schema would show a docstring on every subclass.)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, Mapping):
            raise serializers.ValidationError({serializers.api_settings.NON_FIELD_ERRORS_KEY: ["Must be an object."]})
        errors: dict[str, Any] = {}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            errors = dict(exc.detail)
        errors.update({name: ["Unknown field."] for name in data if name not in self.fields})
        if errors:
            raise serializers.ValidationError(errors)
        return value


# --- input ------------------------------------------------------------------------
# (A presentation's contract is triage.contract.)


class PresentationQuerySerializer(serializers.Serializer):
    # The queue's filters, as query parameters; each one given narrows the list.
    level = serializers.ChoiceField(choices=LEVELS, required=False)
    flagged = QueryBooleanField(required=False)
    review_status = serializers.ChoiceField(choices=ReviewStatus.choices, required=False)
    received_after = QueryDateTimeField(required=False, help_text="Received at or after this time.")
    received_before = QueryDateTimeField(required=False, help_text="Received before this time, not at it.")


class ReviewInputSerializer(StrictSerializer):
    status = CodeField(choices=Review.Status.choices)
    disposition = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    note = StrictCharField(max_length=2000, required=False, allow_blank=True, default="", allow_line_breaks=True)


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
