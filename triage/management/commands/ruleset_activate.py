"""`manage.py ruleset_activate 2027.01 --approved-by NAME --impact-report FILE`: release a rule set version."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from triage.rulesets import ReleaseRefused, ruleset_activate


class Command(BaseCommand):
    help = (
        "Make a rule set version active, signed off by a named clinical safety officer on the impact report of "
        "exactly this change (ruleset_impact --from <active> --to VERSION), recorded in the audit trail."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("version")
        parser.add_argument("--approved-by", required=True, help="The clinical safety officer who approved it.")
        parser.add_argument("--impact-report", required=True, type=Path, help="The report's JSON or Markdown file.")

    def handle(self, *args: Any, version: str, approved_by: str, impact_report: Path, **options: Any) -> None:
        try:
            report = impact_report.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read the impact report: {exc.strerror}: {impact_report}") from exc
        try:
            release = ruleset_activate(version=version, approved_by=approved_by, report=report)
        except ReleaseRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Rule set {release.version} is active (was {release.previous_version}), approved by "
            f"{release.approved_by} on impact report sha256 {release.impact_report_sha256}. "
            "Run `manage.py reassess` to re-score earlier presentations."
        )
