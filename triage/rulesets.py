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

from django.db import connection, connections, transaction
from django.utils import timezone
from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from triage.audit import SYSTEM, Actor, audit_record
from triage.contract import InvalidBody
from triage.models import Assessment, AuditAction, AuditEvent, RuleSetRelease
from triage.rules import NEWEST, RULESETS, RuleSet


class ReleaseRefused(Exception):
    """A release that may not be made: the message says why."""


# pg_advisory_xact_lock key for releases: one at a time (a row lock finds no row to lock in an empty table).
RELEASE_LOCK = 0x7472696167650002


def active_version() -> str:
    """The newest release; with none recorded (a database emptied by tests, say), the version of the newest
    assessment, so that history never silently moves to another version; else the newest held."""
    version = (
        RuleSetRelease.objects.values_list("version", flat=True).first()
        or Assessment.objects.order_by("-id").values_list("ruleset_version", flat=True).first()  # UUIDv7: newest
        or NEWEST
    )
    if version not in RULESETS:  # a database released on a newer code base than this one: never guess
        raise ReleaseRefused(f"The active rule set {version} is not one this code holds ({', '.join(RULESETS)}).")
    return version


def active_ruleset() -> RuleSet:
    return RULESETS[active_version()]


def active_release() -> RuleSetRelease | None:
    return RuleSetRelease.objects.first()


# The contract's paths whose codes each rule set version lists as its own (RuleSet fields): what it can read. A
# group's "codes" are its fields: a context flag given true, a measurement given.
READ_BY_RULESET = {
    "symptoms.code": "symptoms",
    "history": "history",
    "twitch.locations": "locations",
    "context": "context",
    "measurements": "measurements",
}


def ruleset_reads(ruleset: RuleSet) -> dict[str, tuple[str, ...]]:
    """Each of READ_BY_RULESET's paths with the codes `ruleset` reads there."""
    return {path: getattr(ruleset, field) for path, field in READ_BY_RULESET.items()}


def unread_inputs(payload: dict[str, Any], ruleset: RuleSet) -> None:
    """Refuse (InvalidBody) what the rule set cannot read: a code or field of a later version, sent while an
    earlier one is active, would otherwise be stored and silently never scored."""
    errors = [
        loc for path, codes in ruleset_reads(ruleset).items() for loc in _unread(payload, path.split("."), codes, ())
    ]
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


def _unread(value: Any, names: list[str], codes: tuple[str, ...], loc: tuple) -> list[tuple]:
    """The locations under `value`, along `names`, of what `codes` lacks (through lists, item by item)."""
    if isinstance(value, list):
        return [found for index, item in enumerate(value) for found in _unread(item, names, codes, (*loc, index))]
    if names:
        return _unread(value[names[0]], names[1:], codes, (*loc, names[0]))
    if isinstance(value, dict):
        return [(*loc, name) for name, given in value.items() if given and name not in codes]
    return [] if value in codes else [loc]


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
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RELEASE_LOCK])
        current = active_version()
        if version == current:
            raise ReleaseRefused(f"Rule set {version} is already active.")
        made_for = report_versions(report)
        if made_for != (current, version):
            found = f"one for {made_for[0]} -> {made_for[1]}" if made_for else "no impact report"
            raise ReleaseRefused(f"Releasing {current} -> {version} needs its impact report; this is {found}.")
        sha256 = hashlib.sha256(report).hexdigest()
        if not _report_written_here(sha256):
            raise ReleaseRefused(
                "This impact report was not written by `ruleset_impact` on this database (its SHA-256 is not in the "
                "audit trail): run it, and sign off the report it writes, unchanged."
            )
        release = RuleSetRelease.objects.create(
            version=version,
            previous_version=current,
            approved_by=approved_by,
            impact_report_sha256=sha256,
            activated_at=timezone.now(),
        )
        _record_release(release, by=by)
    return release


def impact_record(*, report: dict[str, Any], sha256: dict[str, str], by: Actor = SYSTEM) -> None:
    """An impact report was made: it read every stored presentation it counts (ids and counts only here), and
    `ruleset_activate` accepts only a report whose SHA-256 is recorded so."""
    audit_record(
        by=by,
        action=AuditAction.EXECUTE,
        event_type="ruleset.impact",
        entity_type="ruleset",
        entity_id=report["to_version"],
        detail={
            "from_version": report["from_version"],
            "to_version": report["to_version"],
            "since": report["since"],
            "sample": report["sample"],
            "presentations": report["presentations"],
            "up_triaged": len(report["up_triaged"]),
            "down_triaged": len(report["down_triaged"]),
            **{f"sha256_{kind}": digest for kind, digest in sha256.items()},
        },
    )


def _report_written_here(sha256: str) -> bool:
    impacts = AuditEvent.objects.filter(event_type="ruleset.impact")
    return impacts.filter(detail__sha256_json=sha256).exists() or impacts.filter(detail__sha256_md=sha256).exists()


def record_version_in_use(using: str = "default", **_: Any) -> None:
    """After migrate, when no release is recorded: a database with history keeps the version its history was
    scored under (releases began to be recorded with rule set 2027.01); an empty one starts on the newest held.
    Either way it is recorded, so that a later code base with a newer version changes nothing until released."""
    if RuleSetRelease._meta.db_table not in connections[using].introspection.table_names():
        return  # migrated back to before releases existed
    if RuleSetRelease.objects.exists():
        return
    version = active_version()
    in_use = Assessment.objects.exists()
    with transaction.atomic():
        release = RuleSetRelease.objects.create(
            version=version,
            approved_by="(in use before releases were recorded)" if in_use else "(the newest held at installation)",
            activated_at=timezone.now(),
        )
        if in_use:  # a new install starts with an empty audit trail: its release row says the rest
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
