"""Which characters identifiers and free text may hold: what a clinician reads must be what was sent.

Refused everywhere text comes in (the API's fields, the admin's review form): control characters (Cc);
format characters (Cf: bidirectional overrides and isolates, zero-width characters), which can reorder
or hide what a reader sees (`pt-\\u202e3f8a` beside an age of 71 reads as 17); and lone surrogates (Cs),
which PostgreSQL cannot store. Free text may keep its line breaks and tabs.
"""

import sys
import unicodedata
from functools import cache

REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
LINE_BREAKS = frozenset("\n\r\t")
REFUSED_MESSAGE = "Must not contain control characters or invisible formatting characters (such as U+202E)."


def has_refused_characters(text: str, *, allow_line_breaks: bool = False) -> bool:
    """Whether `text` holds a character refused above (line breaks and tabs allowed if `allow_line_breaks`)."""
    allowed = LINE_BREAKS if allow_line_breaks else frozenset()
    return any(unicodedata.category(char) in REFUSED_CATEGORIES and char not in allowed for char in text)


def refused_character_class(*, allow_line_breaks: bool, surrogates: bool = False) -> str:
    """The refused characters as the inside of a regular expression's `[...]`, for Python and JSON Schema alike.

    Code points up to U+FFFF are written as `\\uXXXX` escapes; the few beyond (tag characters, say) as the
    characters themselves, which Python and ECMA-262 regular expressions with the `u` flag (as JSON Schema
    validators use) read as one code point each. `surrogates`: lone surrogates too, for Python only (a JSON
    document cannot hold them).
    """
    ranges = [*_refused_ranges(allow_line_breaks), *([(0xD800, 0xDFFF)] if surrogates else [])]
    return "".join(_written(first) + (f"-{_written(last)}" if last != first else "") for first, last in ranges)


def _refused_ranges(allow_line_breaks: bool) -> list[tuple[int, int]]:
    """Runs of consecutive refused code points."""
    allowed = {ord(char) for char in LINE_BREAKS} if allow_line_breaks else set()
    ranges: list[tuple[int, int]] = []
    for code in _control_and_format_code_points():
        if code in allowed:
            continue
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    return ranges


@cache
def _control_and_format_code_points() -> tuple[int, ...]:
    """Every refused code point but the surrogates, from Python's Unicode database (a tenth of a second, once)."""
    written = REFUSED_CATEGORIES - {"Cs"}  # surrogates are added where wanted: no JSON document holds them
    return tuple(code for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) in written)


def _written(code: int) -> str:
    return f"\\u{code:04x}" if code <= 0xFFFF else chr(code)
