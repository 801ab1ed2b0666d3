"""Django admin: presentations and assessments, read-only."""

from django.contrib import admin
from django.http import HttpRequest

from triage.models import Assessment, Presentation


class ReadOnlyAdmin(admin.ModelAdmin):
    """Nothing the patient submitted or the engine concluded is edited through the admin."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Presentation)
class PresentationAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "external_id", "level", "score", "flagged", "age_years", "sex", "review_status"]
    list_filter = ["level", "flagged", "review_status"]
    search_fields = ["external_id", "patient_reference"]
    ordering = ["-level", "-score", "received_at"]
    show_full_result_count = False


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["assessed_at", "presentation", "ruleset_version", "level", "score", "flagged"]
    list_filter = ["ruleset_version", "level", "flagged"]
    list_select_related = ["presentation"]
    show_full_result_count = False
