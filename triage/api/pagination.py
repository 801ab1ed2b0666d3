"""Keyset pagination in queue order: no OFFSET, no COUNT, stable while rows arrive."""

import base64
import binascii
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from triage.models import Presentation
from triage.rules import Level
from triage.selectors import QueuePosition, QueueRow

# ASCII digits: str.isdigit() also holds for "²" or "٣", which int() refuses or reads as 3. At most 18:
# a bigint's range, and far below the 4,300 digits past which int() refuses a string.
WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")
MOST_URGENT_LAST = Presentation.queue_rank_for(Level.SELF_CARE)  # the largest queue rank there is


def page_size_from(request: Request, *, default: int, maximum: int, parameter: str = "page_size") -> int:
    """The page size query parameter: a whole number from 1 to `maximum` (else a 400), or `default`."""
    raw = request.query_params.get(parameter)
    if raw is None:
        return default
    if not WHOLE_NUMBER.fullmatch(raw) or not 1 <= int(raw) <= maximum:
        raise ValidationError({parameter: [f"Must be a whole number from 1 to {maximum}."]})
    return int(raw)


class QueuePagination(BasePagination):
    page_size = 50
    max_page_size = 200

    def paginate_rows(self, request: Request, fetch: Callable[..., list[QueueRow]]) -> list[QueueRow]:
        """A page of what `fetch(after=…, limit=…)` gives in queue order (`selectors.presentation_queue`)."""
        size = self._page_size(request)
        rows = fetch(after=self._decode(request.query_params.get("cursor")), limit=size + 1)
        self.next_url = None
        if len(rows) > size:
            last = rows[size - 1]
            cursor = self._encode(last.queue_rank, last.received_at.isoformat(), str(last.id))
            self.next_url = replace_query_param(request.build_absolute_uri(), "cursor", cursor)
        return rows[:size]

    def get_paginated_response(self, data: list) -> Response:
        return Response({"next": self.next_url, "results": data})

    def _page_size(self, request: Request) -> int:
        return page_size_from(request, default=self.page_size, maximum=self.max_page_size)

    @staticmethod
    def _encode(rank: int, received_at: str, presentation_id: str) -> str:
        key = f"{rank}|{received_at}|{presentation_id}"
        return base64.urlsafe_b64encode(key.encode()).decode()

    @staticmethod
    def _decode(cursor: str | None) -> QueuePosition | None:
        if cursor is None:
            return None
        try:
            rank, received_at, presentation_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
            # A queue rank there is (the level alone since rule set 2027.01: a cursor issued before then, which
            # ranked by level and score, must not read as the end of the queue).
            if not WHOLE_NUMBER.fullmatch(rank) or int(rank) > MOST_URGENT_LAST:
                raise ValueError(rank)
            # In UTC: PostgreSQL refuses offsets that Python accepts (beyond ±15:59).
            return int(rank), datetime.fromisoformat(received_at).astimezone(UTC), uuid.UUID(presentation_id)
        except (ValueError, UnicodeError, binascii.Error, OverflowError) as exc:
            # As DRF's own cursor pagination: a cursor the server did not issue points at no page.
            raise NotFound("Invalid cursor.") from exc

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {"type": ["string", "null"], "format": "uri", "description": "The next page, or null."},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: object) -> list[dict]:
        return [
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "description": "Opaque position from a previous page's `next` link.",
                "schema": {"type": "string", "minLength": 1},
            },
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "description": f"Items per page, 1 to {self.max_page_size} (default {self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
