"""`manage.py verify_audit`: walk the audit chain; exit 0 if intact, non-zero naming the first break."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from triage.audit import audit_verify


class Command(BaseCommand):
    help = "Verify the audit hash chain from the first event to the head."

    def handle(self, *args: Any, **options: Any) -> None:
        check = audit_verify()
        if not check.intact:
            raise CommandError(
                f"Audit chain broken at sequence {check.first_bad_sequence}: {check.problem} "
                f"({check.events} events verified before it)."
            )
        self.stdout.write(f"Audit chain intact: {check.events} events verified; head hash {check.head_hash}")
