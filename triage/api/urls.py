from django.urls import path
from rest_framework.routers import SimpleRouter

from triage.api import audit_views, views

app_name = "api"

router = SimpleRouter(use_regex_path=False)
router.register("presentations", views.PresentationViewSet, basename="presentation")
router.register("audit-events", audit_views.AuditEventViewSet, basename="audit-event")

urlpatterns = [
    path("rules/", views.RuleCatalogueView.as_view(), name="rules"),
    path("assessments/preview", views.AssessmentPreviewView.as_view(), name="assessment-preview"),
    *router.urls,
]
