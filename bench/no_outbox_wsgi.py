"""The service with its alert outbox switched off (no case ever made alert-due): bench.alerts' baseline."""

from config.wsgi import application  # first: sets Django up

models = __import__("triage.models").models  # after Django's set-up, which an import sort would undo
# A flagged case is stored with alert_due false, as before the outbox: no entry in its partial index.
models.Presentation.alert_due = property(lambda self: False, lambda self, value: None)

__all__ = ["application"]
