"""Alerts: queued with the assessment that flags a case (a transactional outbox: one job in the same transaction),
fanned out by the worker to the subscribed endpoints, and delivered by it.

Each message is signed as the Standard Webhooks specification says (`webhook-id`, `webhook-timestamp`,
`webhook-signature`), carries the minimum a receiver needs to act (never the patient's reference, symptoms or
any text a client sent), is retried with a doubling wait on a timeout, a refused connection or a non-2xx answer,
and is dead-lettered after ALERT_MAX_ATTEMPTS. Every attempt is in the audit trail.
"""

import json
import urllib.error
import urllib.request
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from standardwebhooks.webhooks import Webhook
from uuid_utils.compat import uuid7

from triage.alert_endpoints import url_refusal
from triage.audit import SYSTEM, Actor, audit_record
from triage.models import Alert, AlertEndpoint, AlertEvent, AuditAction, Presentation, ReviewStatus
from triage.rules import Level
from triage.waiting import escalation_threshold


def alert_body(presentation: Presentation, event_type: str, now: datetime) -> dict:
    """The minimum necessary: what happened, to which case, how urgent, and where to open it."""
    case_path = reverse("admin:triage_presentation_change", args=[presentation.pk])
    assessment = presentation.current_assessment
    return {
        "type": event_type,
        "timestamp": now.isoformat(),
        "data": {
            "presentation_id": str(presentation.pk),
            "level": Level(presentation.level).code,
            "flagged": presentation.flagged,
            "ruleset_version": assessment.ruleset_version,
            "received_at": presentation.received_at.isoformat(),
            "case_url": f"{settings.SITE_URL}{case_path}",
        },
    }


def alerts_raise(presentation: Presentation, event_type: str = AlertEvent.FLAGGED) -> None:
    """Queue this change's alert, in the caller's transaction: one job (the outbox), stored exactly when the change
    is. The worker fans it out to the subscribed endpoints (alerts_fan_out), so a POST writes one row, not one per
    endpoint, and never waits on the endpoints' table."""
    from triage.tasks import fan_out_alerts  # the task module imports this one

    fan_out_alerts.defer(event_id=str(uuid7()), body=alert_body(presentation, event_type, timezone.now()))


def alerts_fan_out(event_id: str, body: dict) -> list[Alert]:
    """This event's alert for each enabled endpoint subscribed to its type and level, made once (a job run again,
    after a worker was killed, finds them made). Returns those still pending."""
    event_type, level = body["type"], body["data"]["level"]
    with transaction.atomic():
        if not Alert.objects.filter(event_id=event_id).exists():
            Alert.objects.bulk_create(
                Alert(
                    event_id=event_id,
                    endpoint=endpoint,
                    presentation_id=body["data"]["presentation_id"],
                    event_type=event_type,
                    body=body,
                    created_at=datetime.fromisoformat(body["timestamp"]),
                )
                for endpoint in AlertEndpoint.objects.filter(enabled=True)
                if event_type in endpoint.events and level in endpoint.levels
            )
    return list(Alert.objects.filter(event_id=event_id, status=Alert.Status.PENDING))


def alerts_send(event_id: str, body: dict) -> int:
    """Fan the event out and make each alert's first attempt now, in this job (a job less per alert: the worker's
    rate is its commits); an alert not delivered is retried by a job of its own. Returns how many were made."""
    from triage.tasks import deliver_alert

    alerts = alerts_fan_out(event_id, body)
    for alert in alerts:
        if not alert_deliver(str(alert.pk)):
            deliver_alert.configure(schedule_in={"seconds": settings.ALERT_RETRY_BASE_SECONDS}).defer(
                alert_id=str(alert.pk)
            )
    return len(alerts)


