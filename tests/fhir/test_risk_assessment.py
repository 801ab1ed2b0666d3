"""GET /fhir/RiskAssessment/{id}: a presentation's current assessment, to the roles that may read the presentation."""

import pytest

from tests.factories import make_presentation, symptom
from tests.fhir.forms import parsed
from triage.audit import SYSTEM
from triage.models import AuditEvent
from triage.rules import RULESETS
from triage.services import presentation_reassess

pytestmark = pytest.mark.django_db


def test_it_reads_back_the_current_assessment_and_records_the_read(clinician_api, clinician_key, intake_key):
    presentation = make_presentation(client=intake_key[0], symptoms=[symptom("seizure", "sudden")])

    response = clinician_api.get(f"/fhir/RiskAssessment/{presentation.id}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    risk = parsed(response.json())
    assert risk.id == str(presentation.id)
    assert risk.prediction[0].qualitativeRisk.coding[0].code == "emergency"
    assert risk.subject.identifier.value == presentation.patient_reference
    read = AuditEvent.objects.filter(event_type="presentation.read", entity_id=presentation.id).get()
    assert read.agent_name == clinician_key[0].name


def test_after_a_reassessment_it_shows_the_new_assessment(clinician_api, intake_key):
    presentation = make_presentation(client=intake_key[0])
    presentation_reassess(presentation=presentation, by=SYSTEM, ruleset=RULESETS["2026.11"])

    risk = clinician_api.get(f"/fhir/RiskAssessment/{presentation.id}").json()

    assert risk["method"]["coding"][0]["code"] == "2026.11"


def test_an_intake_client_reads_only_its_own(api_as, intake_key, other_intake_key):
    presentation = make_presentation(client=intake_key[0])

    own = api_as(intake_key[1]).get(f"/fhir/RiskAssessment/{presentation.id}")
    other = api_as(other_intake_key[1]).get(f"/fhir/RiskAssessment/{presentation.id}")

    assert own.status_code == 200
    assert other.status_code == 404
    assert parsed(other.json()).issue[0].code == "not-found"


@pytest.mark.parametrize("presentation_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_an_unknown_id_is_a_404_operation_outcome(clinician_api, presentation_id):
    response = clinician_api.get(f"/fhir/RiskAssessment/{presentation_id}")

    assert response.status_code == 404
    assert parsed(response.json()).get_resource_type() == "OperationOutcome"
