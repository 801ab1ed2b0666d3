"""`manage.py seed_demo`, which `make run` calls every time it starts."""

import io
import json

import pytest
from django.core.management import call_command

from tests.factories import valid_vignettes
from triage.audit import audit_verify
from triage.models import ApiKey, AuditEvent, Presentation

pytestmark = pytest.mark.django_db


def _seed(tmp_path, monkeypatch) -> str:
    monkeypatch.setattr("triage.management.commands.seed_demo.CREDENTIALS_FILE", tmp_path / "demo.json")
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _printed_key(output: str, label: str) -> str:
    line = next(line for line in output.splitlines() if line.startswith(label))
    return line.split()[-1]


def test_it_loads_the_demo_presentations_and_prints_working_keys(tmp_path, monkeypatch):
    output = _seed(tmp_path, monkeypatch)

    assert Presentation.objects.count() == len(valid_vignettes())
    intake = ApiKey.objects.get_from_key(_printed_key(output, "Intake API key"))
    clinician = ApiKey.objects.get_from_key(_printed_key(output, "Clinician API key"))
    assert (intake.role, clinician.role) == ("intake", "clinician")
    assert "Admin login:       admin / " in output


def test_running_it_twice_changes_nothing_and_prints_the_same_keys(tmp_path, monkeypatch):
    first = _seed(tmp_path, monkeypatch)

    second = _seed(tmp_path, monkeypatch)

    assert Presentation.objects.count() == len(valid_vignettes())
    assert ApiKey.objects.filter(revoked=False).count() == 3
    assert _printed_key(first, "Intake API key") == _printed_key(second, "Intake API key")


def test_credentials_from_another_database_make_new_keys_but_load_nothing_twice(tmp_path, monkeypatch):
    _seed(tmp_path, monkeypatch)
    stored = Presentation.objects.count()
    # The credentials file is one for every database: after a run against another, its keys are not this one's.
    file = tmp_path / "demo.json"
    file.write_text(json.dumps({**json.loads(file.read_text()), "demo-intake": "AAAAAAAA." + "A" * 32}))

    output = _seed(tmp_path, monkeypatch)

    assert ApiKey.objects.get_from_key(_printed_key(output, "Intake API key")).name == "demo-intake"
    assert Presentation.objects.count() == stored


def test_the_demo_keys_and_logins_it_makes_are_in_the_audit_trail(tmp_path, monkeypatch):
    _seed(tmp_path, monkeypatch)
    file = tmp_path / "demo.json"
    file.write_text(json.dumps({**json.loads(file.read_text()), "demo-intake": "AAAAAAAA." + "A" * 32}))

    _seed(tmp_path, monkeypatch)

    events = [(e.event_type, e.agent_name) for e in AuditEvent.objects.filter(entity_type__in=["ApiKey", "User"])]
    assert events.count(("api_key.create", "manage.py")) == 4  # three, then the intake key again
    assert ("api_key.revoke", "manage.py") in events
    assert sorted(e for e, _ in events if e.startswith("user.")) == ["user.create"] * 3
    assert audit_verify().intact
