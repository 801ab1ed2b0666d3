"""Query filters of the audit log."""

from datetime import UTC, datetime

import django_filters
from django import forms
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import extend_schema_field

from triage.models import AuditAction, AuditEvent


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 time with any offset, compared in UTC (PostgreSQL refuses offsets beyond ±15:59)."""

    def to_python(self, value: str | None) -> datetime | None:
        moment = super().to_python(value)
        try:
            return moment.astimezone(UTC) if moment is not None else None
        except OverflowError as exc:
            raise forms.ValidationError("Out of range.") from exc


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


@extend_schema_field({"type": "string", "minLength": 1, "pattern": "^[^\\u0000]*$"})
class TextFilter(django_filters.CharFilter):
    """An exact-match text filter. Refused (400): an empty value, and NUL, which PostgreSQL text cannot hold."""


class AuditEventFilter(django_filters.FilterSet):
    recorded_after = UtcDateTimeFilter(field_name="recorded", lookup_expr="gte")
    recorded_before = UtcDateTimeFilter(field_name="recorded", lookup_expr="lt")
    action = django_filters.ChoiceFilter(choices=AuditAction.choices)
    agent = TextFilter(field_name="agent_name")
    entity_id = TextFilter()
    patient_reference = TextFilter()
    outcome = django_filters.ChoiceFilter(choices=[("success", "success"), ("failure", "failure")])
    event_type = TextFilter()

    class Meta:
        model = AuditEvent
        fields = [
            "recorded_after",
            "recorded_before",
            "action",
            "agent",
            "entity_id",
            "patient_reference",
            "outcome",
            "event_type",
        ]
