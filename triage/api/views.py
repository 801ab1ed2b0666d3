"""Thin DRF views: check the caller, validate, call a service or selector, render."""

import uuid
from functools import partial

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import ViewSet

from triage import selectors, services
from triage.api import examples
from triage.api.authentication import request_actor
from triage.api.pagination import QueuePagination
from triage.api.parsers import json_body
from triage.api.permissions import RolesByAction, allow, intake_client
from triage.api.representations import Presentation as PresentationBody
from triage.api.representations import (
    Preview,
    RuleCatalogue,
    presentation_body,
    preview_body,
    queue_item_body,
    review_body,
    rule_catalogue_body,
)
from triage.api.representations import Review as ReviewBody
from triage.api.serializers import (
    PresentationQuerySerializer,
    ProblemSerializer,
    RuleCatalogueQuerySerializer,
    ValidationProblemSerializer,
)
from triage.contract import PresentationInput, ReviewInput, validated
from triage.models import AuditAction, Presentation, Role
from triage.rules import RULESETS
from triage.rulesets import active_version

PROBLEM = "application/problem+json"
QUEUE_FILTERS = frozenset(PresentationQuerySerializer().fields)


def problems(*codes: int) -> dict[tuple[int, str], OpenApiResponse]:
    """The error responses an operation can give, each a problem+json body."""
    descriptions = {
        400: "Invalid request: `errors` names every bad field by its dotted path.",
        401: "No credentials, or an invalid or revoked API key.",
        403: "The caller's role may not do this.",
        404: "No such presentation (or not one the caller may see), or a cursor the server did not issue.",
        409: "The external_id was already used by this client with a different body.",
        413: "The request body is larger than 64 KiB.",
        415: "The request body is not JSON.",
        429: "Too many requests for this key, or too many failed keys from this address; see Retry-After.",
    }
    # Any operation can be throttled.
    return {
        (code, PROBLEM): OpenApiResponse(
            ValidationProblemSerializer if code == 400 else ProblemSerializer, description=descriptions[code]
        )
        for code in (*codes, 429)
    }


class RuleCatalogueView(APIView):
    audit_entity = "rules"
    permission_classes = [allow(Role.INTAKE, Role.CLINICIAN, Role.AUDITOR)]

    @extend_schema(
        operation_id="rules_list",
        parameters=[RuleCatalogueQuerySerializer],
        responses={200: RuleCatalogue, **problems(400, 401, 403)},
        tags=["rules"],
    )
    def get(self, request: Request) -> Response:
        """The rule catalogue of the active rule set version, or of `version`: every rule with its sources' text,
        and every code list with titles (any role)."""
        refuse_unknown_query_parameters(request, None, set(RuleCatalogueQuerySerializer().fields))
        query = RuleCatalogueQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(rule_catalogue_body(query.validated_data.get("version") or active_version()))


class AssessmentPreviewView(APIView):
    audit_entity = "assessment"
    permission_classes = [allow(Role.INTAKE)]

    @extend_schema(
        operation_id="assessments_preview",
        summary="Score a presentation without storing it (a sandbox)",
        description="Validates exactly as POST /api/v1/presentations/ does and answers the assessment it would get "
        "now under the active rule set, storing nothing: no presentation, no queue entry, no alert. Audited as "
        "`assessment.preview` (without the patient's reference) and rate-limited like a POST.",
        request=PresentationInput,
        responses={200: Preview, **problems(400, 401, 403, 413, 415)},
        examples=examples.presentation_examples(preview=True),
        tags=["assessments"],
    )
    def post(self, request: Request) -> Response:
        result, assessed_at = services.assessment_preview(body=json_body(request), by=request_actor(request))
        return Response(preview_body(result, assessed_at))


