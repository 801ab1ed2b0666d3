from django.contrib import admin
from django.urls import include, path

from triage import health, metrics
from triage.api.docs import RedocView, SchemaView, SwaggerView

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.scrape, name="metrics"),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", SwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", RedocView.as_view(url_name="schema"), name="redoc"),
    path("api/v1/", include("triage.api.urls")),
    path("fhir/", include("triage.api.fhir_urls")),
    path("admin/", admin.site.urls),
]

handler400 = "triage.api.errors.bad_request"
handler403 = "triage.api.errors.permission_denied"
handler404 = "triage.api.errors.page_not_found"
handler500 = "triage.api.errors.server_error"
