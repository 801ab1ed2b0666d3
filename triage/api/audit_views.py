"""The audit trail for the auditor role: filterable, cursor-paginated, FHIR on request."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import ReadOnlyModelViewSet

from triage import services
from triage.api.authentication import request_actor
from triage.api.fhir import FhirJSONRenderer, audit_event_resource
from triage.api.filters import AuditEventFilter
from triage.api.pagination import WHOLE_NUMBER, page_size_from
from triage.api.permissions import RolesByAction, allow
from triage.api.renderers import FastJSONRenderer
from triage.api.serializers import AuditEventSerializer
from triage.api.views import problems, refuse_unknown_query_parameters
from triage.models import AuditEvent, Role

FHIR = FhirJSONRenderer.media_type


class AuditEventPagination(CursorPagination):
    ordering = "-sequence"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request: Request) -> int:
        return page_size_from(
            request, default=self.page_size, maximum=self.max_page_size, parameter=self.page_size_query_param
        )

    def decode_cursor(self, request: Request) -> Cursor | None:
        cursor = super().decode_cursor(request)
        # DRF trusts the position inside a cursor; ours is always a sequence number.
        if (
            cursor is not None
            and cursor.position is not None
            and not WHOLE_NUMBER.fullmatch(cursor.position.removeprefix("-"))
        ):
            raise exceptions.NotFound("Invalid cursor.")
        return cursor

    def get_schema_operation_parameters(self, view: object) -> list[dict]:
        return [
            {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string", "minLength": 1}},
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]

    def get_paginated_response_schema(self, schema: dict) -> dict:
        link = {"type": ["string", "null"], "format": "uri"}  # OpenAPI 3.1: null is a type, not `nullable`
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }


@extend_schema_view(
    list=extend_schema(
        summary="The audit trail, newest first",
        responses={200: AuditEventSerializer(many=True), **problems(400, 401, 403, 404)},
    ),
    retrieve=extend_schema(
        summary="One audit event; `?format=fhir` or `Accept: application/fhir+json` for a FHIR R4 AuditEvent",
        parameters=[OpenApiParameter("format", str, enum=["json", "fhir"], description="`fhir` for FHIR R4.")],
        responses={
            (200, "application/json"): AuditEventSerializer,
            (200, FHIR): OpenApiResponse(OpenApiTypes.OBJECT, description="A FHIR R4 AuditEvent resource."),
            **problems(400, 401, 403, 404),
        },
    ),
)
class AuditEventViewSet(RolesByAction, ReadOnlyModelViewSet):
    audit_entity = "audit_event"
    audit_entity_type = "AuditEvent"
    queryset = AuditEvent.objects.all()
    serializer_class = AuditEventSerializer
    permission_by_action = {"list": allow(Role.AUDITOR), "retrieve": allow(Role.AUDITOR)}
    renderer_classes = [FastJSONRenderer, FhirJSONRenderer]
    pagination_class = AuditEventPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = AuditEventFilter
    lookup_field = "sequence"
    lookup_url_kwarg = "pk"
    lookup_value_converter = "int"

    def get_renderers(self) -> list:
        # FHIR for one event only: a page is not a FHIR Bundle, so `Accept: application/fhir+json` on it is a 406.
        renderers = super().get_renderers()
        return [renderer for renderer in renderers if renderer.format != "fhir"] if self.action == "list" else renderers

    def list(self, request: Request) -> Response:
        refuse_unknown_query_parameters(request, AuditEventFilter, {"cursor", "page_size"})
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        services.audit_read_record(sequences=[event.sequence for event in page], by=request_actor(request))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: int) -> Response:
        refuse_unknown_query_parameters(request, None, {"format"})
        requested = request.query_params.get("format", request.accepted_renderer.format)
        if requested not in ("json", "fhir"):
            raise exceptions.ValidationError({"format": ["Must be json or fhir."]})
        event = self.get_object()
        services.audit_read_record(sequences=[event.sequence], by=request_actor(request))
        if requested == "fhir":
            return Response(audit_event_resource(event), content_type=FHIR)
        return Response(self.get_serializer(event).data)