@extend_schema_view(
    list=extend_schema(
        summary="The review queue",
        description="Presentations in queue order: level (highest first), then oldest first, then id. "
        "Clinicians see all; an intake client sees only its own.",
        parameters=[PresentationQuerySerializer],
        responses={200: PresentationBody, **problems(400, 401, 403, 404)},
    ),
    retrieve=extend_schema(
        summary="One presentation with its current assessment",
        responses={200: PresentationBody, **problems(401, 403, 404)},
    ),
    create=extend_schema(
        summary="Submit a presentation and get its assessment",
        description="Validates strictly, stores the presentation, scores it under the active rule set version "
        f"({' or '.join(RULESETS)}: `assessment.ruleset_version` says which) and answers 201. "
        "A retry of the same body with the same `external_id` answers 200 with the stored result.",
        request=PresentationInput,
        responses={
            201: OpenApiResponse(PresentationBody, description="Stored and assessed."),
            200: OpenApiResponse(PresentationBody, description="A retry: the stored result, nothing new."),
            **problems(400, 401, 403, 409, 413, 415),
        },
        examples=examples.presentation_examples(),
    ),
    review=extend_schema(
        summary="Record a clinician's review",
        request=ReviewInput,
        responses={201: ReviewBody, **problems(400, 401, 403, 404, 413, 415)},
    ),
)
class PresentationViewSet(RolesByAction, ViewSet):
    audit_entity = "presentation"
    audit_entity_type = "Presentation"
    audit_actions = {"review": AuditAction.UPDATE}
    lookup_value_converter = "uuid"
    pagination_class = QueuePagination
    queryset = Presentation.objects.none()  # for the schema generator; reads go through selectors
    permission_by_action = {
        "create": allow(Role.INTAKE),
        "list": allow(Role.INTAKE, Role.CLINICIAN),
        "retrieve": allow(Role.INTAKE, Role.CLINICIAN),
        "review": allow(Role.CLINICIAN),
    }

    def create(self, request: Request) -> Response:
        presentation, created = services.presentation_submit(
            body=json_body(request), client=request.auth, by=request_actor(request)
        )  # an invalid body is a 400, an ExternalIdConflict a 409 (errors.problem_exception_handler)
        return Response(
            presentation_body(presentation), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    def list(self, request: Request) -> Response:
        refuse_unknown_query_parameters(request, None, {*QUEUE_FILTERS, "cursor", "page_size"})
        filters = PresentationQuerySerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        paginator = QueuePagination()
        rows = paginator.paginate_rows(
            request, partial(selectors.presentation_queue, client=intake_client(request), **filters.validated_data)
        )
        bodies = [queue_item_body(row) for row in rows]  # before the access record: a page that fails shows nothing
        services.presentation_list_record(
            presentation_ids=[row.id for row in rows],
            patient_references=[body["patient"]["reference"] for body in bodies],
            by=request_actor(request),
            event_type="presentation.list",
        )
        return paginator.get_paginated_response(bodies)

    @extend_schema(parameters=[OpenApiParameter("id", uuid.UUID, OpenApiParameter.PATH)])
    def retrieve(self, request: Request, pk: uuid.UUID) -> Response:
        presentation = self._visible(request, pk)
        body = presentation_body(presentation)
        services.presentation_read_record(presentation=presentation, by=request_actor(request))
        return Response(body)

    @extend_schema(parameters=[OpenApiParameter("id", uuid.UUID, OpenApiParameter.PATH)])
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: uuid.UUID) -> Response:
        presentation = self._visible(request, pk)
        review = services.review_create(
            presentation=presentation,
            by=request_actor(request),
            reviewer=request.auth or request.user,
            # The API's review names the person who decided (the admin's form needs not: the user is logged in).
            **validated(ReviewInput, json_body(request)).model_dump(),
        )  # an invalid body is a 400 (errors.problem_exception_handler)
        return Response(review_body(review), status=status.HTTP_201_CREATED)

    def _visible(self, request: Request, pk: uuid.UUID) -> Presentation:
        try:
            return selectors.presentation_get(presentation_id=pk, client=intake_client(request))
        except Presentation.DoesNotExist as exc:
            raise exceptions.NotFound() from exc


def refuse_unknown_query_parameters(request: Request, filterset: type | None, also: set[str]) -> None:
    """A misspelt, empty or repeated filter must not silently change a list: name every such query parameter (400).

    Each parameter takes one value: of `?level=urgent&level=emergency`, only one would be applied.
    """
    known = set(filterset.base_filters if filterset else ()) | also
    errors = {name: ["Unknown query parameter."] for name in request.query_params if name not in known}
    errors |= {
        name: ["Must not be empty."] for name, value in request.query_params.items() if name in known and not value
    }
    errors |= {
        name: ["Given more than once: give one value."]
        for name, values in request.query_params.lists()
        if name in known and len(values) > 1
    }
    if errors:
        raise exceptions.ValidationError(errors)
