"""The FHIR R4 facade's routes (triage.api.fhir_views); the CapabilityStatement is walked from them."""

from django.urls import path

from triage.api import fhir_views

app_name = "fhir"

urlpatterns = [
    path("metadata", fhir_views.CapabilityStatementView.as_view(), name="metadata"),
    path("Questionnaire/<str:pk>", fhir_views.QuestionnaireView.as_view(), name="questionnaire"),
    path("CodeSystem/<str:pk>", fhir_views.CodeSystemView.as_view(), name="code-system"),
    path("QuestionnaireResponse", fhir_views.QuestionnaireResponseView.as_view(), name="questionnaire-response"),
    path(
        "QuestionnaireResponse/$preview",
        fhir_views.QuestionnaireResponsePreviewView.as_view(),
        name="questionnaire-response-preview",
    ),
    path("RiskAssessment/<str:pk>", fhir_views.RiskAssessmentView.as_view(), name="risk-assessment"),
    path("AuditEvent", fhir_views.AuditEventSearchView.as_view(), name="audit-event-search"),
    path("AuditEvent/<int:pk>", fhir_views.AuditEventReadView.as_view(), name="audit-event"),
]
