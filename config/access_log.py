"""gunicorn's access log: each request's path as it was sent, never its query string or Referer."""

from typing import Any

from gunicorn.glogging import Logger


class PathOnlyAccessLogger(Logger):
    """Query strings carry admin searches and audit filters by patient reference: the path alone is logged.

    The path is the one the client sent, still percent-encoded: gunicorn's decoded path (`%(U)s`) would turn a
    sent `%0a` into a line break, and so let anyone write a line of their own into the log.
    """

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = environ.get("RAW_URI", "").partition("?")[0]
        return atoms
