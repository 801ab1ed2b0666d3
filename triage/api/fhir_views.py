"""The FHIR R4 facade under /fhir/: thin views over the same services, roles and audit as the JSON API.

Each view names the FHIR interaction it serves (`fhir_type`, `fhir_interaction`): the CapabilityStatement is
walked from these routes, so it lists exactly what is routed. Errors are OperationOutcomes with the JSON API's
status codes, each issue's `expression` naming the item (its linkId) or element at fault.
"""

import uuid
from typing import Any

import orjson
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from triage import selectors, services
from triage.api import examples
from triage.api.audit_views import AuditEventPagination
from triage.api.authentication import request_actor
from triage.api.errors import plain_message, problem_exception_handler
from triage.api.fhir import FhirJSONRenderer, audit_event_resource
from triage.api.parsers import StrictJSONParser, json_body
from triage.api.permissions import allow, intake_client
from triage.api.representations import presentation_body, preview_body
from triage.api.views import refuse_unknown_query_parameters
from triage.checks import routes
from triage.contract import InvalidBody, PresentationInput, validated
from triage.fhir import CANONICAL, FHIR_VERSION, MEDIA_TYPE, PATH_PREFIX
from triage.fhir.answers import Faults, link_id_of, response_body
from triage.fhir.questionnaire import QUESTIONNAIRE_ID, code_systems, questionnaire_resource, questions
from triage.fhir.resources import operation_outcome, result_code_systems, risk_assessment_resource, searchset
from triage.fhir.search import InvalidSearch, date_condition, entity_reference
from triage.models import AuditEvent, Presentation, Role
from triage.rulesets import active_ruleset

FHIR = MEDIA_TYPE
FHIR_PREFIX = PATH_PREFIX.lstrip("/")  # as routes are written
ANY_ROLE = allow(Role.INTAKE, Role.CLINICIAN, Role.AUDITOR)


class FhirJSONParser(StrictJSONParser):
    media_type = FHIR


# FHIR's `_format` values and Accept media types that FHIR JSON answers.
JSON_FORMATS = frozenset({"json", "application/json", MEDIA_TYPE, "*/*", "application/*"})
FORMAT = "_format"  # a query parameter every FHIR interaction takes


class FhirOnly(BaseContentNegotiation):
    """FHIR JSON, the one format served: to `_format=json` or an Accept header that takes it (or none); 406 to a
    client that asks for XML alone."""

    def select_parser(self, request: Request, parsers: list) -> Any:
        content_type = request.content_type.partition(";")[0].strip()
        return next((parser for parser in parsers if parser.media_type == content_type), None)

    def select_renderer(self, request: Request, renderers: list, format_suffix: str | None = None) -> tuple:
        wanted = request.query_params.getlist(FORMAT) or [
            media_type.partition(";")[0].strip() for media_type in request.META.get("HTTP_ACCEPT", "*/*").split(",")
        ]
        if not JSON_FORMATS.intersection(wanted):
            raise exceptions.NotAcceptable("Only FHIR JSON is served: `_format=json`, or Accept application/fhir+json.")
        return renderers[0], renderers[0].media_type


def fhir_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """The API's handler (refusals audited, throttles, headers), its problem+json answered as an OperationOutcome."""
    response = problem_exception_handler(exc, context)
    if response is None:
        return None
    problem = response.data if isinstance(response, Response) else orjson.loads(response.content)
    outcome = Response(operation_outcome(problem), status=response.status_code, content_type=FHIR)
    for header in ("WWW-Authenticate", "Retry-After"):
        if header in response:
            outcome[header] = response[header]
    return outcome


def fhir_schema(resource_type: str) -> dict[str, Any]:
    """The OpenAPI schema of a FHIR resource: its type, and the FHIR R4 specification for the rest."""
    return {
        "type": "object",
        "title": resource_type,
        "description": f"A FHIR R4 {resource_type}: https://hl7.org/fhir/R4/{resource_type.lower()}.html",
        "required": ["resourceType"],
        "properties": {"resourceType": {"type": "string", "const": resource_type}},
        "additionalProperties": True,
    }


