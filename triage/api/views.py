"""Thin DRF views: validate, call a service or selector, render."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from triage.api.serializers import RuleCatalogueSerializer
from triage.selectors import rule_catalogue


class RuleCatalogueView(APIView):
    # Open until the intake API brings keys and roles.
    permission_classes = [AllowAny]

    @extend_schema(operation_id="rules_list", responses=RuleCatalogueSerializer, tags=["rules"])
    def get(self, request: Request) -> Response:
        """The rule catalogue: every rule with its sources' text, and every code list with titles."""
        return Response(rule_catalogue())
