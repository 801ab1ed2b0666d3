"""Running the engine alone, under a named rule set version, on a request body as the contract stores it."""

from typing import Any

from tests.factories import finding_codes, make_payload
from triage.contract import canonical
from triage.rules import RULESETS, Assessment, Finding, assess, presentation_from_payload


def assess_under(version: str, payload: dict[str, Any]) -> Assessment:
    return assess(presentation_from_payload(canonical(payload)), RULESETS[version])


def fired_under(version: str, **payload_fields: Any) -> set[str]:
    return finding_codes(assess_under(version, make_payload(**payload_fields)))


def finding(assessment: Assessment, code: str) -> Finding:
    return next(f for f in assessment.findings if f.code == code)


def calcium(value: float, unit: str = "mmol/L", kind: str | None = None) -> dict[str, Any]:
    measurement: dict[str, Any] = {"value": value, "unit": unit}
    if kind is not None:
        measurement["kind"] = kind
    return {"serum_calcium": measurement}


def glucose(value: float, unit: str = "mmol/L") -> dict[str, Any]:
    return {"blood_glucose": {"value": value, "unit": unit}}


def magnesium(value: float, unit: str = "mmol/L") -> dict[str, Any]:
    return {"serum_magnesium": {"value": value, "unit": unit}}