ERRORS = {
    400: "Invalid: an issue per fault, its expression the item's linkId or the element's path.",
    401: "No credentials, or an invalid or revoked API key.",
    403: "The caller's role may not do this.",
    404: "No such resource (or not one the caller may see).",
    409: "The identifier was already used by this API key with different answers.",
    413: "The request body is larger than 64 KiB.",
    406: "Only FHIR JSON is served (`_format=json`, or Accept application/fhir+json).",
    415: "The request body is not FHIR JSON.",
    429: "Too many requests; see Retry-After.",
}


def fhir_responses(ok: dict[int, tuple[str, str]], *errors: int) -> dict[tuple[int, str], OpenApiResponse]:
    """An operation's responses: `ok` maps each success status to (resource type, description)."""
    answers = {
        (code, FHIR): OpenApiResponse(fhir_schema(resource), description=text) for code, (resource, text) in ok.items()
    }
    answers |= {
        (code, FHIR): OpenApiResponse(fhir_schema("OperationOutcome"), description=ERRORS[code])
        for code in (*errors, 401, 403, 406, 429)
    }
    return answers


class FhirView(APIView):
    """A FHIR interaction: `fhir_type` and `fhir_interaction` name it for the CapabilityStatement."""

    fhir_type = ""
    fhir_interaction = ""
    fhir_search: dict[str, str] = {}  # search parameter -> FHIR type, for search-type
    renderer_classes = [FhirJSONRenderer]
    parser_classes = [FhirJSONParser, StrictJSONParser]
    content_negotiation_class = FhirOnly

    def get_exception_handler(self) -> Any:
        return fhir_exception_handler


def _invalid(faults: Faults) -> exceptions.ValidationError:
    named: dict[str, list[str]] = {}
    for expression, message in faults:
        named.setdefault(expression, []).append(message)
    return exceptions.ValidationError(named)


def _contract_faults(exc: InvalidBody) -> Faults:
    faults = []
    for error in exc.errors:
        link_id, where = link_id_of(error["loc"])
        message = plain_message(error)
        faults.append((link_id, f"{message} ({where})" if where else message))
    return faults


def _assessable(request: Request) -> dict[str, Any]:
    """The JSON API's body a QuestionnaireResponse to the active Questionnaire gives; else a 400 naming every fault:
    the response's own, then the contract's about what could be read."""
    ruleset = active_ruleset()
    response = json_body(request)
    body, faults = response_body(response, questions(ruleset), version=ruleset.version)
    if faults and isinstance(response, dict):
        try:
            validated(PresentationInput, body)
        except InvalidBody as exc:
            named = {expression for expression, _ in faults}
            faults += [
                fault
                for fault in _contract_faults(exc)
                if not any(fault[0] == name or fault[0].startswith(f"{name}.") for name in named)
            ]
    if faults:
        raise _invalid(faults)
    return body


class CapabilityStatementView(FhirView):
    audit_entity = "fhir_metadata"
    permission_classes = [ANY_ROLE]

    @extend_schema(
        operation_id="fhir_metadata",
        summary="The CapabilityStatement: what this FHIR R4 facade supports (any role)",
        responses=fhir_responses({200: ("CapabilityStatement", "Walked from the routes.")}),
        tags=["fhir"],
    )
    def get(self, request: Request) -> Response:
        refuse_unknown_query_parameters(request, None, {FORMAT})
        return Response(capability_statement(request))