def alerts_escalate(now: datetime) -> int:
    """`presentation.escalated` for each flagged case still pending past its threshold, once per case and
    level (a case whose level rises is escalated again at its new threshold). Returns how many cases escalated.
    Runs in the worker, so it fans out at once rather than through a job of its own; each delivery is a job, so
    that a slow endpoint holds no escalation behind it."""
    from triage.tasks import deliver_alert

    escalated = 0
    for level in (Level.EMERGENCY, Level.URGENT):
        threshold = escalation_threshold(level)
        already = Alert.objects.filter(
            presentation=OuterRef("pk"), event_type=AlertEvent.ESCALATED, body__data__level=level.code
        )
        overdue = (
            Presentation.objects.select_related("current_assessment")
            .filter(flagged=True, level=level, review_status=ReviewStatus.PENDING, received_at__lte=now - threshold)
            .exclude(Exists(already))
        )
        for presentation in overdue:
            with transaction.atomic():  # the alerts and their delivery jobs together: none left without a job
                alerts = alerts_fan_out(str(uuid7()), alert_body(presentation, AlertEvent.ESCALATED, now))
                for alert in alerts:
                    deliver_alert.defer(alert_id=str(alert.pk))
            escalated += bool(alerts)
    return escalated


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect would send the signed message where nobody registered (SSRF): it is a failed attempt instead.
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


OPENER = urllib.request.build_opener(_NoRedirects)


def alert_deliver(alert_id: str, *, by: Actor = SYSTEM) -> bool:
    """One delivery attempt. True when the alert needs no more attempts (delivered, dead-lettered, or not pending)."""
    alert = Alert.objects.select_related("endpoint").get(pk=alert_id)
    if alert.status != Alert.Status.PENDING:
        return True
    status, error = _send(alert)
    with transaction.atomic():
        alert = Alert.objects.select_for_update(of=("self",)).select_related("endpoint").get(pk=alert_id)
        if alert.status != Alert.Status.PENDING:  # another worker finished it meanwhile
            return True
        alert.attempts += 1
        delivered = error is None
        if delivered:
            alert.status, alert.delivered_at, alert.last_error = Alert.Status.DELIVERED, timezone.now(), ""
        else:
            alert.last_error = error[:200]
            if alert.attempts >= settings.ALERT_MAX_ATTEMPTS:
                alert.status = Alert.Status.DEAD
        alert.save(update_fields=["attempts", "status", "delivered_at", "last_error"])
        _record(alert, "alert.delivery", status, delivered, by)
        if alert.status == Alert.Status.DEAD:
            _record(alert, "alert.dead", status, False, by)
    return alert.status != Alert.Status.PENDING


def alert_retry(*, alert: Alert, by: Actor) -> None:
    """Send a dead-lettered alert again (the admin's retry): attempts start afresh, the message keeps its id."""
    from triage.tasks import deliver_alert

    with transaction.atomic():
        alert.status, alert.attempts, alert.last_error = Alert.Status.PENDING, 0, ""
        alert.save(update_fields=["status", "attempts", "last_error"])
        _record(alert, "alert.retry", None, True, by)
        deliver_alert.defer(alert_id=str(alert.pk))


def _send(alert: Alert) -> tuple[int | None, str | None]:
    """(HTTP status, error): error None when the receiver answered 2xx."""
    endpoint = alert.endpoint
    if endpoint is None or not endpoint.enabled:
        return None, "The endpoint was removed or disabled."
    refusal = url_refusal(endpoint.url)  # again at each attempt: where the name resolves may have changed
    if refusal:
        return None, f"URL refused: {refusal}"
    payload = json.dumps(alert.body, separators=(",", ":"))
    message_id, sent_at = f"msg_{alert.pk}", timezone.now()
    headers = {
        "Content-Type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": Webhook(endpoint.secret).sign(message_id, sent_at, payload),
    }
    # An http(s) URL: url_refusal above refuses any other scheme.
    request = urllib.request.Request(endpoint.url, data=payload.encode(), headers=headers, method="POST")  # noqa: S310
    try:
        with OPENER.open(request, timeout=settings.ALERT_TIMEOUT_SECONDS) as response:
            return response.status, None
    except urllib.error.HTTPError as exc:
        return exc.code, f"Answered {exc.code}."
    except (urllib.error.URLError, OSError) as exc:  # refused, unreachable, timed out
        return None, f"Not delivered: {getattr(exc, 'reason', exc)}."


def _record(alert: Alert, event_type: str, status: int | None, success: bool, by: Actor) -> None:
    audit_record(
        by=by,
        action=AuditAction.EXECUTE,
        event_type=event_type,
        outcome="success" if success else "failure",
        status=status,
        entity_type="Alert",
        entity_id=alert.pk,
        detail={
            "event": alert.event_type,
            "presentation_id": str(alert.presentation_id),
            "endpoint": alert.endpoint.name if alert.endpoint else "",
            "attempt": alert.attempts,
            "error": alert.last_error,
        },
    )
