"""The AuditEvent search's values, read without a database: `date` (triage.fhir.search.date_condition) as the period
its precision names, narrowed by its prefix, and `entity` (entity_reference) as a type and an id."""

from datetime import UTC, datetime

import pytest

from triage.fhir.search import Between, InvalidSearch, date_condition, entity_reference


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# Each precision's period, as `eq` (or no prefix) matches it: start <= recorded < end.
PERIODS = {
    "2026": (utc(2026, 1, 1), utc(2027, 1, 1)),
    "2026-02": (utc(2026, 2, 1), utc(2026, 3, 1)),
    "2026-12-06": (utc(2026, 12, 6), utc(2026, 12, 7)),
    "2026-12-06T05:10Z": (utc(2026, 12, 6, 5, 10), utc(2026, 12, 6, 5, 11)),
    "2026-12-06T05:10:07Z": (utc(2026, 12, 6, 5, 10, 7), utc(2026, 12, 6, 5, 10, 8)),
    "2026-12-06T05:10:07.123456Z": (utc(2026, 12, 6, 5, 10, 7, 123456), utc(2026, 12, 6, 5, 10, 7, 123457)),
}


@pytest.mark.parametrize(("value", "period"), PERIODS.items(), ids=PERIODS)
def test_it_reads_a_value_without_a_prefix_as_its_whole_period(value, period):
    assert date_condition(value) == Between(*period)


@pytest.mark.parametrize(("value", "period"), PERIODS.items(), ids=PERIODS)
def test_it_reads_eq_as_the_whole_period(value, period):
    assert date_condition(f"eq{value}") == Between(*period)


@pytest.mark.parametrize(("value", "period"), PERIODS.items(), ids=PERIODS)
def test_it_reads_ge_as_from_the_start_of_the_period(value, period):
    assert date_condition(f"ge{value}") == Between(start=period[0])


@pytest.mark.parametrize(("value", "period"), PERIODS.items(), ids=PERIODS)
def test_it_reads_gt_as_from_the_end_of_the_period(value, period):
    assert date_condition(f"gt{value}") == Between(start=period[1])


@pytest.mark.parametrize(("value", "period"), PERIODS.items(), ids=PERIODS)
def test_it_reads_lt_as_before_the_start_of_the_period(value, period):
    assert date_condition(f"lt{value}") == Between(end=period[0])


@pytest.mark.parametrize(("value", "period"), PERIODS.items(), ids=PERIODS)
def test_it_reads_le_as_before_the_end_of_the_period(value, period):
    assert date_condition(f"le{value}") == Between(end=period[1])


def test_it_reads_a_date_as_a_day_in_utc():
    between = date_condition("2026-12-06")

    assert between.start.utcoffset().total_seconds() == 0 and between.end.utcoffset().total_seconds() == 0


def test_it_converts_a_positive_offset_to_utc():
    assert date_condition("2026-12-06T05:10:07+02:00") == Between(
        utc(2026, 12, 6, 3, 10, 7), utc(2026, 12, 6, 3, 10, 8)
    )


def test_it_converts_a_negative_offset_across_midnight_to_utc():
    assert date_condition("2026-12-06T23:30-01:00") == Between(utc(2026, 12, 7, 0, 30), utc(2026, 12, 7, 0, 31))


def test_it_reads_z_as_utc():
    assert date_condition("2026-12-06T05:10Z") == date_condition("2026-12-06T05:10+00:00")


def test_it_reads_a_fraction_of_a_second_as_that_instant_to_the_microsecond():
    assert date_condition("2026-12-06T05:10:07.5Z") == Between(
        utc(2026, 12, 6, 5, 10, 7, 500000), utc(2026, 12, 6, 5, 10, 7, 500001)
    )


def test_it_ends_december_at_the_first_of_january_of_the_next_year():
    assert date_condition("2026-12") == Between(utc(2026, 12, 1), utc(2027, 1, 1))


@pytest.mark.parametrize(
    ("month", "end"),
    [("2026-01", utc(2026, 2, 1)), ("2026-04", utc(2026, 5, 1)), ("2024-02", utc(2024, 3, 1))],
)
def test_it_ends_a_month_at_the_first_of_the_next(month, end):
    assert date_condition(month).end == end


def test_it_ends_the_last_day_of_february_in_a_leap_year_on_the_first_of_march():
    assert date_condition("2024-02-29") == Between(utc(2024, 2, 29), utc(2024, 3, 1))


def test_it_ends_december_31st_on_new_years_day():
    assert date_condition("2026-12-31") == Between(utc(2026, 12, 31), utc(2027, 1, 1))


