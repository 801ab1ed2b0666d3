"""Every valid public vignette of each rule set version, run through the engine alone under that version."""

import pytest

from tests.factories import finding_codes, valid_vignettes
from tests.rules.support import assess_under
from triage.rules import RULESET_VERSIONS

CASES = [
    pytest.param(version, vignette, id=f"{version}-{vignette['id']}")
    for version in RULESET_VERSIONS
    for vignette in valid_vignettes(version)
]


@pytest.mark.parametrize(("version", "vignette"), CASES)
def test_engine_gives_the_expected_assessment(version, vignette):
    expect = vignette["expect"]

    result = assess_under(version, vignette["request"])

    assert result.ruleset_version == version
    assert result.level.code == expect["level"]
    assert result.flagged is expect["flagged"]
    assert result.score == expect["score"]
    assert finding_codes(result) == set(expect["findings"])
    assert set(result.recommendations) == set(expect["recommendations"])
    assert len(result.recommendations) == len(set(result.recommendations))


@pytest.mark.parametrize(
    ("version", "vignette"), [case for case in CASES if "recommendations_in_order" in case.values[1]["expect"]]
)
def test_engine_gives_the_recommendations_in_the_expected_order(version, vignette):
    result = assess_under(version, vignette["request"])

    assert list(result.recommendations) == vignette["expect"]["recommendations_in_order"]


@pytest.mark.parametrize(("version", "minimum"), [("2026.11", 30), ("2027.01", 60)])
def test_there_are_public_vignettes_to_check(version, minimum):
    assert len(valid_vignettes(version)) >= minimum


def test_every_newest_vignette_states_the_order_of_its_recommendations():
    assert all("recommendations_in_order" in v["expect"] for v in valid_vignettes("2027.01"))