def capability_statement(request: Request) -> dict[str, Any]:
    """Every FHIR interaction routed, by resource type."""
    resources: dict[str, dict[str, Any]] = {}
    for route in routes():
        view = getattr(route.view, "view_class", None)
        if not route.path.startswith(FHIR_PREFIX) or not (view and issubclass(view, FhirView) and view.fhir_type):
            continue
        resource = resources.setdefault(view.fhir_type, {"type": view.fhir_type, "interaction": []})
        if view.fhir_interaction.startswith("$"):
            resource.setdefault("operation", []).append(
                {
                    "name": view.fhir_interaction[1:],
                    "definition": f"{CANONICAL}/OperationDefinition/{view.fhir_type}-{view.fhir_interaction[1:]}",
                    "documentation": (view.post.__doc__ or "").strip(),
                }
            )
        else:
            resource["interaction"].append({"code": view.fhir_interaction})
        if view.fhir_search:
            resource["searchParam"] = [{"name": name, "type": kind} for name, kind in view.fhir_search.items()]
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": timezone.now().date().isoformat(),
        "kind": "instance",
        "software": {"name": "twitch-triage", "version": settings.SPECTACULAR_SETTINGS["VERSION"]},
        "implementation": {
            "description": "twitch-triage: facial and muscle twitch red-flag triage",
            "url": request.build_absolute_uri(f"/{FHIR_PREFIX}"),
        },
        "fhirVersion": FHIR_VERSION,
        "format": ["json"],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "description": "Every request needs an API key (`Authorization: Api-Key <key>`); roles as in the "
                    "JSON API: intake submits, intake and clinician read assessments, auditor reads the audit trail."
                },
                "resource": list(resources.values()),
            }
        ],
    }


class QuestionnaireView(FhirView):
    fhir_type, fhir_interaction = "Questionnaire", "read"
    audit_entity = "fhir_questionnaire"
    permission_classes = [ANY_ROLE]

    @extend_schema(
        operation_id="fhir_questionnaire_read",
        summary="The intake Questionnaire `twitch-intake`, generated from the active rule set (any role)",
        description="Every field of the intake contract as an item whose linkId is its dotted path; answer "
        "options from the CodeSystems at /fhir/CodeSystem/{id}; `version` is the active rule set's.",
        responses=fhir_responses({200: ("Questionnaire", "The Questionnaire.")}, 404),
        tags=["fhir"],
    )
    def get(self, request: Request, pk: str) -> Response:
        refuse_unknown_query_parameters(request, None, {FORMAT})
        if pk != QUESTIONNAIRE_ID:
            raise exceptions.NotFound(f"No Questionnaire {pk!r}: the intake form is {QUESTIONNAIRE_ID}.")
        return Response(questionnaire_resource(active_ruleset()))


class CodeSystemView(FhirView):
    fhir_type, fhir_interaction = "CodeSystem", "read"
    audit_entity = "fhir_code_system"
    permission_classes = [ANY_ROLE]

    @extend_schema(
        operation_id="fhir_code_system_read",
        summary="A CodeSystem of the Questionnaire's answers or of a RiskAssessment's codes (any role)",
        responses=fhir_responses({200: ("CodeSystem", "The CodeSystem, complete.")}, 404),
        tags=["fhir"],
    )
    def get(self, request: Request, pk: str) -> Response:
        refuse_unknown_query_parameters(request, None, {FORMAT})
        ruleset = active_ruleset()
        found = (code_systems(ruleset) | result_code_systems(ruleset)).get(pk)
        if found is None:
            raise exceptions.NotFound(f"No CodeSystem {pk!r}.")
        return Response(found)


QUESTIONNAIRE_RESPONSE_DOCS = (
    "A QuestionnaireResponse to `twitch-intake` (status `completed`, `identifier.value` as the idempotency key), "
    "read as strictly as the JSON API reads its body: an unknown linkId or element, an answer of the wrong type, "
    "a code outside the answer set, a missing required item are each named in a 400 OperationOutcome."
)


