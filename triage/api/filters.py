"""Query filters of the presentation list."""

import django_filters
from django.db.models import QuerySet

from triage.models import Presentation, ReviewStatus
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
