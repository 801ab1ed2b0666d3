"""Django admin as the clinicians' review queue, and the auditors' read-only audit log.

Nothing the patient submitted or the engine concluded can be added, edited or
deleted here; reviews go through services.review_create, and every page open
writes its audit event.
"""

import json
from datetime import UTC, datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q, QuerySet, Value
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import path, reverse
from django.utils import dateformat, timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from rest_framework_api_key.models import APIKey

from triage import alert_endpoints, alerts, rulesets, selectors, services, waiting
from triage.audit import actor_for, event_hash
from triage.contract import InvalidBody, ReviewDecision, validated
from triage.models import (
    ALERT_LEVELS,
    Alert,
    AlertEndpoint,
    AlertEvent,
    AuditEvent,
    Presentation,
    Review,
    RuleSetRelease,
)
from triage.rules import FLAGGED_LEVELS, RULESET_VERSIONS, Level
from triage.text import has_refused_characters

admin.site.unregister(APIKey)  # the library's own key model is unused: keys are triage.ApiKey
admin.site.unregister(get_user_model())
admin.site.unregister(Group)
admin.site.site_header = "twitch-triage"
admin.site.site_title = "twitch-triage"
admin.site.index_title = "Review queue and audit log"
admin.site.enable_nav_sidebar = False  # the queue needs the width
admin.site.site_url = None  # no "View site" link: outside the admin the service is an API

# The findings that count as red flags: urgent and emergency ones, as the engine flags a case (routine ones do not).
RED_FLAG_LEVELS = {level.code for level in FLAGGED_LEVELS}


class CappedCountPaginator(Paginator):
    """Counts at most `cap` rows, so a page of a huge queue never scans the whole table to number its pages."""

    cap = 10_000

    @cached_property
    def count(self) -> int:
        # values("pk") leaves the queue's per-row annotations out of the count.
        return self.object_list.values("pk").order_by()[: self.cap].count()


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable by those with the view permission; never added to, changed or deleted through the admin."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        # Nothing is ever changed here, so there is no history to show; the page would only title
        # the object (a patient reference) outside the audited case page.
        raise Http404


class ReviewForm(forms.Form):
    """The API's review (triage.contract.ReviewDecision) as an HTML form; the contract decides what is valid."""

    status = forms.ChoiceField(choices=Review.Status.choices)
    disposition = forms.ChoiceField(choices=[("", "(none yet)"), *Review.Disposition.choices], required=False)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self) -> dict[str, Any]:
        given = {name: value for name, value in super().clean().items() if value != "" or name == "note"}
        try:
            return validated(ReviewDecision, given).model_dump()
        except InvalidBody as exc:
            for error in exc.errors:
                self.add_error(str(error["loc"][0]) if error["loc"] else None, error["msg"])
            return {}


def level_title(level: int) -> str:
    """A level as every page shows it ("Self care"): in badges, red flags and filters alike, never its code."""
    return Level(level).title


def level_badge(level: int) -> str:
    return format_html('<span class="level-badge level-{}">{}</span>', Level(level).code, level_title(level))


def printable(text: str) -> str:
    """Text a client sent, fit for where no <bdi> can isolate it (a page's <title>): each control or invisible
    formatting character (refused now, kept in rows stored before) shown as U+FFFD."""
    return "".join("\ufffd" if has_refused_characters(char) else char for char in text)


def red_flags_in_words(findings: list[dict[str, Any]]) -> str:
    """The urgent and emergency findings, each with its level in words (not told by colour alone), or "-"."""
    flags = [
        (finding["level"], level_title(Level.from_code(finding["level"])), finding["title"])
        for finding in findings
        if finding["level"] in RED_FLAG_LEVELS
    ]
    return format_html_join("; ", '<span class="flag flag-{}">{}: {}</span>', flags) or "-"


class LevelFilter(admin.SimpleListFilter):
    """The levels by their titles, most urgent first (the field's choices are the API's codes)."""

    title = "level"
    parameter_name = "level__exact"  # the field's own lookup, which links to the filtered queue have always used

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(str(level.value), level_title(level)) for level in sorted(Level, reverse=True)]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in {str(level.value) for level in Level}:
            return queryset.filter(level=self.value())
        return queryset


