"""Data migrations."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

role_groups = importlib.import_module("triage.migrations.0002_role_groups")


@pytest.mark.django_db
def test_the_role_groups_are_created_once_each():
    Group.objects.filter(name__in=role_groups.ROLES).delete()

    role_groups.create_groups(apps, None)
    role_groups.create_groups(apps, None)

    assert sorted(Group.objects.values_list("name", flat=True)) == ["auditor", "clinician", "intake"]


canonical_payloads = importlib.import_module("triage.migrations.0011_canonical_payloads")
rule_set_releases = importlib.import_module("triage.migrations.0013_rule_set_releases")


@pytest.mark.django_db
def test_presentations_stored_as_submitted_are_rewritten_in_the_contracts_canonical_form():
    """0011 wrote the 2026.11 contract's defaults, 0013 the 2027.01 additions: together, today's canonical form."""
    from django.db import connection

    from tests.factories import load_vignettes, make_presentation
    from triage.contract import canonical
    from triage.models import Presentation

    bodies = [vignette["request"] for vignette in load_vignettes("2026.11") if "status" not in vignette["expect"]]
    for n, body in enumerate(bodies):
        stored = make_presentation(external_id=f"old-{n}")
        Presentation.objects.filter(pk=stored.pk).update(payload={**body, "external_id": f"old-{n}"})  # as submitted

    canonical_payloads.fill_in_defaults(apps, None)
    with connection.cursor() as cursor:
        cursor.execute(rule_set_releases.CANONICAL_2027_01)

    for n, body in enumerate(bodies):
        expected = canonical({**body, "external_id": f"old-{n}"})
        assert Presentation.objects.get(external_id=f"old-{n}").payload == expected
