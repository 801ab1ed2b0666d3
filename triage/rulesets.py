"""Which rule set version is active, and releasing a new one: the governed way (issue 22, docs/safety/).

The engine holds every version side by side (triage.rules.RULESETS). The newest release recorded in the
database is the active version, the one new presentations are scored under; a database with no release
recorded starts on the newest version the code holds. A database that already had history when releases
began to be recorded keeps the version of that history (`record_version_in_use`, after every migrate) until
`ruleset_activate` releases another, on the strength of an impact report, signed off by a named person.
"""

import hashlib
import json
import re
from typing import Any

from django.db import connections, transaction
from django.utils import timezone
from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from triage.audit import SYSTEM, Actor, audit_record
from triage.contract import InvalidBody
from triage.models import Assessment, AuditAction, RuleSetRelease
from triage.rules import NEWEST, RULESETS, RuleSet


class ReleaseRefused(Exception):
    """A release that may not be made: the message says why."""


def active_version() -> str:
    version = RuleSetRelease.objects.values_list("version", flat=True).first() or NEWEST
    if version not in RULESETS:  # a database released on a newer code base than this one: never guess
        raise ReleaseRefused(f"The active rule set {version} is not one this code holds ({', '.join(RULESETS)}).")
    return version


def active_ruleset() -> RuleSet:
    return RULESETS[active_version()]


def active_release() -> RuleSetRelease | None:
    return RuleSetRelease.objects.first()


def unread_inputs(payload: dict[str, Any], ruleset: RuleSet) -> None:
    """Refuse (InvalidBody) what the rule set cannot read: a code or field of a later version, sent while an
    earlier one is active, would otherwise be stored and silently never scored."""
    paths = [(i, "code") for i, s in enumerate(payload["symptoms"]) if s["code"] not in ruleset.symptoms]
    errors = [("symptoms", *path) for path in paths]
    errors += [("history", i) for i, code in enumerate(payload["history"]) if code not in ruleset.history]
    errors += [("context", flag) for flag, given in payload["context"].items() if given and flag not in ruleset.context]
    errors += [("measurements", name) for name in payload["measurements"] if name not in ruleset.measurements]
    if errors:
        message = f"Not read by the active rule set {ruleset.version}: it would not be scored."
        raise InvalidBody(
            ValidationError.from_exception_data(
                "PresentationInput",
                [
                    InitErrorDetails(type=PydanticCustomError("not_read", message), loc=loc, input=None)
                    for loc in errors
                ],
            )
        )


# --- impact reports and release ----------------------------------------------------------

REPORT_TITLE = re.compile(r"^# Rule set impact: (\S+) -> (\S+)$", re.MULTILINE)


def report_versions(report: bytes) -> tuple[str, str] | None:
    """The (from, to) versions an impact report (its JSON or its Markdown) was made for, or None."""
    try:
        document = json.loads(report)
    except ValueError:
        match = REPORT_TITLE.search(report.decode("utf-8", errors="replace"))
        return (match[1], match[2]) if match else None
    if isinstance(document, dict) and isinstance(document.get("from_version"), str):
        return document["from_version"], str(document.get("to_version"))
    return None


def ruleset_activate(*, version: str, approved_by: str, report: bytes, by: Actor = SYSTEM) -> RuleSetRelease:
    """Make `version` active, signed off by `approved_by` on an impact report of exactly that change."""
    approved_by = approved_by.strip()
    if not approved_by:
        raise ReleaseRefused("A release needs the name of the person who approved it.")
    if version not in RULESETS:
        raise ReleaseRefused(f"Unknown rule set {version}: this code holds {', '.join(RULESETS)}.")
    with transaction.atomic():
        RuleSetRelease.objects.select_for_update().first()  # one release at a time
        current = active_version()
        if version == current:
            raise ReleaseRefused(f"Rule set {version} is already active.")
        made_for = report_versions(report)
        if made_for != (current, version):
            found = f"one for {made_for[0]} -> {made_for[1]}" if made_for else "no impact report"
            raise ReleaseRefused(f"Releasing {current} -> {version} needs its impact report; this is {found}.")
        release = RuleSetRelease.objects.create(
            version=version,
            previous_version=current,
            approved_by=approved_by,
            impact_report_sha256=hashlib.sha256(report).hexdigest(),
            activated_at=timezone.now(),
        )
        _record_release(release, by=by)
    return release


def record_version_in_use(using: str = "default", **_: Any) -> None:
    """After migrate: a database with history and no release recorded keeps the version its history was scored
    under (releases began to be recorded with rule set 2027.01); an empty one starts on the newest."""
    if RuleSetRelease._meta.db_table not in connections[using].introspection.table_names():
        return  # migrated back to before releases existed
    if RuleSetRelease.objects.exists():
        return
    latest = Assessment.objects.order_by("-id").values_list("ruleset_version", flat=True).first()  # UUIDv7: newest
    if latest is None:
        return
    with transaction.atomic():
        release = RuleSetRelease.objects.create(
            version=latest,
            approved_by="(in use before releases were recorded)",
            activated_at=timezone.now(),
        )
        _record_release(release, by=SYSTEM)


def _record_release(release: RuleSetRelease, *, by: Actor) -> None:
    audit_record(
        by=by,
        action=AuditAction.EXECUTE,
        event_type="ruleset.activate",
        entity_type="ruleset",
        entity_id=release.version,
        detail={
            "version": release.version,
            "previous_version": release.previous_version,
            "approved_by": release.approved_by,
            "impact_report_sha256": release.impact_report_sha256,
        },
    )
