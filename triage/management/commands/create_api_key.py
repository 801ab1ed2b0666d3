"""`manage.py create_api_key NAME --role ROLE`: the raw key is printed once, alone on the last line."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError

from triage.audit import SYSTEM
from triage.models import Role
from triage.services import api_key_create


class Command(BaseCommand):
    help = "Create an API key for a machine client. The key is shown once and stored only as a hash."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="A unique name for the client, e.g. clinic-a-intake")
        parser.add_argument("--role", required=True, choices=Role.values)

    def handle(self, *args: Any, name: str, role: str, **options: Any) -> None:
        try:
            api_key, raw_key = api_key_create(name=name, role=role, by=SYSTEM)
        except IntegrityError as exc:
            raise CommandError(f"A live key named {name!r} already exists; revoke it first.") from exc
        self.stdout.write(f"Created {api_key.role} key {api_key.name!r} (prefix {api_key.prefix}). Store it now:")
        self.stdout.write(raw_key)
