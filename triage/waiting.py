"""How long a case has waited for review, and whether it is past its level's threshold (issue 23).

A flagged case still `pending` after ALERT_ESCALATE_EMERGENCY_MINUTES (emergency) or ALERT_ESCALATE_URGENT_MINUTES
(urgent) is overdue: the queue marks it, and escalation (with alerts) will act on it.
"""

from datetime import datetime, timedelta

from django.conf import settings

from triage.models import Presentation, ReviewStatus
from triage.rules import Level


def escalation_threshold(level: int) -> timedelta | None:
    """How long a pending case of this level may wait; None for a level that is not flagged."""
    minutes = {
        Level.EMERGENCY: settings.ALERT_ESCALATE_EMERGENCY_MINUTES,
        Level.URGENT: settings.ALERT_ESCALATE_URGENT_MINUTES,
    }.get(Level(level))
    return None if minutes is None else timedelta(minutes=minutes)


def waited(presentation: Presentation, now: datetime) -> timedelta | None:
    """How long a pending case has waited since it was received; None once someone has taken it up."""
    return now - presentation.received_at if presentation.review_status == ReviewStatus.PENDING else None


def overdue(presentation: Presentation, now: datetime) -> bool:
    threshold = escalation_threshold(presentation.level)
    wait = waited(presentation, now)
    return threshold is not None and wait is not None and wait >= threshold


def in_words(duration: timedelta) -> str:
    """A wait as a clinician reads it: "7 min", "2 h 05 min", "3 d 4 h"."""
    minutes = max(0, int(duration.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
