"""A POST streamed with `Transfer-Encoding: chunked` (no Content-Length), served by gunicorn as in production."""

import http.client
import io
import json
from urllib.parse import urlsplit

import pytest

from config.chunked_body import ChunkedBodies
from tests.factories import make_api_key, make_payload
from tests.served import gunicorn
from triage.models import Presentation, Role


def post_chunked(base: str, raw_key: str, body: bytes, chunk_size: int = 100) -> tuple[int, dict]:
    url = urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    chunks = (body[start : start + chunk_size] for start in range(0, len(body), chunk_size))
    headers = {"Authorization": f"Api-Key {raw_key}", "Content-Type": "application/json"}
    # A generator has no length: http.client sends it chunked, and no Content-Length.
    connection.request("POST", "/api/v1/presentations/", body=chunks, headers=headers, encode_chunked=True)
    response = connection.getresponse()
    answer = response.status, json.loads(response.read())
    connection.close()
    return answer


@pytest.mark.django_db(transaction=True)
def test_a_chunked_body_is_read_whole_and_one_too_large_is_refused(tmp_path):
    _api_key, raw_key = make_api_key("chunked-intake", Role.INTAKE)
    payload = make_payload(external_id="chunked-1", notes="n" * 1000)
    too_large = {**make_payload(external_id="chunked-2"), "padding": "x" * (3 * 1024 * 1024)}

    with gunicorn(tmp_path / "gunicorn.log") as base:
        created = post_chunked(base, raw_key, json.dumps(payload).encode())
        refused = post_chunked(base, raw_key, json.dumps(too_large).encode(), chunk_size=64 * 1024)

    assert created[0] == 201, created
    assert Presentation.objects.get(external_id="chunked-1").payload["notes"] == "n" * 1000
    assert refused[0] == 413, refused
    assert not Presentation.objects.filter(external_id="chunked-2").exists()


def test_at_most_one_byte_over_the_limit_is_kept_for_django_to_refuse():
    seen = {}

    def app(environ, start_response):
        seen.update(length=environ["CONTENT_LENGTH"], body=environ["wsgi.input"].read())
        return []

    environ = {"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input_terminated": True, "wsgi.input": io.BytesIO(b"x" * 100)}
    ChunkedBodies(app, limit=10)(environ, None)

    assert seen == {"length": "11", "body": b"x" * 11}


def test_a_body_the_server_did_not_terminate_is_left_to_django():
    environ = {"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": io.BytesIO(b"{}")}

    ChunkedBodies(lambda environ, start_response: [], limit=10)(environ, None)

    assert "CONTENT_LENGTH" not in environ
