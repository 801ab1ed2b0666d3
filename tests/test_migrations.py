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


@pytest.mark.django_db
def test_presentations_stored_as_submitted_are_rewritten_in_the_contracts_canonical_form():
    from tests.factories import load_vignettes, make_presentation
    from triage.contract import canonical
    from triage.models import Presentation

    bodies = [vignette["request"] for vignette in load_vignettes() if "status" not in vignette["expect"]]
    for n, body in enumerate(bodies):
        stored = make_presentation(external_id=f"old-{n}")
        Presentation.objects.filter(pk=stored.pk).update(payload={**body, "external_id": f"old-{n}"})  # as submitted

    canonical_payloads.fill_in_defaults(apps, None)

    for n, body in enumerate(bodies):
        expected = canonical({**body, "external_id": f"old-{n}"})
        assert Presentation.objects.get(external_id=f"old-{n}").payload == expected