class QuestionnaireResponseView(FhirView):
    fhir_type, fhir_interaction = "QuestionnaireResponse", "create"
    audit_entity, action = "presentation", "create"  # refusals recorded as the JSON API's (presentation.create)
    permission_classes = [allow(Role.INTAKE)]

    @extend_schema(
        operation_id="fhir_questionnaire_response_create",
        summary="Submit an intake form's answers and get their RiskAssessment (intake)",
        description=f"{QUESTIONNAIRE_RESPONSE_DOCS} Stored and assessed exactly as POST /api/v1/presentations/; "
        "a retry with the same identifier and answers answers 200 with the stored RiskAssessment.",
        request={FHIR: fhir_schema("QuestionnaireResponse")},
        responses=fhir_responses(
            {
                201: ("RiskAssessment", "Stored and assessed; Location names the RiskAssessment."),
                200: ("RiskAssessment", "A retry: the stored result, nothing new."),
            },
            400,
            409,
            413,
            415,
        ),
        examples=examples.form_examples(),
        tags=["fhir"],
    )
    def post(self, request: Request) -> Response:
        body = _assessable(request)
        try:
            presentation, created = services.presentation_submit(
                body=body, client=request.auth, by=request_actor(request)
            )
        except InvalidBody as exc:  # what the active rule set cannot read, if it changed since the form was fetched
            raise _invalid(_contract_faults(exc)) from exc
        shown = presentation_body(presentation)
        resource = risk_assessment_resource(
            shown["assessment"], subject=shown["patient"]["reference"], presentation_id=shown["id"]
        )
        location = f"/{FHIR_PREFIX}RiskAssessment/{shown['id']}"
        return Response(
            resource, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK, headers={"Location": location}
        )


class QuestionnaireResponsePreviewView(FhirView):
    fhir_type, fhir_interaction = "QuestionnaireResponse", "$preview"
    audit_entity = "assessment"
    permission_classes = [allow(Role.INTAKE)]

    @extend_schema(
        operation_id="fhir_questionnaire_response_preview",
        summary="Score a QuestionnaireResponse without storing it (a sandbox; intake)",
        description=f"{QUESTIONNAIRE_RESPONSE_DOCS} Answers the RiskAssessment it would get now (status "
        "`preliminary`, no id) and stores nothing: audited as `assessment.preview`, rate-limited like a POST.",
        request={FHIR: fhir_schema("QuestionnaireResponse")},
        responses=fhir_responses({200: ("RiskAssessment", "Scored, not stored.")}, 400, 413, 415),
        examples=examples.form_examples(preview=True),
        tags=["fhir"],
    )
    def post(self, request: Request) -> Response:
        """Scores a QuestionnaireResponse as a create would, storing nothing: a RiskAssessment, status preliminary."""
        body = _assessable(request)
        try:
            result, assessed_at = services.assessment_preview(body=body, by=request_actor(request))
        except InvalidBody as exc:
            raise _invalid(_contract_faults(exc)) from exc
        assessment = preview_body(result, assessed_at)["assessment"]
        return Response(risk_assessment_resource(assessment, subject=body["patient"]["reference"]))


class RiskAssessmentView(FhirView):
    fhir_type, fhir_interaction = "RiskAssessment", "read"
    audit_entity, action = "presentation", "retrieve"
    audit_entity_type = "Presentation"
    permission_classes = [allow(Role.INTAKE, Role.CLINICIAN)]
    queryset = Presentation.objects.none()  # what the id names, for the route walk; reads go through selectors

    @extend_schema(
        operation_id="fhir_risk_assessment_read",
        summary="A presentation's current assessment as a RiskAssessment (intake: its own; clinician)",
        parameters=[OpenApiParameter("id", uuid.UUID, OpenApiParameter.PATH, description="The presentation's id.")],
        responses=fhir_responses({200: ("RiskAssessment", "The current assessment.")}, 404),
        tags=["fhir"],
    )
    def get(self, request: Request, pk: uuid.UUID) -> Response:
        refuse_unknown_query_parameters(request, None, {FORMAT})
        try:
            presentation = selectors.presentation_get(presentation_id=pk, client=intake_client(request))
        except Presentation.DoesNotExist as exc:
            raise exceptions.NotFound() from exc
        shown = presentation_body(presentation)
        services.presentation_read_record(presentation=presentation, by=request_actor(request))
        return Response(
            risk_assessment_resource(
                shown["assessment"], subject=shown["patient"]["reference"], presentation_id=shown["id"]
            )
        )


