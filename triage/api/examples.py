"""OpenAPI examples taken from the public vignettes shipped as demo data."""

import json
from functools import cache

from django.conf import settings
from drf_spectacular.utils import OpenApiExample

from triage.contract import canonical
from triage.fhir import MEDIA_TYPE as FHIR
from triage.fhir.answers import questionnaire_response
from triage.fhir.questionnaire import questions
from triage.fhir.resources import risk_assessment_resource
from triage.rules import NEWEST, RULESETS, assess, presentation_from_payload

# Demo external ids of the vignettes shown in the docs. The first is Swagger UI's default "Try it out" body: the
# self-care one, so that trying the POST never puts a fake emergency into a real queue (the preview stores nothing).
SHOWN = {
    "demo-p01": "Isolated eyelid twitch (self-care)",
    "demo-p15": "Measured low calcium (urgent)",
    "demo-p18": "Sudden slurred speech (emergency)",
}
EXAMPLE_TIME = "2026-11-26T10:00:00Z"
PRESENTATION_ID, ASSESSMENT_ID = "019ac4f2-5b7d-7c1e-9a0f-2d6b8e4c7a11", "019ac4f2-5b7e-7a1b-8c3d-5e7f9a1b3c5d"


def _assessment(result) -> dict:
    return {
        "level": result.level.code,
        "flagged": result.flagged,
        "score": result.score,
        "ruleset_version": result.ruleset_version,
        "assessed_at": EXAMPLE_TIME,
        "findings": result.findings_as_dicts(),
        "recommendations": list(result.recommendations),
    }


@cache
def _shown() -> dict[str, dict]:
    demo = json.loads((settings.BASE_DIR / "fixtures" / "demo_presentations.json").read_text())
    return {payload["external_id"]: payload for payload in demo if payload["external_id"] in SHOWN}


@cache
def presentation_examples(preview: bool = False) -> list[OpenApiExample]:
    """Each shown vignette as a request and its answer: a stored presentation (201), or a preview's (200)."""
    by_id = _shown()
    examples = []
    for external_id, summary in SHOWN.items():
        payload = by_id[external_id]
        result = assess(presentation_from_payload(canonical(payload)), RULESETS[NEWEST])
        examples.append(OpenApiExample(summary, value=payload, request_only=True))
        if preview:
            answer, status = {"assessment": _assessment(result)}, "200"
        else:
            answer, status = (
                {
                    "id": PRESENTATION_ID,
                    "received_at": EXAMPLE_TIME,
                    "review_status": "pending",
                    **canonical(payload),
                    "assessment": {"id": ASSESSMENT_ID, **_assessment(result)},
                },
                "201",
            )
        examples.append(OpenApiExample(summary, value=answer, response_only=True, status_codes=[status]))
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


@cache
def form_examples(preview: bool = False) -> list[OpenApiExample]:
    """The shown vignettes as a form sends them (a QuestionnaireResponse) and their RiskAssessment: stored (201),
    or a preview's (200, nothing stored)."""
    examples = []
    for external_id, summary in SHOWN.items():
        payload = _shown()[external_id]
        result = assess(presentation_from_payload(canonical(payload)), RULESETS[NEWEST])
        form = questionnaire_response(payload, questions(RULESETS[NEWEST]), version=NEWEST)
        assessment = _assessment(result) if preview else {"id": ASSESSMENT_ID, **_assessment(result)}
        risk = risk_assessment_resource(
            assessment,
            subject=payload["patient"]["reference"],
            presentation_id=None if preview else PRESENTATION_ID,
        )
        examples.append(OpenApiExample(summary, value=form, request_only=True, media_type=FHIR))
        examples.append(
            OpenApiExample(
                summary, value=risk, response_only=True, status_codes=["200" if preview else "201"], media_type=FHIR
            )
        )
    return examples
