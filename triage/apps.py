from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "triage"
    verbose_name = "Twitch triage"

    def ready(self) -> None:
        from triage import auth_events  # noqa: F401  (connects the login audit receivers)
        from triage.api import schema  # noqa: F401  (registers the OpenAPI extensions)
