"""schemathesis against the service's own OpenAPI schema: every operation, with a real key for each role."""

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

from tests.conftest import grant_role_permissions
from tests.factories import make_api_key
from tests.served import REPO, gunicorn
from triage.models import Role

pytestmark = pytest.mark.fuzz

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
        "positive_data_acceptance",
        "ignored_auth",
    ]
)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", [Role.INTAKE, Role.CLINICIAN, Role.AUDITOR])
def test_the_api_keeps_its_schema_under_fuzzing(tmp_path, monkeypatch, role):
    # Real data to read: the demo presentations, their assessments, reviews and audit events.
    grant_role_permissions(apps, None)
    monkeypatch.setattr("triage.management.commands.seed_demo.CREDENTIALS_FILE", tmp_path / "demo.json")
    call_command("seed_demo", stdout=io.StringIO())
    _key, raw = make_api_key(f"fuzz-{role}", role)
    # Hammering with bad keys is part of the run: lift the failed-key limit, or every check would see 429.
    limits = {"API_FAILED_AUTH_RATE": "100000/min", "API_KEY_RATE": "100000/min"}

    with gunicorn(tmp_path / "gunicorn.log", workers=2, threads=4, **limits) as base:
        result = subprocess.run(
            [
                str(Path(sys.executable).parent / "schemathesis"), "run", f"{base}/api/schema/",
                "--header", f"Authorization: Api-Key {raw}",
                "--checks", CHECKS,
                "--max-examples", str(EXAMPLES),
                "--seed", "2026",
                "--request-timeout", "30",
                # The FHIR facade's bodies and search values are FHIR's, which its loose schemas do not pin down:
                # schema-valid data would be refused there. tests/fhir fuzzes its readers directly instead.
                "--exclude-path-regex", "^/fhir/",
            ],
            cwd=REPO,
            env={**os.environ, "SCHEMATHESIS_HOOKS": "tests.fuzz.hooks", "NO_COLOR": "1"},
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )  # fmt: skip

    summary = re.search(r"Test cases:\s*\n\s*(.+)", result.stdout)
    print(f"\nschemathesis as {role}, {EXAMPLES} examples per operation: {summary.group(1) if summary else '?'}")
    assert result.returncode == 0, result.stdout[-6000:]
    assert "8/16" in result.stdout  # every operation of the JSON API was selected (the other 8 are FHIR's)
