"""`manage.py revoke_api_key NAME`: the key fails on its next request."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from triage.audit import SYSTEM
from triage.models import ApiKey
from triage.services import api_key_revoke


class Command(BaseCommand):
    help = "Revoke the live API key with this name."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")

    def handle(self, *args: Any, name: str, **options: Any) -> None:
        try:
            api_key = api_key_revoke(name=name, by=SYSTEM)
        except ApiKey.DoesNotExist as exc:
            raise CommandError(f"No live API key named {name!r}.") from exc
        self.stdout.write(f"Revoked key {api_key.name!r} (prefix {api_key.prefix}).")
