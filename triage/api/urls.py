from django.urls import path

from triage.api import views

app_name = "api"

urlpatterns = [
    path("rules/", views.RuleCatalogueView.as_view(), name="rules"),
]
