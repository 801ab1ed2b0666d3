import json

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

TABLE = "bench_framework_floor"


def _insert(body: object) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (body) VALUES (%s) RETURNING id", [json.dumps(body)])
        (row_id,) = cursor.fetchone()
    return row_id


@csrf_exempt
def insert_one(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"id": _insert(json.loads(request.body))}, status=201)


class InsertOne(APIView):
    """The same insert as a DRF view, with DRF's JSON parser and renderer and no authentication,
    permissions or throttles: what DRF's request and response machinery costs on its own."""

    def post(self, request: Request) -> Response:
        return Response({"id": _insert(request.data)}, status=201)


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [path("insert", insert_one), path("insert-drf", InsertOne.as_view()), path("healthz", healthz)]
