"""Request bodies sent chunked, which Django alone would read as empty."""

import io
from collections.abc import Callable, Iterable
from typing import Any

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class ChunkedBodies:
    """Buffer a body sent with `Transfer-Encoding: chunked` and give it the Content-Length it lacks.

    Django reads a request with no Content-Length as having no body (Django ticket #35838), so
    an intake system that streams its POST would see it refused for missing fields, as if it had
    sent `{}`. gunicorn decodes the chunks itself and sets `wsgi.input_terminated` (on every
    request): the body can then be read to its end. At most `limit + 1` bytes are kept, so that a
    body over the limit still reaches Django as too large (413) rather than cut short; gunicorn
    discards the rest. Such a body is read before the caller is authenticated, as the headers of
    every request are: a slow sender holds a worker thread either way (docs/security.md).
    """

    def __init__(self, app: WSGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        chunked = environ.get("HTTP_TRANSFER_ENCODING") and not environ.get("CONTENT_LENGTH")
        if chunked and environ.get("wsgi.input_terminated"):
            body = environ["wsgi.input"].read(self.limit + 1)
            environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        return self.app(environ, start_response)