@pytest.mark.parametrize("value", ["9999-12", "9999-12-31", "9999-12-31T23:59:59Z"])
def test_it_reads_the_last_period_of_the_calendar_as_a_search_not_an_arithmetic_error(value):
    # The year 9999 alone is read with an end at the calendar's end; its last month, day or second must not
    # overflow into an OverflowError, which the view does not catch (a 500 instead of a Bundle or a 400).
    try:
        between = date_condition(value)
    except InvalidSearch:
        return
    assert between.start is not None and between.start.year == 9999


@pytest.mark.parametrize(
    "value",
    [
        "2026-12-06T05:10",  # a time needs an offset
        "2026-12-06T05:10:07",
        "2026-12-06T05:10:07.123",
    ],
)
def test_it_refuses_a_time_without_an_offset(value):
    with pytest.raises(InvalidSearch):
        date_condition(value)


@pytest.mark.parametrize("value", ["2026-13", "2026-00", "2026-12-32", "2026-12-00"])
def test_it_refuses_a_month_or_day_that_does_not_exist(value):
    with pytest.raises(InvalidSearch, match="Not a real date"):
        date_condition(value)


@pytest.mark.parametrize("value", ["2026-02-30", "2026-02-29", "2026-04-31"])
def test_it_refuses_a_day_past_the_end_of_its_month(value):
    with pytest.raises(InvalidSearch, match="Not a real date"):
        date_condition(value)


@pytest.mark.parametrize(
    "value", ["2026-12-06T24:00Z", "2026-12-06T05:60Z", "2026-12-06T05:10:61Z", "2026-12-06T05:10+24:00"]
)
def test_it_refuses_a_time_that_does_not_exist(value):
    with pytest.raises(InvalidSearch):
        date_condition(value)


@pytest.mark.parametrize("prefix", ["ne", "sa", "eb", "ap"])
def test_it_refuses_a_prefix_it_does_not_support(prefix):
    with pytest.raises(InvalidSearch, match="optionally prefixed eq, gt, ge, lt or le"):
        date_condition(f"{prefix}2026-12-06")


@pytest.mark.parametrize(
    "value",
    [
        "",
        "yesterday",
        "ge",
        "26-12-06",
        "2026/12/06",
        "2026-1",
        "2026-12-6",
        "GE2026",
        " 2026",
        "2026\n",
        "2026-12-06T05Z",
        "2026-12-06T05:10:07.1234567Z",  # finer than a microsecond
        "2026-12-06 05:10Z",
    ],
)
def test_it_refuses_what_is_not_a_fhir_date(value):
    with pytest.raises(InvalidSearch):
        date_condition(value)


@pytest.mark.parametrize("value", ["\u0662\u0660\u0662\u0666", "2026-\u0661\u0662", "ge\u0662\u0660\u0662\u0666-12-06"])
def test_it_refuses_digits_other_than_0_to_9(value):
    # Arabic-Indic digits: FHIR's date grammar is 0-9, but `\d` matches any script's digits, and int() reads them.
    with pytest.raises(InvalidSearch):
        date_condition(value)


def test_its_refusal_says_what_a_date_must_be():
    with pytest.raises(InvalidSearch) as refusal:
        date_condition("yesterday")

    assert "FHIR date" in str(refusal.value) and "ge2026-12-01" in str(refusal.value)


def test_it_reads_a_presentation_reference_as_its_type_and_id():
    presentation_id = "0193a4f2-7c1e-7d3a-9b2e-5f6a7b8c9d0e"

    assert entity_reference(f"Presentation/{presentation_id}") == ("Presentation", presentation_id)


def test_it_reads_a_bare_id_as_an_id_of_any_type():
    assert entity_reference("0193a4f2-7c1e-7d3a-9b2e-5f6a7b8c9d0e") == ("", "0193a4f2-7c1e-7d3a-9b2e-5f6a7b8c9d0e")


def test_it_takes_the_id_after_the_last_slash_dots_and_all():
    assert entity_reference("ruleset/2027.01") == ("ruleset", "2027.01")


def test_it_keeps_the_types_spelling():
    assert entity_reference("ApiKey/intake-test") == ("ApiKey", "intake-test")


@pytest.mark.parametrize("value", ["", "Presentation/", "/"])
def test_it_refuses_a_reference_without_an_id(value):
    with pytest.raises(InvalidSearch, match="Must be a reference"):
        entity_reference(value)


@pytest.mark.parametrize("value", ["abc\x00", "Presentation/ab\x00c", "Present\x00ation/abc"])
def test_it_refuses_a_nul_character(value):
    with pytest.raises(InvalidSearch):
        entity_reference(value)


@pytest.mark.parametrize("value", ["1bad/x", "_bad/x", "Pre sentation/x", "a/b/c", "Präsentation/x", "x" * 65 + "/y"])
def test_it_refuses_a_type_that_is_not_a_name(value):
    with pytest.raises(InvalidSearch):
        entity_reference(value)
