"""The rule set versions held side by side: their interface, their vocabularies and their tables."""

import dataclasses
import inspect

import pytest

import triage.rules
from tests.factories import make_payload
from tests.rules.support import assess_under
from triage.evidence import passages
from triage.rules import NEWEST, RULESET_VERSIONS, RULESETS, RuleSet, assess
from triage.rules.measurements import LIMITS, MEASUREMENT_TITLES
from triage.rules.vocabulary import CONTEXT_FLAGS, HISTORY, LOCATIONS, RECOMMENDATIONS, SYMPTOMS

each_version = pytest.mark.parametrize("version", RULESET_VERSIONS)
UNION = {
    "symptoms": SYMPTOMS,
    "history": HISTORY,
    "locations": LOCATIONS,
    "context": dict.fromkeys(CONTEXT_FLAGS),
    "measurements": LIMITS,
    "recommendations": RECOMMENDATIONS,
}


def test_it_holds_every_version_oldest_first_and_names_the_newest():
    assert RULESET_VERSIONS == ("2026.11", "2027.01")
    assert list(RULESETS) == list(RULESET_VERSIONS)
    assert NEWEST == "2027.01"


def test_it_no_longer_exports_a_single_current_rule_set():
    assert not hasattr(triage.rules, "RULES")
    assert not hasattr(triage.rules, "RULESET_VERSION")


def test_a_caller_must_say_which_version_to_assess_under():
    assert inspect.signature(assess).parameters["ruleset"].default is inspect.Parameter.empty


@each_version
def test_each_rule_set_is_immutable_and_knows_its_version(version):
    ruleset = RULESETS[version]

    assert isinstance(ruleset, RuleSet)
    assert ruleset.version == version
    with pytest.raises(dataclasses.FrozenInstanceError):
        ruleset.version = "other"  # type: ignore[misc]


@each_version
@pytest.mark.parametrize("vocabulary", list(UNION))
def test_each_version_lists_codes_of_the_union_vocabularies_once_each(version, vocabulary):
    codes = getattr(RULESETS[version], vocabulary)

    assert isinstance(codes, tuple)
    assert len(codes) == len(set(codes))
    assert set(codes) <= set(UNION[vocabulary])


@pytest.mark.parametrize("vocabulary", ["symptoms", "history", "locations", "context", "measurements"])
def test_older_inputs_keep_their_relative_order_in_the_union(vocabulary):
    older = RULESETS["2026.11"]

    assert [code for code in UNION[vocabulary] if code in getattr(older, vocabulary)] == list(
        getattr(older, vocabulary)
    )


@pytest.mark.parametrize("vocabulary", list(UNION))
def test_the_newest_version_lists_the_whole_union_in_its_order(vocabulary):
    assert list(getattr(RULESETS[NEWEST], vocabulary)) == list(UNION[vocabulary])


def test_2026_11_keeps_its_own_vocabularies():
    older = RULESETS["2026.11"]

    assert len(older.symptoms) == 28
    assert older.history[-1] == "anxiety_disorder"
    assert older.context == ("poor_sleep", "high_stress", "low_fluid_intake")
    assert older.measurements == ("serum_calcium", "blood_glucose")
    assert "do_not_give_food_or_drink" not in older.recommendations


def test_every_measurement_has_a_title():
    assert set(MEASUREMENT_TITLES) == set(LIMITS)


@each_version
def test_each_rule_advises_only_codes_of_its_version_and_cites_known_passages(version):
    ruleset = RULESETS[version]
    known = set(passages())

    for rule in ruleset.rules:
        assert set(rule.recommendations) <= set(ruleset.recommendations), rule.code
        assert rule.sources and set(rule.sources) <= known, rule.code
        assert rule.title and rule.description and "{evidence}" in rule.rationale, rule.code


@each_version
def test_each_rule_appears_once(version):
    codes = [rule.code for rule in RULESETS[version].rules]

    assert len(codes) == len(set(codes))


@pytest.mark.parametrize(("version", "count"), [("2026.11", 31), ("2027.01", 57)])
def test_each_version_has_the_rules_of_its_specification(version, count):
    assert len(RULESETS[version].rules) == count


@each_version
def test_an_assessment_records_the_version_it_was_made_under(version):
    assert assess_under(version, make_payload()).ruleset_version == version


def test_the_same_presentation_can_differ_between_versions():
    payload = make_payload(symptoms=[{"code": "headache", "onset": "sudden", "resolved": True}])
    payload["twitch"].update(locations=["widespread"], side="both", pattern="constant", duration_days=2)

    older = assess_under("2026.11", payload)
    newer = assess_under("2027.01", payload)

    assert older.level.code == "urgent"
    assert newer.level.code == "emergency"
