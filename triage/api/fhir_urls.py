"""The FHIR R4 facade's routes (triage.api.fhir_views); the CapabilityStatement is walked from them."""

from django.urls import path, register_converter

from triage.api import fhir_views


class FhirId:
    """A FHIR resource id: 1-64 letters, digits, '-' and '.' (anything else is no resource of ours: a 404)."""

    regex = r"[A-Za-z0-9\-.]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FhirId, "fhir_id")

app_name = "fhir"

urlpatterns = [
    path("metadata", fhir_views.CapabilityStatementView.as_view(), name="metadata"),
    path("Questionnaire/<fhir_id:pk>", fhir_views.QuestionnaireView.as_view(), name="questionnaire"),
    path("CodeSystem/<fhir_id:pk>", fhir_views.CodeSystemView.as_view(), name="code-system"),
    path("QuestionnaireResponse", fhir_views.QuestionnaireResponseView.as_view(), name="questionnaire-response"),
    path(
        "QuestionnaireResponse/$preview",
        fhir_views.QuestionnaireResponsePreviewView.as_view(),
        name="questionnaire-response-preview",
    ),
    path("RiskAssessment/<uuid:pk>", fhir_views.RiskAssessmentView.as_view(), name="risk-assessment"),
    path("AuditEvent", fhir_views.AuditEventSearchView.as_view(), name="audit-event-search"),
    path("AuditEvent/<int:pk>", fhir_views.AuditEventReadView.as_view(), name="audit-event"),
]