class AuditEventSearchPagination(AuditEventPagination):
    cursor_query_param = "_cursor"
    page_size_query_param = "_count"


class AuditEventSearchView(FhirView):
    fhir_type, fhir_interaction = "AuditEvent", "search-type"
    fhir_search = {"date": "date", "entity": "reference"}
    audit_entity, action = "audit_event", "list"
    permission_classes = [allow(Role.AUDITOR)]
    queryset = AuditEvent.objects.all()
    lookup_field = "sequence"  # what names an event, in its id and in the read's audit record

    @extend_schema(
        operation_id="fhir_audit_event_search",
        summary="Search the audit trail: a searchset Bundle, newest first, paged by its `next` link (auditor)",
        parameters=[
            OpenApiParameter(
                "date",
                str,
                many=True,
                explode=True,
                description="When recorded: a FHIR date with a prefix (eq, gt, ge, lt, le), e.g. "
                "`date=ge2026-12-01&date=lt2026-12-06T09:30:00Z`; a date is a day in UTC.",
            ),
            OpenApiParameter("entity", str, description="What it is about: `Presentation/<id>`, or an id alone."),
            OpenApiParameter("_count", int, description="Page size, 1-500 (100)."),
            OpenApiParameter("_cursor", str, description="From a `next` link."),
        ],
        responses=fhir_responses({200: ("Bundle", "A searchset Bundle of AuditEvents.")}, 400, 404),
        tags=["fhir"],
    )
    def get(self, request: Request) -> Response:
        paginator = AuditEventSearchPagination()
        events = paginator.paginate_queryset(self._matching(request), request, view=self)
        services.audit_read_record(sequences=[event.sequence for event in events], by=request_actor(request))
        return Response(
            searchset(
                [audit_event_resource(event) for event in events],
                base=request.build_absolute_uri(f"/{FHIR_PREFIX}"),
                self_url=request.build_absolute_uri(),
                next_url=paginator.get_next_link(),
            )
        )

    def _matching(self, request: Request) -> QuerySet[AuditEvent]:
        known = {*self.fhir_search, "_count", "_cursor", FORMAT}
        errors = {name: ["Unknown search parameter."] for name in request.query_params if name not in known}
        errors |= {
            name: ["Given more than once: give one value."]
            for name, values in request.query_params.lists()
            if name in known - {"date"} and len(values) > 1
        }
        condition = Q()
        for value in request.query_params.getlist("date"):
            try:
                between = date_condition(value)
            except InvalidSearch as exc:
                errors.setdefault("date", []).append(str(exc))
                continue
            if between.start is not None:
                condition &= Q(recorded__gte=between.start)
            if between.end is not None:
                condition &= Q(recorded__lt=between.end)
        if "entity" in request.query_params:
            try:
                kind, entity_id = entity_reference(request.query_params["entity"])
                condition &= Q(entity_id=entity_id) & (Q(entity_type=kind) if kind else Q())
            except InvalidSearch as exc:
                errors["entity"] = [str(exc)]
        if errors:
            raise exceptions.ValidationError(errors)
        return self.queryset.filter(condition)


class AuditEventReadView(FhirView):
    fhir_type, fhir_interaction = "AuditEvent", "read"
    audit_entity, action = "audit_event", "retrieve"
    audit_entity_type = "AuditEvent"
    permission_classes = [allow(Role.AUDITOR)]
    queryset = AuditEvent.objects.all()
    lookup_field = "sequence"

    @extend_schema(
        operation_id="fhir_audit_event_read",
        summary="One audit event as an AuditEvent (auditor)",
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="The event's sequence number.")],
        responses=fhir_responses({200: ("AuditEvent", "The event.")}, 404),
        tags=["fhir"],
    )
    def get(self, request: Request, pk: int) -> Response:
        refuse_unknown_query_parameters(request, None, {FORMAT})
        event = self.queryset.filter(sequence=pk).first()
        if event is None:
            raise exceptions.NotFound()
        services.audit_read_record(sequences=[event.sequence], by=request_actor(request))
        return Response(audit_event_resource(event))
