"""`manage.py verify_audit`: walk the audit chain; exit 0 if intact, non-zero naming the first break."""

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from triage.audit import audit_verify

ANCHOR = re.compile(r"(\d+):([0-9a-f]{64})")


class Command(BaseCommand):
    help = "Verify the audit hash chain from the first event to the head."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchor",
            metavar="SEQUENCE:HASH",
            help="An anchor an earlier run printed, kept outside the database: the chain must still hold it. "
            "Without one, a chain cut short at its end, or rewritten whole, cannot be told from an intact one.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        anchor = None
        if options["anchor"] is not None:
            if not (match := ANCHOR.fullmatch(options["anchor"])):
                raise CommandError("--anchor takes SEQUENCE:HASH, as printed by an earlier run.")
            anchor = int(match[1]), match[2]
        check = audit_verify(anchor=anchor)
        if not check.intact:
            raise CommandError(
                f"Audit chain broken at sequence {check.first_bad_sequence}: {check.problem} "
                f"({check.events} events verified before it)."
            )
        self.stdout.write(
            f"Audit chain intact: {check.events} events verified; head hash {check.head_hash}; "
            f"anchor {check.events}:{check.head_hash}"
        )
