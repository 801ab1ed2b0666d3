"""`manage.py reassess`: score again every presentation last assessed under an older rule set."""

from typing import Any

from django.core.management.base import BaseCommand

from triage.audit import SYSTEM
from triage.rules import RULESET_VERSION
from triage.selectors import presentation_list_stale
from triage.services import presentation_reassess


class Command(BaseCommand):
    help = "Re-score presentations assessed under an older rule set; earlier assessments are kept."

    def handle(self, *args: Any, **options: Any) -> None:
        stale = presentation_list_stale(ruleset_version=RULESET_VERSION)
        count = 0
        for presentation in stale.iterator(chunk_size=500):
            presentation_reassess(presentation=presentation, by=SYSTEM)
            count += 1
        self.stdout.write(f"Re-assessed {count} presentations under rule set {RULESET_VERSION}.")
