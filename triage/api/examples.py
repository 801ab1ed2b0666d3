"""OpenAPI examples taken from the public vignettes shipped as demo data."""

import json
from functools import cache

from django.conf import settings
from drf_spectacular.utils import OpenApiExample

from triage.contract import canonical
from triage.rules import NEWEST, RULESETS, assess, presentation_from_payload

# Demo external ids of the vignettes shown in the docs: a stroke sign, a measured low calcium, an isolated twitch.
SHOWN = {
    "demo-p18": "Sudden slurred speech (emergency)",
    "demo-p15": "Measured low calcium (urgent)",
    "demo-p01": "Isolated eyelid twitch (self-care)",
}


@cache
def presentation_examples() -> list[OpenApiExample]:
    demo = json.loads((settings.BASE_DIR / "fixtures" / "demo_presentations.json").read_text())
    by_id = {payload["external_id"]: payload for payload in demo}
    examples = []
    for external_id, summary in SHOWN.items():
        payload = by_id[external_id]
        result = assess(presentation_from_payload(canonical(payload)), RULESETS[NEWEST])
        examples.append(OpenApiExample(summary, value=payload, request_only=True))
        examples.append(
            OpenApiExample(
                summary,
                value={
                    "id": "019ac4f2-5b7d-7c1e-9a0f-2d6b8e4c7a11",
                    "received_at": "2026-11-26T10:00:00Z",
                    "review_status": "pending",
                    **canonical(payload),
                    "assessment": {
                        "id": "019ac4f2-5b7e-7a1b-8c3d-5e7f9a1b3c5d",
                        "level": result.level.code,
                        "flagged": result.flagged,
                        "score": result.score,
                        "ruleset_version": result.ruleset_version,
                        "assessed_at": "2026-11-26T10:00:00Z",
                        "findings": result.findings_as_dicts(),
                        "recommendations": list(result.recommendations),
                    },
                },
                response_only=True,
                status_codes=["201"],
            )
        )
    examples.append(
        OpenApiExample(
            "Unknown unit",
            value={
                "type": "about:blank",
                "title": "Bad Request",
                "status": 400,
                "detail": "The request is invalid: 1 error.",
                "errors": [{"field": "measurements.blood_glucose.unit", "message": "Unknown code 'mmol'."}],
            },
            response_only=True,
            status_codes=["400"],
        )
    )
    return examples
