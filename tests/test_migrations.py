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
