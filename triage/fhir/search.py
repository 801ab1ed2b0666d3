"""FHIR search parameters of the audit trail: `date` (with its prefixes) and `entity`, as pure functions."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

# FHIR's date search value: a prefix, then a date of any precision, a time needing a UTC offset.
DATE = re.compile(
    r"(?P<prefix>eq|gt|ge|lt|le)?"
    r"(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})"
    r"(?:T(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?P<fraction>\.\d{1,6})?)?"
    r"(?P<offset>Z|[+-]\d{2}:\d{2}))?)?)?",
    re.ASCII,  # \d: 0-9 only, not every script's digits
)
DATE_FORMAT = "a FHIR date, optionally prefixed eq, gt, ge, lt or le (`ge2026-12-01`, `lt2026-12-06T09:30:00Z`)"


class InvalidSearch(ValueError):
    """A search value that cannot be read; its message says what is expected."""


@dataclass(frozen=True)
class Between:
    """Times `start <= t < end`, either end open (None)."""

    start: datetime | None = None
    end: datetime | None = None


def date_condition(value: str) -> Between:
    """The recorded times a `date` search value matches: the value is a period (a year, a month, a day, a minute,
    a second), and `ge2026-12` means from the start of December 2026, `lt2026-12` before it."""
    match = DATE.fullmatch(value)
    if match is None:
        raise InvalidSearch(f"Must be {DATE_FORMAT}.")
    start, end = _period(match)
    prefix = match["prefix"] or "eq"
    return {
        "eq": Between(start, end),
        "ge": Between(start=start),
        "gt": Between(start=end),
        "lt": Between(end=start),
        "le": Between(end=end),
    }[prefix]


def _period(match: re.Match[str]) -> tuple[datetime, datetime]:
    year, month, day = int(match["year"]), int(match["month"] or 1), int(match["day"] or 1)
    try:
        if match["offset"] is None:  # a date: in UTC, as the trail records
            start = datetime(year, month, day, tzinfo=UTC)
        else:
            offset = "+00:00" if match["offset"] == "Z" else match["offset"]
            start = datetime.fromisoformat(
                f"{year:04d}-{month:02d}-{day:02d}T{match['hour']}:{match['minute']}:{match['second'] or '00'}"
                f"{match['fraction'] or ''}{offset}"
            ).astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise InvalidSearch(f"Not a real date or time: must be {DATE_FORMAT}.") from exc
    try:
        return start, _end(match, start)
    except (ValueError, OverflowError):  # a period that ends past year 9999: open to the end of time
        return start, datetime.max.replace(tzinfo=UTC)


def _end(match: re.Match[str], start: datetime) -> datetime:
    if match["offset"] is not None:  # a time: to the next second, minute or microsecond, as precise as given
        if match["fraction"]:
            return start + timedelta(microseconds=1)
        return start + (timedelta(seconds=1) if match["second"] else timedelta(minutes=1))
    if match["day"]:
        return start + timedelta(days=1)
    if match["month"]:
        return (start + timedelta(days=31)).replace(day=1)
    return start.replace(year=start.year + 1)


def entity_reference(value: str) -> tuple[str, str]:
    """An `entity` search value, `Presentation/<id>` or a bare `<id>`, as (type or "", id)."""
    kind, _, entity_id = value.rpartition("/")
    if not entity_id or "\x00" in value or (kind and not re.fullmatch(r"[A-Za-z][A-Za-z_]{0,63}", kind)):
        raise InvalidSearch("Must be a reference: `Presentation/<id>`, `ApiKey/<id>`, or an id alone.")
    return kind, entity_id
