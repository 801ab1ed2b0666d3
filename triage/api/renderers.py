"""JSON responses rendered by orjson: DRF's bytes, with a fallback DRF's renderer lacks (text that is not valid
UTF-8, such as a lone surrogate, written escaped where DRF's would answer 500)."""

import json
from typing import Any

import orjson
from rest_framework.renderers import JSONRenderer


class FastJSONRenderer(JSONRenderer):
    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        # `default=str` covers what orjson does not know natively, such as DRF's lazily translated messages.
        try:
            content = b"" if data is None else orjson.dumps(data, default=str)
        except orjson.JSONEncodeError:
            # A string orjson cannot write as UTF-8: a lone surrogate, say, in the name of an unknown field
            # an error names (JSON's \u escapes allow it). Written escaped, as ASCII, rather than a 500.
            content = json.dumps(data, default=str, separators=(",", ":")).encode()
        return content
