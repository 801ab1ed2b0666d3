"""Audit events as FHIR R4 AuditEvent resources."""

from typing import Any

from triage.api.renderers import FastJSONRenderer
from triage.fhir import MEDIA_TYPE
from triage.models import AuditEvent

EVENT_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/audit-event-type"
ENTITY_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/audit-entity-type"
SUBTYPE_SYSTEM = "urn:twitch-triage:audit-event-type"
# FHIR AuditEvent.outcome: 0 success, 4 minor failure (a refused request).
OUTCOME = {"success": "0", "failure": "4"}


class FhirJSONRenderer(FastJSONRenderer):
    media_type = MEDIA_TYPE
    format = "fhir"


def audit_event_resource(event: AuditEvent) -> dict[str, Any]:
    """The event as a FHIR R4 AuditEvent; the hash chain fields travel as entity details."""
    agent: dict[str, Any] = {
        "type": {"text": event.agent_type},
        "who": {"identifier": {"value": event.agent_name or "anonymous"}},
        "requestor": True,
    }
    if event.agent_role:
        agent["role"] = [{"text": role} for role in event.agent_role.split(",")]
    if event.client_ip:
        agent["network"] = {"address": event.client_ip, "type": "2"}
    entities = []
    if event.entity_type:
        entity = {"type": {"system": ENTITY_TYPE_SYSTEM, "code": "2", "display": "System Object"}}
        if event.entity_id:
            entity["what"] = {"reference": f"{event.entity_type}/{event.entity_id}"}
        entities.append(entity)
    if event.patient_reference:
        entities.append(
            {
                "what": {"identifier": {"value": event.patient_reference}},
                "type": {"system": ENTITY_TYPE_SYSTEM, "code": "1", "display": "Person"},
            }
        )
    entities.append(
        {
            "type": {"system": ENTITY_TYPE_SYSTEM, "code": "4", "display": "Other"},
            # FHIR has no empty strings: a detail without a value (no request id outside a request) is left out.
            "detail": [
                {"type": name, "valueString": value}
                for name, value in (
                    ("sequence", str(event.sequence)),
                    ("request-id", event.request_id),
                    ("prev-hash", event.prev_hash),
                    ("hash", event.hash),
                )
                if value
            ],
        }
    )
    resource: dict[str, Any] = {
        "resourceType": "AuditEvent",
        "id": str(event.sequence),
        "type": {"system": EVENT_TYPE_SYSTEM, "code": "rest", "display": "Restful Operation"},
        "subtype": [{"system": SUBTYPE_SYSTEM, "code": event.event_type}],
        "action": event.action,
        "recorded": event.recorded.isoformat().replace("+00:00", "Z"),
        "outcome": OUTCOME[event.outcome],
        "agent": [agent],
        "source": {"observer": {"display": "twitch-triage"}},
        "entity": entities,
    }
    if event.status is not None:
        resource["outcomeDesc"] = f"HTTP {event.status}"
    return resource
