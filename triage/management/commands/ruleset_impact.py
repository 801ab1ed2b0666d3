"""`manage.py ruleset_impact --from 2026.11 --to 2027.01`: what releasing a rule set would change (read-only)."""

import hashlib
from datetime import date, datetime, time
from pathlib import Path
from time import monotonic
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from triage.impact import impact_count, impact_json, impact_markdown, impact_measure
from triage.rules import RULESETS
from triage.rulesets import impact_record


class Command(BaseCommand):
    help = (
        "Score stored presentations under two rule set versions and write the impact report (Markdown and JSON): "
        "level transitions, every up- and down-triaged case by id, findings gained and lost per rule. Stores nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="old", required=True, choices=list(RULESETS))
        parser.add_argument("--to", dest="new", required=True, choices=list(RULESETS))
        parser.add_argument("--since", type=date.fromisoformat, help="Only presentations received on or after DATE.")
        parser.add_argument("--sample", type=int, help="A random sample of N presentations.")
        parser.add_argument("--output", type=Path, help="Report path without suffix (default impact-FROM-TO).")

    def handle(self, *args: Any, old: str, new: str, since: date | None, sample: int | None, **options: Any) -> None:
        if old == new:
            raise CommandError("--from and --to must be two different versions.")
        if sample is not None and sample < 1:
            raise CommandError("--sample must be at least 1.")
        start = timezone.make_aware(datetime.combine(since, time.min)) if since else None
        started = monotonic()
        with tqdm(total=impact_count(since=start, sample=sample), unit=" presentations", disable=None) as bar:
            impact = impact_measure(
                old=RULESETS[old], new=RULESETS[new], since=start, sample=sample, progress=bar.update
            )
        rate = impact.presentations / max(monotonic() - started, 1e-9)
        report = impact.as_json()
        base = options["output"] or Path(f"impact-{old}-{new}")
        written, sha256 = [], {}
        for kind, text in (("json", impact_json(report)), ("md", impact_markdown(report))):
            path = base.parent / f"{base.name}.{kind}"  # not with_suffix: a version's dot is no suffix
            path.write_bytes(text.encode())
            sha256[kind] = hashlib.sha256(text.encode()).hexdigest()
            written.append(f"{path} (sha256 {sha256[kind]})")
        impact_record(report=report, sha256=sha256)
        self.stdout.write(
            f"{impact.presentations} presentations scored under {old} and {new} ({rate:,.0f}/s): "
            f"{len(impact.up_triaged)} up-triaged, {len(impact.down_triaged)} down-triaged, "
            f"{report['flagged_to_unflagged']} flagged -> unflagged."
        )
        for line in written:
            self.stdout.write(f"Wrote {line}")
