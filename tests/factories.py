"""Builders for test data: request payloads and stored presentations."""

import copy
import json
from pathlib import Path
from typing import Any

from triage.audit import SYSTEM
from triage.contract import canonical
from triage.models import ApiKey, Presentation, Role
from triage.rules import Assessment, assess, presentation_from_payload
from triage.services import api_key_create, presentation_create

# The service implements rule set 2026.11 until 2027.01 is released (issue 22): test against that version's cases.
_SHARED_VIGNETTES = Path(__file__).resolve().parents[2] / "shared" / "vignettes" / "public-2026.11.jsonl"
_COPIED_VIGNETTES = Path(__file__).resolve().parent / "fixtures" / "public_vignettes.jsonl"
# The shared copy is the source of truth when it sits beside the checkout; the copy keeps tests self-contained.
VIGNETTES_FILE = _SHARED_VIGNETTES if _SHARED_VIGNETTES.exists() else _COPIED_VIGNETTES


def load_vignettes() -> list[dict[str, Any]]:
    return [json.loads(line) for line in VIGNETTES_FILE.read_text().splitlines() if line.strip()]


def valid_vignettes() -> list[dict[str, Any]]:
    return [v for v in load_vignettes() if "status" not in v["expect"]]


def invalid_vignettes() -> list[dict[str, Any]]:
    return [v for v in load_vignettes() if "status" in v["expect"]]


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


def assess_payload(payload: dict[str, Any]) -> Assessment:
    return assess(presentation_from_payload(canonical(payload)))


def finding_codes(assessment: Assessment) -> set[str]:
    return {finding.code for finding in assessment.findings}


def make_api_key(name: str = "intake-test", role: Role = Role.INTAKE) -> tuple[ApiKey, str]:
    return api_key_create(name=name, role=role, by=SYSTEM)


def make_presentation(client: ApiKey | None = None, **payload_overrides: Any) -> Presentation:
    return presentation_create(payload=make_payload(**payload_overrides), client=client, by=SYSTEM)
