"""What releasing a rule set version would change: stored presentations scored under both (read-only).

`ruleset_impact` writes the report as JSON (every case by id) and Markdown (for the sign-off; every
down-triage listed, never summarised away). `ruleset_activate` accepts only a report of exactly the change it
makes, and records its SHA-256.
"""

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from django.db import connection, transaction

from triage.models import Presentation
from triage.rules import Level, RuleSet, presentation_from_payload, rules_fired

LEVELS = [level.code for level in Level]
BATCH = 2000


@dataclass
class Impact:
    from_version: str
    to_version: str
    since: str | None = None
    sample: int | None = None
    # (level before, level after): how many presentations
    transitions: Counter[tuple[Level, Level]] = field(default_factory=Counter)
    up_triaged: list[dict[str, str]] = field(default_factory=list)
    down_triaged: list[dict[str, str]] = field(default_factory=list)
    findings_gained: Counter[str] = field(default_factory=Counter)
    findings_lost: Counter[str] = field(default_factory=Counter)

    def add(self, presentation_id: Any, payload: dict[str, Any], old: RuleSet, new: RuleSet) -> None:
        # The rules that fire decide the level; their wording and advice are not compared, so not made. Only what
        # changed is looked at further: most presentations keep their level.
        presentation = presentation_from_payload(payload)
        before, after = rules_fired(presentation, old), rules_fired(presentation, new)
        level_before = max([rule.level for rule, _ in before.values()], default=Level.SELF_CARE)
        level_after = max([rule.level for rule, _ in after.values()], default=Level.SELF_CARE)
        self.transitions[level_before, level_after] += 1
        if level_after != level_before:
            change = {"id": str(presentation_id), "from": level_before.code, "to": level_after.code}
            (self.up_triaged if level_after > level_before else self.down_triaged).append(change)
        if before.keys() != after.keys():
            self.findings_gained.update(after.keys() - before.keys())
            self.findings_lost.update(before.keys() - after.keys())

    @property
    def presentations(self) -> int:
        return self.transitions.total()

    def flag_changes(self, *, flagged_before: bool) -> int:
        """How many presentations flagged before are unflagged after (or, `flagged_before=False`, the reverse)."""
        return sum(
            count
            for (before, after), count in self.transitions.items()
            if (before >= Level.URGENT) == flagged_before and (after >= Level.URGENT) != flagged_before
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "from_version": self.from_version,
            "to_version": self.to_version,
            "since": self.since,
            "sample": self.sample,
            "presentations": self.presentations,
            "transitions": {
                before.code: {after.code: self.transitions[before, after] for after in Level} for before in Level
            },
            "up_triaged": self.up_triaged,
            "down_triaged": self.down_triaged,
            "findings": {
                code: {"gained": self.findings_gained[code], "lost": self.findings_lost[code]}
                for code in sorted(self.findings_gained.keys() | self.findings_lost.keys())
            },
            "flagged_to_unflagged": self.flag_changes(flagged_before=True),
            "unflagged_to_flagged": self.flag_changes(flagged_before=False),
        }


def impact_measure(
    *,
    old: RuleSet,
    new: RuleSet,
    since: datetime | None = None,
    sample: int | None = None,
    progress: Callable[[int], None] = lambda done: None,
) -> Impact:
    """Score the stored presentations (received since `since`; a random `sample` of them) under both versions."""
    impact = Impact(old.version, new.version, since.isoformat() if since else None, sample)
    for rows in _stored_payloads(since=since, sample=sample):
        for presentation_id, payload in rows:
            impact.add(presentation_id, orjson.loads(payload), old, new)
        progress(len(rows))
    return impact


def impact_count(*, since: datetime | None = None, sample: int | None = None) -> int:
    presentations = Presentation.objects.all() if since is None else Presentation.objects.filter(received_at__gte=since)
    count = presentations.count()
    return count if sample is None else min(sample, count)


def _stored_payloads(*, since: datetime | None, sample: int | None) -> Iterator[list[tuple[Any, str]]]:
    """Stored bodies as JSON text, in batches, through one server-side cursor (the canonical form: triage.contract)."""
    where, params = ("WHERE received_at >= %s", [since]) if since else ("", [])
    order = "ORDER BY random() LIMIT %s" if sample is not None else "ORDER BY id"
    table = Presentation._meta.db_table
    with transaction.atomic(), connection.chunked_cursor() as cursor:  # a named cursor lives in a transaction
        statement = f"SELECT id, payload::text FROM {table} {where} {order}"  # noqa: S608 (values are parameters)
        cursor.execute(statement, [*params, *([sample] if sample is not None else [])])
        while rows := cursor.fetchmany(BATCH):
            yield rows


def impact_markdown(report: dict[str, Any], *, listed_up: int = 50) -> str:
    """The report for the people who sign it off: every down-triage listed, the first up-triages."""
    old, new = report["from_version"], report["to_version"]
    lines = [
        f"# Rule set impact: {old} -> {new}",
        "",
        f"{report['presentations']} stored presentations scored under both versions"
        + (f", received since {report['since']}" if report["since"] else "")
        + (f", a random sample of {report['sample']}" if report["sample"] else "")
        + ". Nothing was stored.",
        "",
        f"- Up-triaged: **{len(report['up_triaged'])}**; down-triaged: **{len(report['down_triaged'])}**",
        f"- Flagged cases that would become unflagged: **{report['flagged_to_unflagged']}**; "
        f"unflagged that would become flagged: **{report['unflagged_to_flagged']}**",
        "",
        f"## Level transitions (rows: {old}, columns: {new})",
        "",
        "| from \\ to | " + " | ".join(LEVELS) + " |",
        "|---|" + "---:|" * len(LEVELS),
        *(
            f"| {before} | " + " | ".join(str(row[after]) for after in LEVELS) + " |"
            for before, row in report["transitions"].items()
        ),
        "",
        "## Findings gained and lost, per rule",
        "",
        "| rule | gained | lost |",
        "|---|---:|---:|",
        *(f"| `{code}` | {counts['gained']} | {counts['lost']} |" for code, counts in report["findings"].items()),
        "",
        f"## Every down-triaged case ({len(report['down_triaged'])})",
        "",
        *([f"- {case['id']}: {case['from']} -> {case['to']}" for case in report["down_triaged"]] or ["None."]),
        "",
        f"## Up-triaged cases ({len(report['up_triaged'])}; the first {listed_up} here, all in the JSON report)",
        "",
        *(
            [f"- {case['id']}: {case['from']} -> {case['to']}" for case in report["up_triaged"][:listed_up]]
            or ["None."]
        ),
        "",
    ]
    return "\n".join(lines)


def impact_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=1) + "\n"
