"""Production settings pass Django's deployment checklist; debug is never the default."""

import os
import secrets
import subprocess
import sys

from tests.served import REPO, database_url


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    inherited = {name: value for name, value in os.environ.items() if name != "DJANGO_DEBUG"}
    environment = {**inherited, "DJANGO_SETTINGS_MODULE": "config.settings", **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=environment, capture_output=True, text=True, check=False
    )


def test_check_deploy_passes_with_production_settings(db):
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50), DATABASE_URL=database_url(), DJANGO_HTTPS="true",
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off(db):
    result = manage("check", DJANGO_SECRET_KEY="", DATABASE_URL=database_url())

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_a_misspelt_boolean_setting_fails_loudly(db):
    result = manage("check", DJANGO_DEBUG="ture", DJANGO_SECRET_KEY="x" * 50, DATABASE_URL=database_url())

    assert result.returncode != 0
    assert "DJANGO_DEBUG must be true or false" in result.stderr