class RulesetVersionFilter(admin.SimpleListFilter):
    title = "rule set version"
    parameter_name = "ruleset"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        # The versions the engine has had, not a DISTINCT over millions of assessments.
        return [(version, version) for version in RULESET_VERSIONS]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value():
            return queryset.filter(current_assessment__ruleset_version=self.value())
        return queryset


@admin.register(Presentation)
class PresentationAdmin(ReadOnlyAdmin):
    change_list_template = "triage/admin/queue.html"
    change_form_template = "triage/admin/case.html"
    # Each value in its own cell (each cell its own bidirectional paragraph), text a client sent isolated in <bdi>:
    # no value can reorder its neighbours.
    list_display = [
        "case", "age", "sex", "received_at", "waiting", "last_known_well", "score", "red_flags", "review_status",
        "reviewer",
    ]  # fmt: skip
    list_display_links = ["case"]
    list_filter = [LevelFilter, "flagged", "review_status", RulesetVersionFilter, "received_at"]
    # By the start of a reference or external id, any case ("pt-10" finds pt-1042): a clinician types what they see.
    search_fields = ["^external_id", "^patient_reference"]
    search_help_text = "Patient reference or external id, or their beginning."
    list_per_page = 50
    list_max_show_all = 200
    paginator = CappedCountPaginator
    show_full_result_count = False
    audit_history_per_page = 25

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return selectors.review_queue()

    @admin.display(description="Case", ordering="queue_rank")
    def case(self, presentation: Presentation) -> str:
        # The row's one link, named by what tells the case apart ("Emergency pt-8f3a": 50 links a screen reader can
        # tell apart); the reference last, beside the age, each in its own cell. Its read is recorded with the page's.
        return format_html("{} <bdi>{}</bdi>", level_badge(presentation.level), presentation.patient_reference)

    @admin.display(description="Waiting")
    def waiting(self, presentation: Presentation) -> str:
        # In words, not colour alone: a case past its level's threshold says so (screen readers, colour blindness).
        now = timezone.now()
        wait = waiting.waited(presentation, now)
        if wait is None:
            return "-"
        if waiting.overdue(presentation, now):
            threshold = waiting.in_words(waiting.escalation_threshold(presentation.level))
            return format_html('<strong class="overdue">{} (past {})</strong>', waiting.in_words(wait), threshold)
        return waiting.in_words(wait)

    @admin.display(description="Last known well")
    def last_known_well(self, presentation: Presentation) -> str:
        # As submitted (an RFC 3339 time with the form's own offset): stroke and TIA timing is judged from it.
        return presentation.payload.get("last_known_well") or "-"

    @admin.display(description="Age", ordering="age_years")
    def age(self, presentation: Presentation) -> int:
        return presentation.age_years

    @admin.display(description="Red flags")
    def red_flags(self, presentation: Presentation) -> str:
        return red_flags_in_words(presentation.current_assessment.findings if presentation.current_assessment else [])

    @admin.display(description="Reviewer")
    def reviewer(self, presentation: Presentation) -> str:
        return format_html("<bdi>{}</bdi>", presentation.last_reviewer) if presentation.last_reviewer else "-"

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        extra_context = {
            **(extra_context or {}),
            "title": "Review queue",
            "pending": selectors.pending_flagged_counts(),
            # Each count opens the cases it counts.
            "pending_urls": {
                level.code: f"?{LevelFilter.parameter_name}={level.value}&review_status__exact=pending"
                for level in (Level.EMERGENCY, Level.URGENT)
            },
            "release": (release := rulesets.active_release()),
            "active_version": release.version if release else rulesets.active_version(),
            "alerting": selectors.alert_delivery_status(),
            "rendered_at": timezone.now(),  # the queue's notice counts the cases that arrive after this
            "arrivals_url": reverse("admin:triage_presentation_arrivals"),
            "arrivals_poll_seconds": settings.QUEUE_ARRIVALS_POLL_SECONDS,
        }
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            services.presentation_list_record(
                presentation_ids=[presentation.pk for presentation in changelist.result_list],
                patient_references=[presentation.patient_reference for presentation in changelist.result_list],
                by=actor_for(request, user=request.user),
                event_type="presentation.admin_list",
            )
        return response

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        presentation = self.get_object(request, object_id)
        if presentation is not None and self.has_view_permission(request, presentation):
            case = selectors.presentation_case(presentation)
            extra_context = {
                **(extra_context or {}),
                # The page is named by the patient reference: isolated in <bdi> on the page, shown printable in the
                # browser's title bar and history, where nothing can isolate it.
                "title": f"Case {printable(presentation.patient_reference)}",
                "subtitle": None,
                "case": case,
                "badge": level_badge(presentation.level),
                "red_flags": red_flags_in_words(case["findings"]),
                "findings": [
                    {**finding, "badge": level_badge(Level.from_code(finding["level"]))} for finding in case["findings"]
                ],
                "review_form": ReviewForm() if request.user.has_perm("triage.add_review") else None,
                "review_url": reverse("admin:triage_presentation_review", args=[presentation.pk]),
            }
        response = super().change_view(request, object_id, form_url, extra_context)
        if presentation is not None and response.status_code == 200:
            services.presentation_read_record(presentation=presentation, by=actor_for(request, user=request.user))
            # The history as it now stands, this read included: a page of it, however long it grows (a flood of
            # refused probes for the id, say).
            history = Paginator(response.context_data["case"]["audit_events"], self.audit_history_per_page)
            response.context_data["audit_page"] = history.get_page(request.GET.get("audit_page"))
        return response

    def get_urls(self) -> list:
        review = path(
            "<path:object_id>/review/", self.admin_site.admin_view(self.review_view), name="triage_presentation_review"
        )
        arrivals = path(
            "arrivals/", self.admin_site.admin_view(self.arrivals_view), name="triage_presentation_arrivals"
        )
        return [review, arrivals, *super().get_urls()]

    def arrivals_view(self, request: HttpRequest) -> JsonResponse:
        """How many cases arrived since the queue page was made (counts only: no patient is shown, nothing read)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            since = datetime.fromisoformat(request.GET["since"])
        except (KeyError, ValueError):
            return JsonResponse({"detail": "since: an ISO 8601 time is required."}, status=400)
        if since.tzinfo is None:
            return JsonResponse({"detail": "since: the time needs its offset."}, status=400)
        return JsonResponse(selectors.queue_arrivals(since))

    def review_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Record a review from the case page: POST only, with the add_review permission."""
        if request.method != "POST" or not request.user.has_perm("triage.add_review"):
            raise PermissionDenied
        presentation = self.get_object(request, object_id)  # None for an id that is not one (no 500)
        if presentation is None:
            raise Http404
        form = ReviewForm(request.POST)
        case_url = reverse("admin:triage_presentation_change", args=[presentation.pk])
        if not form.is_valid():
            messages.error(request, "The review was not recorded: " + form.errors.as_text())
            return HttpResponseRedirect(case_url)
        services.review_create(
            presentation=presentation,
            by=actor_for(request, user=request.user),
            reviewer=request.user,
            **form.cleaned_data,
        )
        messages.success(request, f"Review recorded: {Review.Status(form.cleaned_data['status']).label}.")
        return HttpResponseRedirect(case_url)


class AlertEndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(choices=AlertEvent.choices, widget=forms.CheckboxSelectMultiple)
    levels = forms.MultipleChoiceField(
        choices=[(level, level) for level in ALERT_LEVELS], widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = AlertEndpoint
        fields = ["name", "url", "events", "levels", "enabled"]

    def clean_url(self) -> str:
        refusal = alert_endpoints.url_refusal(self.cleaned_data["url"])
        if refusal:
            raise ValidationError(refusal)
        return self.cleaned_data["url"]


@admin.register(AlertEndpoint)
class AlertEndpointAdmin(admin.ModelAdmin):
    """Where clinical leads register alert receivers; the signing secret is shown once, when made or rotated."""

    form = AlertEndpointForm
    list_display = ["name", "url", "events", "levels", "enabled", "created_at"]
    actions = ["rotate_secret"]

    def save_model(self, request: HttpRequest, obj: AlertEndpoint, form: forms.Form, change: bool) -> None:
        by = actor_for(request, user=request.user)
        if change:
            alert_endpoints.endpoint_update(endpoint=obj, by=by)
            return
        endpoint, secret = alert_endpoints.endpoint_create(
            name=obj.name, url=obj.url, events=obj.events, levels=obj.levels, by=by
        )
        obj.pk = endpoint.pk
        messages.warning(request, f"Signing secret of {endpoint.name}, shown once: {secret}")

    def delete_model(self, request: HttpRequest, obj: AlertEndpoint) -> None:
        alert_endpoints.endpoint_delete(endpoint=obj, by=actor_for(request, user=request.user))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for endpoint in queryset:
            self.delete_model(request, endpoint)

    @admin.action(description="Rotate the signing secret (the new one is shown once)", permissions=["change"])
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet) -> None:
        for endpoint in queryset:
            secret = alert_endpoints.endpoint_secret_rotate(endpoint=endpoint, by=actor_for(request, user=request.user))
            messages.warning(request, f"New signing secret of {endpoint.name}, shown once: {secret}")


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    """Every alert and its delivery; a dead-lettered one can be sent again (the same message, the same id)."""

    list_display = ["created_at", "event_type", "endpoint", "status", "attempts", "last_error", "delivered_at"]
    list_filter = ["status", "event_type"]
    actions = ["retry"]

    @admin.action(description="Send the selected dead-lettered alerts again", permissions=["retry"])
    def retry(self, request: HttpRequest, queryset: QuerySet) -> None:
        dead = list(queryset.filter(status=Alert.Status.DEAD))
        for alert in dead:
            alerts.alert_retry(alert=alert, by=actor_for(request, user=request.user))
        messages.success(request, f"{len(dead)} alert(s) queued again.")

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("triage.change_alert")


