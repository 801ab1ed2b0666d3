"""Admin logins and failed logins into the audit trail (Django reports them only as signals)."""

import dataclasses
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from triage.api.throttling import anonymous_budget_spent
from triage.audit import Actor, actor_for, audit_record
from triage.models import AuditAction
from triage.services import failed_request_record


@receiver(user_logged_in, dispatch_uid="triage.audit.login")
def record_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    audit_record(by=actor_for(request, user=user), action=AuditAction.EXECUTE, event_type="session.login", status=200)


@receiver(user_login_failed, dispatch_uid="triage.audit.login_failed")
def record_failed_login(sender: Any, credentials: dict, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """A failed login, recorded as any refusal is: repeats sparingly, and within the address's budget (ADR 0010)."""
    attempted = str(credentials.get("username", ""))  # Django already masks the password
    actor = dataclasses.replace(
        actor_for(request) if request is not None else Actor(kind="anonymous"), name=attempted[:150]
    )
    if request is not None and anonymous_budget_spent(request, actor) is not None:
        return
    failed_request_record(by=actor, action=AuditAction.EXECUTE, event_type="session.login_failed", status=401)
