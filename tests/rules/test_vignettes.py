"""Every valid public vignette, run through the engine alone."""

import pytest

from tests.factories import assess_payload, finding_codes, valid_vignettes


@pytest.mark.parametrize("vignette", valid_vignettes(), ids=lambda v: v["id"])
def test_engine_gives_the_expected_assessment(vignette):
    expect = vignette["expect"]

    result = assess_payload(vignette["request"])

    assert result.level.code == expect["level"]
    assert result.flagged is expect["flagged"]
    assert result.score == expect["score"]
    assert finding_codes(result) == set(expect["findings"])
    assert set(result.recommendations) == set(expect["recommendations"])
    assert len(result.recommendations) == len(set(result.recommendations))
    assert result.ruleset_version == "2026.11"


def test_there_are_public_vignettes_to_check():
    assert len(valid_vignettes()) >= 30
