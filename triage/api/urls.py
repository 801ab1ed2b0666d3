from django.urls import path
from rest_framework.routers import SimpleRouter

from triage.api import views

app_name = "api"

router = SimpleRouter(use_regex_path=False)
router.register("presentations", views.PresentationViewSet, basename="presentation")

urlpatterns = [
    path("rules/", views.RuleCatalogueView.as_view(), name="rules"),
    *router.urls,
]
