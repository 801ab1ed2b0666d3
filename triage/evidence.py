"""The evidence passages every finding cites, shipped in fixtures/passages.json."""

import json
from functools import cache
from pathlib import Path

PASSAGES_FILE = Path(__file__).resolve().parent.parent / "fixtures" / "passages.json"


@cache
def passages() -> dict[str, str]:
    """Passage id -> text, e.g. "S06" -> "Low levels of calcium can cause …"."""
    document = json.loads(PASSAGES_FILE.read_text(encoding="utf-8"))
    return {passage["id"]: passage["text"] for passage in document["passages"]}