@admin.register(RuleSetRelease)
class RuleSetReleaseAdmin(ReadOnlyAdmin):
    """Which rule set version is active, since when, and who approved it on which impact report."""

    list_display = ["version", "previous_version", "approved_by", "activated_at", "impact_report_sha256"]


class PatientSeenFilter(admin.SimpleListFilter):
    """`?patient=<reference>`: who saw this patient, as the successful reads that showed them (the exact reference)."""

    title = "patient seen"
    parameter_name = "patient"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        # No list of every patient ever seen: the filter shows once a reference is given (the event page links here).
        return [(self.value(), self.value())] if self.value() else []

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if not self.value():
            return queryset
        # patient_sought: the Patient column names them on a page of the queue that showed them among others.
        return queryset.filter(selectors.audit_reads_showing(self.value())).annotate(patient_sought=Value(self.value()))


def moment_with_zone(moment: datetime) -> str:
    """A time to the second, with its zone, in the service's time zone (e.g. "2026-12-01 14:03:07 UTC")."""
    shown = dateformat.format(timezone.localtime(moment), "Y-m-d H:i:s T")
    return format_html('<time datetime="{}">{}</time>', moment.isoformat(), shown)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit trail as a compliance officer reads it; every page of it is itself recorded as a read."""

    list_display = [
        "sequence", "recorded_time", "action_in_words", "event_type", "outcome", "status", "agent_name", "agent_role",
        "entity_type", "entity_id", "patient",
    ]  # fmt: skip
    list_filter = ["action", "outcome", "event_type", "agent_type", "recorded", PatientSeenFilter]
    search_fields = ["entity_id", "patient_reference", "agent_name", "request_id"]  # matched exactly: see below
    search_help_text = (
        "Exact: a patient reference, an entity id, an agent name or a request id. A patient reference or a "
        "presentation's id also finds the queue and list pages that showed it."
    )
    paginator = CappedCountPaginator
    show_full_result_count = False

    @admin.display(description="Recorded", ordering="sequence")
    def recorded_time(self, event: AuditEvent) -> str:
        return moment_with_zone(event.recorded)

    @admin.display(description="Action", ordering="action")
    def action_in_words(self, event: AuditEvent) -> str:
        return event.action_in_words()

    @admin.display(description="Patient", ordering="patient_reference")
    def patient(self, event: AuditEvent) -> str:
        if event.patient_reference:
            return format_html("<bdi>{}</bdi>", event.patient_reference)
        shown = event.detail.get("patient_references")
        if shown is None:
            return "-"
        sought = getattr(event, "patient_sought", None)
        if sought in shown:
            return format_html("<bdi>{}</bdi>, on a page of {}", sought, len(shown))
        return f"a page of {len(shown)}"

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str) -> tuple[QuerySet, bool]:
        # Exact and case-sensitive, as references and ids are (the stock "=" compares in upper case, which none of
        # the columns' indexes serve); a patient reference or a presentation's id also finds the pages that showed it.
        term = search_term.strip()
        if not term:
            return queryset, False
        shown = selectors.audit_events_naming(term) | Q(detail__ids__contains=[term])
        return queryset.filter(shown | Q(entity_id=term) | Q(agent_name=term) | Q(request_id=term)), False

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        patient = request.GET.get(PatientSeenFilter.parameter_name, "")
        title = "Who saw this patient" if patient else "Audit trail"  # the heading names them (in <bdi>)
        response = super().changelist_view(request, {**(extra_context or {}), "title": title, "patient": patient})
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:  # the log shows patient references: reading it is recorded too
            sequences = [event.sequence for event in changelist.result_list]
            services.audit_read_record(sequences=sequences, by=actor_for(request, user=request.user))
            if patient:
                response.context_data["viewers"] = selectors.audit_patient_viewers(patient_reference=patient)
        return response

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        event = getattr(response, "context_data", {}).get("original")
        if event is not None:
            services.audit_read_record(sequences=[event.sequence], by=actor_for(request, user=request.user))
        return response

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: AuditEvent | None = None,
    ) -> HttpResponse:
        if obj is not None:
            detail = dict(obj.detail)
            # A page of presentations: each id beside the patient reference it showed, as a table.
            ids, references = detail.get("ids", []), detail.get("patient_references", [])
            shown = list(zip(ids, references, strict=True)) if references and len(references) == len(ids) else []
            if shown:
                del detail["ids"], detail["patient_references"]
            context.update(
                title=str(obj),  # "Audit event 74: presentation.review (updated)"
                subtitle=None,
                recorded_time=moment_with_zone(obj.recorded),
                hashed_time=obj.recorded.astimezone(UTC).isoformat(),  # as the content digest writes it
                hash_matches=event_hash(obj) == obj.hash,
                presentations_shown=shown,
                detail_rows=[
                    (key, value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
                    for key, value in sorted(detail.items())
                ],
            )
        return super().render_change_form(request, context, add, change, form_url, obj)


class AuditedPrivilegesAdmin(admin.ModelAdmin):
    """Who may do what changes here only with an audit event, in the same transaction (the admin's)."""

    entity_type = ""  # "User" or "Group"

    def privileges(self, obj: Any) -> dict[str, Any]:
        raise NotImplementedError

    def save_model(self, request: HttpRequest, obj: Any, form: forms.Form, change: bool) -> None:
        # Groups and permissions are saved after the object itself (save_related): compare once both are.
        form.privileges_before = self.privileges(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: forms.Form, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        self._record(request, form.instance, form.privileges_before, self.privileges(form.instance))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.delete_queryset(request, type(obj).objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        with transaction.atomic():  # the changelist's bulk delete runs outside the admin's own transaction
            for obj in queryset:
                self._record(request, obj, self.privileges(obj), None)
            super().delete_queryset(request, queryset)

    def _record(self, request: HttpRequest, obj: Any, before: dict | None, after: dict | None) -> None:
        services.privileges_record(
            entity_type=self.entity_type,
            name=obj.natural_key()[0],
            before=before,
            after=after,
            by=actor_for(request, user=request.user),
        )


@admin.register(get_user_model())
class AuditedUserAdmin(AuditedPrivilegesAdmin, UserAdmin):
    """Django's user admin: roles (groups), flags (active, staff, superuser) and direct permissions audited."""

    entity_type = "User"

    def privileges(self, obj: Any) -> dict[str, Any]:
        return selectors.user_privileges(obj)


@admin.register(Group)
class AuditedGroupAdmin(AuditedPrivilegesAdmin, GroupAdmin):
    """Django's group admin: a role group's name, permissions and deletion change what its members may do."""

    entity_type = "Group"

    def privileges(self, obj: Any) -> dict[str, Any]:
        return selectors.group_privileges(obj)
