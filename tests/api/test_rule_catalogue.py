"""GET /api/v1/rules/: the active rule set (or `?version=`) with its sources and code lists."""

import pytest

from tests.openapi import assert_response_conforms
from triage.evidence import passages
from triage.models import Review
from triage.rules import NEWEST, RULESETS
from triage.rules.vocabulary import HISTORY, LOCATIONS, RECOMMENDATIONS, SYMPTOMS

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(intake_api):
    response = intake_api.get("/api/v1/rules/")
    assert response.status_code == 200
    return response.json()


def test_it_lists_every_rule_of_the_active_version_in_specification_order(catalogue):
    assert catalogue["ruleset_version"] == NEWEST
    assert [rule["code"] for rule in catalogue["rules"]] == [rule.code for rule in RULESETS[NEWEST].rules]
    assert len(catalogue["rules"]) == 57


@pytest.mark.parametrize(("version", "rules"), [("2026.11", 31), ("2027.01", 57)])
def test_any_version_held_is_described_on_request(intake_api, version, rules):
    catalogue = intake_api.get("/api/v1/rules/", {"version": version}).json()

    assert catalogue["ruleset_version"] == version
    assert len(catalogue["rules"]) == rules
    assert [s["code"] for s in catalogue["vocabularies"]["symptoms"]] == list(RULESETS[version].symptoms)


def test_an_unknown_version_is_refused_naming_it(intake_api):
    response = intake_api.get("/api/v1/rules/", {"version": "2099.01"})

    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["version"]


def test_each_rule_carries_its_source_passages_text(catalogue):
    low_calcium = next(rule for rule in catalogue["rules"] if rule["code"] == "low_calcium")

    assert low_calcium["sources"] == [{"id": "S06", "text": passages()["S06"]}]
    assert low_calcium["level"] == "urgent"
    assert low_calcium["points"] == 20
    assert low_calcium["recommendations"] == ["same_day_medical_review"]
    assert low_calcium["title"] and low_calcium["description"]


def test_every_source_text_is_the_shipped_passage(catalogue):
    texts = passages()
    for rule in catalogue["rules"]:
        assert rule["sources"], rule["code"]
        for source in rule["sources"]:
            assert source["text"] == texts[source["id"]]


def test_it_lists_every_code_list_with_titles(catalogue):
    assert [r["code"] for r in catalogue["recommendations"]] == list(RECOMMENDATIONS)
    assert [s["code"] for s in catalogue["vocabularies"]["symptoms"]] == list(SYMPTOMS)
    assert [h["code"] for h in catalogue["vocabularies"]["history"]] == list(HISTORY)
    assert [loc["code"] for loc in catalogue["vocabularies"]["locations"]] == list(LOCATIONS)
    assert [c["code"] for c in catalogue["vocabularies"]["context"]] == list(RULESETS[NEWEST].context)
    assert [d["code"] for d in catalogue["vocabularies"]["dispositions"]] == list(Review.Disposition.values)
    assert all(item["title"] for item in catalogue["recommendations"])


def test_the_catalogue_matches_its_published_schema(intake_api):
    assert_response_conforms(intake_api.get("/api/v1/rules/"), "/api/v1/rules/", "get")


def test_the_catalogue_needs_credentials(client):
    assert client.get("/api/v1/rules/").status_code == 401
