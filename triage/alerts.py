"""Alerts: due with the change that flags a case (a transactional outbox: a column of the change itself, no extra
write), fanned out by the worker's sweep to the subscribed endpoints, and delivered by it.

Each message is signed as the Standard Webhooks specification says (`webhook-id`, `webhook-timestamp`,
`webhook-signature`), carries the minimum a receiver needs to act (never the patient's reference, symptoms or
any text a client sent), is retried with a doubling wait on a timeout, a refused connection or a non-2xx answer,
and is dead-lettered after ALERT_MAX_ATTEMPTS. Every attempt is in the audit trail.
"""

import json
import urllib.error
import urllib.request
from datetime import datetime

import procrastinate
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from procrastinate.contrib.django.django_connector import DjangoConnector
from standardwebhooks.webhooks import Webhook

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


def alerts_sweep(batch: int = 100) -> int:
    """Fan out the alerts now due (Presentation.alert_due, set in the transaction of the change that flagged the
    case: the outbox) to the enabled endpoints subscribed to them, queue each delivery, and clear them, in one
    transaction: each alert is made once. Returns how many cases were swept."""
    with transaction.atomic():
        due = list(
            Presentation.objects.select_related("current_assessment")
            .filter(alert_due=True)
            .select_for_update(of=("self",), skip_locked=True)  # a second worker sweeps the others
            .order_by("id")[:batch]  # oldest first: ids are time-ordered (UUIDv7)
        )
        for presentation in due:
            if presentation.flagged:  # not if a re-assessment lowered it before the sweep
                event_at = presentation.current_assessment.assessed_at
                for alert in alerts_fan_out(alert_body(presentation, AlertEvent.FLAGGED, event_at)):
                    delivery_queue(alert)
        Presentation.objects.filter(pk__in=[presentation.pk for presentation in due]).update(alert_due=False)
    return len(due)


def alerts_fan_out(body: dict) -> list[Alert]:
    """This event's alert for each enabled endpoint subscribed to its type and level, in the caller's transaction."""
    event_type, level = body["type"], body["data"]["level"]
    return Alert.objects.bulk_create(
        Alert(
            endpoint=endpoint,
            presentation_id=body["data"]["presentation_id"],
            event_type=event_type,
            body=body,
            created_at=datetime.fromisoformat(body["timestamp"]),
        )
        for endpoint in AlertEndpoint.objects.filter(enabled=True)
        if event_type in endpoint.events and level in endpoint.levels
    )


def alerts_escalate(now: datetime) -> int:
    """`presentation.escalated` for each flagged case still pending past its threshold, once per case and
    level (a case whose level rises is escalated again at its new threshold). Returns how many cases escalated.
    Each delivery is a job, so that a slow endpoint holds no escalation behind it."""
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
                alerts = alerts_fan_out(alert_body(presentation, AlertEvent.ESCALATED, now))
                for alert in alerts:
                    delivery_queue(alert)
            escalated += bool(alerts)
    return escalated


# Jobs deferred through Django's own connection commit with the caller's transaction. `task.defer()` does so in a
# web process, but not in the worker: its command swaps the app's connector for a pool of its own, and a delivery
# deferred by the sweep would run before the sweep's alert was committed (and fail, not finding it).
_IN_TRANSACTION = procrastinate.App(connector=DjangoConnector())
QUEUE, DELIVERY_TASK = "alerts", "triage.tasks.deliver_alert"  # the worker's queue, and its delivery task's name


def delivery_queue(alert: Alert) -> None:
    """Queue an alert's delivery in the caller's transaction."""
    _IN_TRANSACTION.configure_task(DELIVERY_TASK, queue=QUEUE).defer(alert_id=str(alert.pk))


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
    with transaction.atomic():
        alert.status, alert.attempts, alert.last_error = Alert.Status.PENDING, 0, ""
        alert.save(update_fields=["status", "attempts", "last_error"])
        _record(alert, "alert.retry", None, True, by)
        delivery_queue(alert)


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
