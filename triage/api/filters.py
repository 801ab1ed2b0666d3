"""Query filters of the presentation list and the audit log."""

import django_filters
from django.db.models import QuerySet

from triage.models import AuditAction, AuditEvent, Presentation, ReviewStatus
from triage.rules import Level


class PresentationFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=[(level.code, level.code) for level in Level], method="filter_level")
    # Exactly "true" or "false": anything else is a 400, never silently ignored.
    flagged = django_filters.TypedChoiceFilter(
        choices=[("true", "true"), ("false", "false")], coerce=lambda value: value == "true"
    )
    review_status = django_filters.ChoiceFilter(choices=ReviewStatus.choices)
    received_after = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="lt")

    class Meta:
        model = Presentation
        fields = ["level", "flagged", "review_status", "received_after", "received_before"]

    def filter_level(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(level=Level.from_code(value))


class AuditEventFilter(django_filters.FilterSet):
    recorded_after = django_filters.IsoDateTimeFilter(field_name="recorded", lookup_expr="gte")
    recorded_before = django_filters.IsoDateTimeFilter(field_name="recorded", lookup_expr="lt")
    action = django_filters.ChoiceFilter(choices=AuditAction.choices)
    agent = django_filters.CharFilter(field_name="agent_name")
    entity_id = django_filters.CharFilter()
    patient_reference = django_filters.CharFilter()
    outcome = django_filters.ChoiceFilter(choices=[("success", "success"), ("failure", "failure")])
    event_type = django_filters.CharFilter()

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
