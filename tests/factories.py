"""Builders for test data: request payloads and stored presentations."""

import copy
import json
from pathlib import Path
from typing import Any

from triage.audit import SYSTEM
from triage.contract import canonical
from triage.models import ApiKey, Presentation, Role
from triage.rules import RULESETS, Assessment, assess, presentation_from_payload
from triage.services import api_key_create, presentation_create

# Each rule set version's public cases, copied from ../shared/vignettes (tests/test_fixture_copies.py keeps them equal).
VIGNETTE_FILES = {
    "2026.11": Path(__file__).resolve().parent / "fixtures" / "public_vignettes_2026_11.jsonl",
    "2027.01": Path(__file__).resolve().parent / "fixtures" / "public_vignettes_2027_01.jsonl",
}
NEWEST_VIGNETTES = "2027.01"


def load_vignettes(version: str = NEWEST_VIGNETTES) -> list[dict[str, Any]]:
    return [json.loads(line) for line in VIGNETTE_FILES[version].read_text().splitlines() if line.strip()]


def valid_vignettes(version: str = NEWEST_VIGNETTES) -> list[dict[str, Any]]:
    return [v for v in load_vignettes(version) if "status" not in v["expect"]]


def invalid_vignettes(version: str = NEWEST_VIGNETTES) -> list[dict[str, Any]]:
    return [v for v in load_vignettes(version) if "status" in v["expect"]]


def make_payload(
    *,
    symptoms: list[dict[str, Any]] | None = None,
    history: list[str] | None = None,
    measurements: dict[str, Any] | None = None,
    context: dict[str, bool] | None = None,
    notes: str | None = None,
    external_id: str = "form-1",
    **twitch: Any,
) -> dict[str, Any]:
    """A valid request body: an isolated left eyelid twitch of 7 days unless told otherwise."""
    payload: dict[str, Any] = {
        "external_id": external_id,
        "patient": {"reference": "pt-test", "age_years": 45, "sex": "unknown"},
        "twitch": {"locations": ["eyelid"], "side": "left", "duration_days": 7, **twitch},
    }
    for key, value in (
        ("symptoms", symptoms),
        ("history", history),
        ("measurements", measurements),
        ("context", context),
        ("notes", notes),
    ):
        if value is not None:
            payload[key] = copy.deepcopy(value)
    return payload


def symptom(code: str, onset: str, resolved: bool = False) -> dict[str, Any]:
    return {"code": code, "onset": onset, "resolved": resolved}


def assess_payload(payload: dict[str, Any], version: str = NEWEST_VIGNETTES) -> Assessment:
    return assess(presentation_from_payload(canonical(payload)), RULESETS[version])


def finding_codes(assessment: Assessment) -> set[str]:
    return {finding.code for finding in assessment.findings}


def make_api_key(name: str = "intake-test", role: Role = Role.INTAKE) -> tuple[ApiKey, str]:
    return api_key_create(name=name, role=role, by=SYSTEM)


def make_presentation(client: ApiKey | None = None, **payload_overrides: Any) -> Presentation:
    return presentation_create(payload=make_payload(**payload_overrides), client=client, by=SYSTEM)
