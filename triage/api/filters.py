"""Query filters of the presentation list and the audit log."""

from datetime import UTC, datetime

import django_filters
from django import forms
from django.db.models import QuerySet
from django_filters.fields import IsoDateTimeField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from triage.models import AuditAction, AuditEvent, Presentation, ReviewStatus
from triage.rules import Level


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


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.TypedChoiceFilter):
    """Exactly `true` or `false`: anything else is a 400, never silently ignored."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(choices=[("true", "true"), ("false", "false")], coerce=lambda value: value == "true", **kwargs)


@extend_schema_field({"type": "string", "minLength": 1, "pattern": "^[^\\u0000]*$"})
class TextFilter(django_filters.CharFilter):
    """An exact-match text filter. Refused (400): an empty value, and NUL, which PostgreSQL text cannot hold."""


class PresentationFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=[(level.code, level.code) for level in Level], method="filter_level")
    flagged = StrictBooleanFilter()
    review_status = django_filters.ChoiceFilter(choices=ReviewStatus.choices)
    received_after = UtcDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = UtcDateTimeFilter(field_name="received_at", lookup_expr="lt")

    class Meta:
        model = Presentation
        fields = ["level", "flagged", "review_status", "received_after", "received_before"]

    def filter_level(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(level=Level.from_code(value))


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
