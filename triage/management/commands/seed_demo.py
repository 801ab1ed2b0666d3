"""Load the demo presentations and make demo credentials; safe to run again."""

import json
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from triage.audit import SYSTEM
from triage.models import ApiKey, Presentation, Role
from triage.selectors import user_privileges
from triage.services import api_key_create, api_key_revoke, presentation_create, privileges_record

DEMO_PRESENTATIONS = settings.BASE_DIR / "fixtures" / "demo_presentations.json"
# Raw demo secrets are kept under var/ (git-ignored) so a second run can print them again.
CREDENTIALS_FILE = settings.VAR_DIR / "demo-credentials.json"
DEMO_KEYS = {"demo-intake": Role.INTAKE, "demo-clinician": Role.CLINICIAN, "demo-auditor": Role.AUDITOR}
ADMIN_USERNAME = "admin"
# Staff logins for the admin: a clinician works the queue, an auditor reads the audit log.
DEMO_LOGINS = {"clinician": Role.CLINICIAN, "auditor": Role.AUDITOR}


class Command(BaseCommand):
    help = "Create demo API keys and an admin login, and load the demo presentations (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        credentials = _read(CREDENTIALS_FILE)
        for name, role in DEMO_KEYS.items():
            if not ApiKey.objects.is_valid(credentials.get(name, "")):
                if ApiKey.objects.filter(name=name, revoked=False).exists():  # another database's file
                    api_key_revoke(name=name, by=SYSTEM)
                _key, credentials[name] = api_key_create(name=name, role=role, by=SYSTEM)
        for username in (ADMIN_USERNAME, *DEMO_LOGINS):
            credentials.setdefault(username, secrets.token_urlsafe(12))
            _ensure_login(username, credentials[username], DEMO_LOGINS.get(username))
        _write(CREDENTIALS_FILE, credentials)

        intake = ApiKey.objects.get_from_key(credentials["demo-intake"])
        # Loaded once per database, under whichever demo intake key was live then: the credentials file is one
        # for every database, so switching databases makes a new key, which must not load the demo again.
        demo = Presentation.objects.filter(client__name="demo-intake")
        loaded = 0
        for payload in json.loads(DEMO_PRESENTATIONS.read_text()):
            if not demo.filter(external_id=payload["external_id"]).exists():
                presentation_create(payload=payload, client=intake, by=SYSTEM)
                loaded += 1

        self.stdout.write(f"Demo presentations: {loaded} loaded, {Presentation.objects.count()} in total")
        self.stdout.write(f"Intake API key:    {credentials['demo-intake']}")
        self.stdout.write(f"Clinician API key: {credentials['demo-clinician']}")
        self.stdout.write(f"Auditor API key:   {credentials['demo-auditor']}")
        self.stdout.write(f"Admin login:       {ADMIN_USERNAME} / {credentials[ADMIN_USERNAME]}")
        self.stdout.write(f"Clinician login:   clinician / {credentials['clinician']}")
        self.stdout.write(f"Auditor login:     auditor / {credentials['auditor']}")


def _ensure_login(username: str, password: str, role: Role | None) -> None:
    """A staff user with this password: a superuser without a role, else a member of the role's group."""
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"is_staff": True, "is_superuser": role is None}
    )
    before = None if created else user_privileges(user)
    if not user.check_password(password):
        user.set_password(password)
        user.save()
    if role is not None:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    # Who may do what changes only with an audit event, here as in the admin.
    privileges_record(entity_type="User", name=username, before=before, after=user_privileges(user), by=SYSTEM)


def _read(path: Path) -> dict[str, str]:
    return json.loads(path.read_text()) if path.exists() else {}


def _write(path: Path, credentials: dict[str, str]) -> None:
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(credentials, indent=2))
    path.chmod(0o600)
