"""`manage.py createsuperuser` leaves an audit event, as a superuser made in the admin does."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from triage.audit import audit_verify
from triage.models import AuditEvent

pytestmark = pytest.mark.django_db


class TTY:
    """A terminal for Django's prompts."""

    def isatty(self) -> bool:
        return True


def _create(monkeypatch, username: str) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-password-for-tests-0123")
    call_command("createsuperuser", "--noinput", username=username, email="ops@example.org", verbosity=0)


def test_a_superuser_made_on_the_command_line_is_an_audited_user_create(monkeypatch):
    get_user_model().objects.create_user("already-there")

    _create(monkeypatch, "ops")

    (event,) = AuditEvent.objects.filter(event_type="user.create")  # the new superuser's, no one else's
    assert (event.entity_id, event.agent_type, event.agent_name) == ("ops", "system", "manage.py")
    assert event.detail["before"] is None
    assert event.detail["after"]["is_superuser"] is True
    assert audit_verify().intact


def test_a_superuser_made_at_the_prompts_is_audited_too(monkeypatch):
    answers = iter(["ops", "ops@example.org"])
    monkeypatch.setattr("builtins.input", lambda _prompt="": next(answers))
    monkeypatch.setattr("getpass.getpass", lambda _prompt="": "a-long-password-for-tests-0123")

    call_command("createsuperuser", interactive=True, stdin=TTY(), verbosity=0)

    event = AuditEvent.objects.get(event_type="user.create")
    assert event.entity_id == "ops"


def test_no_superuser_is_left_without_its_event(monkeypatch):
    def refuse(**_kwargs):
        raise RuntimeError("the audit trail is unavailable")

    monkeypatch.setattr("triage.management.commands.createsuperuser.privileges_record", refuse)

    with pytest.raises(RuntimeError):
        _create(monkeypatch, "ops")

    assert not get_user_model().objects.filter(username="ops").exists()
