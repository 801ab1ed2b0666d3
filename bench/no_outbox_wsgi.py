"""The service with its alert outbox switched off (no job queued for a flagged case): bench.alerts' baseline."""

from config.wsgi import application  # first: sets Django up

triage_services = __import__("triage.services").services  # after Django's set-up, which an import sort would undo
triage_services.alerts_raise = lambda *args, **kwargs: None

__all__ = ["application"]
