"""Hostile JSON against the FHIR readers: every input is read or refused with named faults, never a crash (a 500).
schemathesis leaves /fhir/ out (its loose schemas cannot say what FHIR accepts), so this is their fuzzing."""

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage.contract import InvalidBody, PresentationInput, validated
from triage.fhir.answers import link_id_of, response_body
from triage.fhir.questionnaire import QUESTIONNAIRE_URL, questions
from triage.fhir.search import InvalidSearch, date_condition, entity_reference
from triage.rules import RULESETS

ITEMS = questions(RULESETS["2027.01"])
LINK_IDS = ["patient", "patient.age_years", "twitch", "twitch.side", "symptoms", "symptoms.code", "history", "x"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)
answers = st.lists(
    st.dictionaries(
        st.sampled_from(["valueInteger", "valueString", "valueCoding", "valueBoolean", "item", "x"]),
        json_values,
        max_size=2,
    )
    | json_values,
    max_size=3,
)
items = st.recursive(
    st.fixed_dictionaries(
        {"linkId": st.sampled_from(LINK_IDS) | json_values}, optional={"answer": answers | json_values}
    ),
    lambda inner: st.fixed_dictionaries(
        {"linkId": st.sampled_from(LINK_IDS)}, optional={"item": st.lists(inner, max_size=3) | json_values}
    ),
    max_leaves=8,
)
responses = st.fixed_dictionaries(
    {"resourceType": st.just("QuestionnaireResponse"), "status": st.just("completed")},
    optional={
        "questionnaire": st.just(QUESTIONNAIRE_URL) | json_values,
        "identifier": st.just({"value": "form-1"}) | json_values,
        "subject": json_values,
        "item": st.lists(items, max_size=4) | json_values,
    },
)


def read(response: Any) -> None:
    """What the view does with a body: read it, then check what it could read against the contract."""
    body, faults = response_body(response, ITEMS, version="2027.01")
    assert all(isinstance(expression, str) and message for expression, message in faults)
    try:
        validated(PresentationInput, body)
    except InvalidBody as exc:
        assert all(link_id_of(error["loc"])[0] for error in exc.errors)


@pytest.mark.django_db
@settings(max_examples=400, deadline=None)
@given(responses | json_values)
def test_any_json_is_read_or_refused_by_name(response):
    read(response)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_search_value_is_read_or_refused_with_a_reason(value):
    for reader in (date_condition, entity_reference):
        try:
            reader(value)
        except InvalidSearch as exc:
            assert str(exc)
