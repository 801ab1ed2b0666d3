"""What the FHIR endpoints answer besides the Questionnaire: RiskAssessments, OperationOutcomes, the searchset
Bundle, and the CodeSystems a RiskAssessment's codes come from."""

from http import HTTPStatus
from typing import Any

from triage.fhir import CANONICAL
from triage.fhir.answers import PATIENT_REFERENCE_SYSTEM
from triage.fhir.questionnaire import code_system_resource, code_system_url
from triage.rules import Level, RuleSet
from triage.rules.vocabulary import RECOMMENDATIONS

LEVEL_SYSTEM_ID, RULE_SYSTEM_ID, RECOMMENDATION_SYSTEM_ID = "triage-level", "rule", "recommendation"
RULESET_SYSTEM = f"{CANONICAL}/ruleset-version"


def result_code_systems(ruleset: RuleSet) -> dict[str, dict[str, Any]]:
    """The CodeSystems of a RiskAssessment's level, findings (the rules) and mitigations, by id."""
    return {
        LEVEL_SYSTEM_ID: code_system_resource(
            LEVEL_SYSTEM_ID,
            "Triage level",
            tuple((level.code, level.title) for level in Level),
            version=ruleset.version,
        ),
        RULE_SYSTEM_ID: code_system_resource(
            RULE_SYSTEM_ID,
            "Red-flag rule",
            tuple((rule.code, rule.title) for rule in ruleset.rules),
            version=ruleset.version,
        ),
        RECOMMENDATION_SYSTEM_ID: code_system_resource(
            RECOMMENDATION_SYSTEM_ID,
            "Recommendation",
            tuple((code, RECOMMENDATIONS[code]) for code in ruleset.recommendations),
            version=ruleset.version,
        ),
    }


def risk_assessment_resource(
    assessment: dict[str, Any], *, subject: str, presentation_id: str | None = None
) -> dict[str, Any]:
    """An assessment as the API shows it (`representations.Assessment`) as a RiskAssessment: with the
    presentation's id as its own once stored (its current assessment), or, for a preview, with none."""
    level = assessment["level"]
    level_title = Level.from_code(level).title
    findings, recommendations = assessment["findings"], assessment["recommendations"]
    resource: dict[str, Any] = {"resourceType": "RiskAssessment"}
    if presentation_id is not None:  # re-assessment gives it a new version: its assessment's id
        resource["id"] = presentation_id
        resource["meta"] = {"versionId": str(assessment["id"]), "lastUpdated": _instant(assessment["assessed_at"])}
    return (
        resource
        | {
            # A preview scores what would be stored: preliminary, since nothing was.
            "status": "final" if presentation_id is not None else "preliminary",
            "subject": {"type": "Patient", "identifier": {"system": PATIENT_REFERENCE_SYSTEM, "value": subject}},
            "occurrenceDateTime": _instant(assessment["assessed_at"]),
            "method": {
                "coding": [{"system": RULESET_SYSTEM, "code": assessment["ruleset_version"]}],
                "text": f"twitch-triage red-flag rule set {assessment['ruleset_version']}",
            },
            "prediction": [
                {
                    "outcome": {"text": "Triage level"},
                    "qualitativeRisk": {
                        "coding": [{"system": code_system_url(LEVEL_SYSTEM_ID), "code": level, "display": level_title}],
                        "text": level_title,
                    },
                    "rationale": f"Score {assessment['score']} of 100; "
                    + ("flagged for a clinician's review." if assessment["flagged"] else "not flagged."),
                }
            ],
            "basis": [
                {
                    "identifier": {"system": code_system_url(RULE_SYSTEM_ID), "value": finding["code"]},
                    "display": f"{finding['title']} ({Level.from_code(finding['level']).title})",
                }
                for finding in findings
            ],
            "note": [
                {
                    "text": f"{finding['title']} ({Level.from_code(finding['level']).title}): {finding['rationale']} "
                    f"Triggered by: {', '.join(finding['triggered_by'])}. Sources: {', '.join(finding['sources'])}."
                }
                for finding in findings
            ],
        }
        | ({"mitigation": "\n".join(RECOMMENDATIONS[code] for code in recommendations)} if recommendations else {})
    )


def _instant(value: str) -> str:
    return value.replace("+00:00", "Z")


# FHIR's issue types for the API's statuses (http://hl7.org/fhir/R4/valueset-issue-type.html).
ISSUE_TYPES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    409: "duplicate",
    413: "too-long",
    415: "not-supported",
    429: "throttled",
    500: "exception",
    503: "transient",
}


def operation_outcome(problem: dict[str, Any]) -> dict[str, Any]:
    """A problem+json body (triage.api.errors) as an OperationOutcome: an issue per error, its `expression` the
    field's name (for the FHIR endpoints: a linkId or an element's path)."""
    status = problem["status"]
    errors = problem.get("errors") or [{"field": "", "message": problem["detail"]}]
    issues = []
    for error in errors:
        issue: dict[str, Any] = {
            "severity": "error",
            "code": ISSUE_TYPES.get(status, "processing"),
            "details": {"text": HTTPStatus(status).phrase},
            "diagnostics": error["message"],
        }
        if error["field"] and error["field"] != "body":
            issue["expression"] = [error["field"]]
        issues.append(issue)
    return {"resourceType": "OperationOutcome", "issue": issues}


def searchset(resources: list[dict[str, Any]], *, base: str, self_url: str, next_url: str | None) -> dict[str, Any]:
    """A page of search results: `base` is the FHIR base URL the entries' fullUrls are under."""
    links = [{"relation": "self", "url": self_url}]
    if next_url:
        links.append({"relation": "next", "url": next_url})
    entries = [
        {
            "fullUrl": f"{base}{resource['resourceType']}/{resource['id']}",
            "resource": resource,
            "search": {"mode": "match"},
        }
        for resource in resources
    ]
    # FHIR JSON has no empty arrays: a search that finds nothing has no `entry`.
    return {"resourceType": "Bundle", "type": "searchset", "link": links} | ({"entry": entries} if entries else {})
