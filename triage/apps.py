from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate


class TriageConfig(AppConfig):
    name = "triage"
    verbose_name = "Twitch triage"

    def ready(self) -> None:
        from triage import auth_events  # noqa: F401  (connects the login audit receivers)
        from triage.api import schema  # noqa: F401  (registers the OpenAPI extensions)
        from triage.checks import unmapped_actions
        from triage.rulesets import record_version_in_use

        checks.register(unmapped_actions, checks.Tags.urls, checks.Tags.security)
        post_migrate.connect(record_version_in_use, sender=self)
