"""Django admin: presentations and assessments read-only, the audit log read-only; every page open audited."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from rest_framework_api_key.models import APIKey

from triage import services
from triage.audit import actor_for
from triage.models import Assessment, AuditEvent, Presentation

admin.site.unregister(APIKey)  # the library's own key model is unused: keys are triage.ApiKey


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
    ordering = ["queue_rank", "received_at", "id"]
    show_full_result_count = False
    readonly_fields = ["audit_history"]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            services.presentation_list_record(
                presentations=list(changelist.result_list),
                by=actor_for(request, user=request.user),
                event_type="presentation.admin_list",
            )
        return response

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None):
        response = super().change_view(request, object_id, form_url, extra_context)
        presentation = getattr(response, "context_data", {}).get("original")
        if presentation is not None:
            services.presentation_read_record(presentation=presentation, by=actor_for(request, user=request.user))
        return response

    @admin.display(description="Audit history")
    def audit_history(self, presentation: Presentation) -> SafeString:
        events = AuditEvent.objects.filter(entity_id=str(presentation.id)).order_by("sequence")
        return render_to_string("triage/admin/audit_history.html", {"events": events})


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["assessed_at", "presentation", "ruleset_version", "level", "score", "flagged"]
    list_filter = ["ruleset_version", "level", "flagged"]
    list_select_related = ["presentation"]
    show_full_result_count = False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = [
        "sequence", "recorded", "action", "event_type", "outcome", "status", "agent_name", "agent_role",
        "entity_type", "entity_id",
    ]  # fmt: skip
    list_filter = ["action", "outcome", "event_type", "agent_type", "recorded"]
    search_fields = ["entity_id", "patient_reference", "agent_name", "request_id"]
    show_full_result_count = False

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None):
        response = super().change_view(request, object_id, form_url, extra_context)
        event = getattr(response, "context_data", {}).get("original")
        if event is not None:
            services.audit_read_record(sequences=[event.sequence], by=actor_for(request, user=request.user))
        return response
