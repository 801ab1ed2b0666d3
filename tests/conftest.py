import importlib
from collections.abc import Callable

import pgtrigger
import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.core.management.commands import flush
from rest_framework.test import APIClient

from tests.factories import make_api_key
from triage.audit import SYSTEM
from triage.models import ApiKey, Role
from triage.services import api_key_revoke

grant_role_permissions = importlib.import_module("triage.migrations.0004_role_permissions").grant


@pytest.fixture(autouse=True, scope="session")
def _flush_may_empty_the_audit_log():
    """Transactional tests end with a flush (TRUNCATE), which the audit table refuses; let the flush through."""
    original = flush.Command.handle

    def handle(self, *args, **options):
        with pgtrigger.ignore("triage.AuditEvent:audit_no_truncate"):
            return original(self, *args, **options)

    flush.Command.handle = handle
    yield
    flush.Command.handle = original


@pytest.fixture(autouse=True)
def _fresh_counters():
    """Rate limits and repeated-refusal counts live in the worker's cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def intake_key(db) -> tuple[ApiKey, str]:
    return make_api_key("intake-test", Role.INTAKE)


@pytest.fixture
def other_intake_key(db) -> tuple[ApiKey, str]:
    return make_api_key("intake-other", Role.INTAKE)


@pytest.fixture
def clinician_key(db) -> tuple[ApiKey, str]:
    return make_api_key("clinician-test", Role.CLINICIAN)


@pytest.fixture
def auditor_key(db) -> tuple[ApiKey, str]:
    return make_api_key("auditor-test", Role.AUDITOR)


@pytest.fixture
def revoked_key(db) -> tuple[ApiKey, str]:
    api_key, raw = make_api_key("intake-revoked", Role.INTAKE)
    api_key_revoke(name=api_key.name, by=SYSTEM)
    return api_key, raw


@pytest.fixture
def api_as() -> Callable[[str | None], APIClient]:
    """An API client sending `Authorization: Api-Key <raw>` (or no credentials for None)."""

    def client_for(raw_key: str | None) -> APIClient:
        client = APIClient()
        if raw_key is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
        return client

    return client_for


@pytest.fixture
def intake_api(api_as, intake_key) -> APIClient:
    return api_as(intake_key[1])


@pytest.fixture
def clinician_api(api_as, clinician_key) -> APIClient:
    return api_as(clinician_key[1])


def role_user(username: str, role: Role, *, is_staff: bool = False) -> User:
    user = User.objects.create_user(username, password="a-long-test-password", is_staff=is_staff)
    # Transactional tests flush what the data migrations made, so make sure the group and its permissions exist.
    group, _ = Group.objects.get_or_create(name=role)
    grant_role_permissions(apps, None)
    user.groups.add(group)
    return user


@pytest.fixture
def clinician_user(db) -> User:
    return role_user("dr-who", Role.CLINICIAN)


@pytest.fixture
def clinician_staff(db) -> User:
    return role_user("dr-queue", Role.CLINICIAN, is_staff=True)


@pytest.fixture
def auditor_staff(db) -> User:
    return role_user("governance", Role.AUDITOR, is_staff=True)
