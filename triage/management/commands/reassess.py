"""`manage.py reassess`: re-score, in batches, presentations last assessed under another rule set than the active."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from triage.audit import SYSTEM
from triage.rulesets import active_ruleset
from triage.selectors import presentation_list_stale
from triage.services import Reassessed, presentations_reassess

LISTED = 100  # ids listed per kind of change; the audit trail has every one


class Command(BaseCommand):
    help = (
        "Re-score presentations last assessed under another rule set version than the active one, in batches (each "
        "one transaction with its audit events). Resumable: a rerun continues with what is left. Earlier "
        "assessments are kept; a case whose level rises goes back to the queue as pending. Lists the cases whose "
        "level fell, that are no longer flagged, and that were kept because the rule set cannot read them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--dry-run", action="store_true", help="Count what would change; store nothing.")
        parser.add_argument("--limit", type=int, help="Stop after about N presentations (a rerun goes on from there).")

    def handle(self, *args: Any, batch_size: int, dry_run: bool, limit: int | None, **options: Any) -> None:
        ruleset = active_ruleset()
        stale = presentation_list_stale(ruleset_version=ruleset.version).order_by("id").values_list("id", flat=True)
        total = stale.count() if limit is None else min(limit, stale.count())
        changes: list[Reassessed] = []
        seen = 0
        with tqdm(total=total, unit=" presentations", disable=None) as bar:
            # Keyset by id: each stored batch leaves the stale set, and a kept one is passed over, not met again.
            last = None
            while seen < total and (ids := list((stale if last is None else stale.filter(id__gt=last))[:batch_size])):
                changes.append(
                    presentations_reassess(presentation_ids=ids, ruleset=ruleset, by=SYSTEM, dry_run=dry_run)
                )
                last, seen = ids[-1], seen + len(ids)
                bar.update(len(ids))
        done = sum(change.done for change in changes)
        verb = "Would re-assess" if dry_run else "Re-assessed"
        self.stdout.write(f"{verb} {done} presentations under rule set {ruleset.version}.")
        for label, kind in (
            ("rose in level" + ("" if dry_run else " and are pending review again"), "raised"),
            ("fell in level", "lowered"),
            ("are no longer flagged", "unflagged"),
            (f"were kept as they were: rule set {ruleset.version} cannot read their inputs", "kept"),
        ):
            ids = [pk for change in changes for pk in getattr(change, kind)]
            self.stdout.write(f"{len(ids)} {label}" + (":" if ids and kind != "raised" else "."))
            if kind != "raised":
                for pk in ids[:LISTED]:
                    self.stdout.write(f"  {pk}")
                if len(ids) > LISTED:
                    self.stdout.write(f"  … and {len(ids) - LISTED} more (the audit trail has each).")
