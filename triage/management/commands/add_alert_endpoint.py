"""`manage.py add_alert_endpoint NAME URL --events … --levels …`: the signing secret printed once, alone on the
last line."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from triage.alert_endpoints import EndpointRefused, endpoint_create
from triage.audit import SYSTEM
from triage.models import ALERT_LEVELS, AlertEvent


class Command(BaseCommand):
    help = "Register an endpoint that receives signed alerts (Standard Webhooks). Its secret is shown once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("url")
        parser.add_argument("--events", required=True, help=f"Comma-separated: {', '.join(AlertEvent.values)}.")
        parser.add_argument("--levels", required=True, help=f"Comma-separated: {', '.join(ALERT_LEVELS)}.")

    def handle(self, *args: Any, name: str, url: str, events: str, levels: str, **options: Any) -> None:
        try:
            endpoint, secret = endpoint_create(
                name=name, url=url, events=events.split(","), levels=levels.split(","), by=SYSTEM
            )
        except EndpointRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Alert endpoint {endpoint.name!r} receives {', '.join(endpoint.events)} for "
            f"{', '.join(endpoint.levels)}. Its signing secret, shown once:"
        )
        self.stdout.write(secret)
