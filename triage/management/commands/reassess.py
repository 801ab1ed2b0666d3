"""`manage.py reassess`: re-score, in batches, presentations last assessed under another rule set than the active."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from triage.audit import SYSTEM
from triage.contract import stored_canonical
from triage.rules import assess, presentation_from_payload
from triage.rulesets import active_ruleset
from triage.selectors import presentation_list_stale
from triage.services import presentations_reassess


class Command(BaseCommand):
    help = (
        "Re-score presentations last assessed under another rule set version than the active one, in batches (each "
        "one transaction with its audit events). Resumable: a rerun continues with what is left. Earlier "
        "assessments are kept; a case whose level rises goes back to the queue as pending."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--dry-run", action="store_true", help="Count what would change; store nothing.")
        parser.add_argument("--limit", type=int, help="Stop after about N presentations (a rerun goes on from there).")

    def handle(self, *args: Any, batch_size: int, dry_run: bool, limit: int | None, **options: Any) -> None:
        ruleset = active_ruleset()
        stale = presentation_list_stale(ruleset_version=ruleset.version)
        total = stale.count() if limit is None else min(limit, stale.count())
        done = raised = 0
        with tqdm(total=total, unit=" presentations", disable=None) as bar:
            # Always the first batch of what is still stale: each stored batch leaves the set, so a rerun resumes.
            offset = 0
            while done < total and (batch := list(stale.order_by("id")[offset : offset + batch_size])):
                if dry_run:
                    raised += sum(
                        assess(presentation_from_payload(stored_canonical(p.payload)), ruleset).level > p.level
                        for p in batch
                    )
                    offset += len(batch)
                else:
                    raised += len(presentations_reassess(presentations=batch, ruleset=ruleset, by=SYSTEM))
                done += len(batch)
                bar.update(len(batch))
        verb = "Would re-assess" if dry_run else "Re-assessed"
        self.stdout.write(
            f"{verb} {done} presentations under rule set {ruleset.version}; {raised} rose in level"
            + ("" if dry_run else " and are pending review again")
            + "."
        )
