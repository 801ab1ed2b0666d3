"""`make run`'s server, for real: gunicorn serving the app, fetched over loopback."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from tests.factories import make_api_key
from triage.models import Role

REPO = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{quote(db['HOST'], safe='')}:{db['PORT'] or 5432}/{db['NAME']}"


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (loopback only)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (loopback only)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def served_app(transactional_db, tmp_path):
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "served-app-test-secret-key-0123456789-abcdefghijklmnop",
        "DATABASE_URL": _database_url(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [str(gunicorn), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2"],
            cwd=REPO,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if _get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail(f"gunicorn did not start: {log.read_text()[-2000:]}")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_served_app_is_ready_and_serves_docs_and_catalogue(served_app):
    _api_key, raw_key = make_api_key("smoke-intake", Role.INTAKE)

    ready_status, ready_body = _get(f"{served_app}/readyz")
    docs_status, docs_html = _get(f"{served_app}/api/docs/")
    asset_status, _asset = _get(f"{served_app}/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    rules_status, rules_body = _get(f"{served_app}/api/v1/rules/", {"Authorization": f"Api-Key {raw_key}"})
    anonymous_status, _ = _get(f"{served_app}/api/v1/rules/")

    assert ready_status == 200, ready_body
    assert docs_status == 200
    assert b"swagger-ui" in docs_html
    assert asset_status == 200
    assert rules_status == 200
    assert anonymous_status == 401
    assert b'"ruleset_version":"2026.11"' in rules_body
