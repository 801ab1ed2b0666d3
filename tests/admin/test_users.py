"""Django users in the admin: every change of who may do what is in the audit trail."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.forms import MultiWidget
from django.test import Client

from triage.audit import audit_verify
from triage.models import AuditEvent, Role

pytestmark = pytest.mark.django_db

USERS = "/admin/auth/user/"


@pytest.fixture
def superuser_client(clinician_staff) -> Client:  # clinician_staff: the role groups exist
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="a-long-test-password"))
    return client


def posted_change_form(client: Client, user: User, **changes) -> int:
    """POST the user's change form as the page shows it, with `changes`; return the status."""
    form = client.get(f"{USERS}{user.pk}/change/").context["adminform"].form
    data: dict = {}
    for bound in form:
        value = changes.get(bound.name, bound.value())
        if isinstance(bound.field.widget, MultiWidget):
            parts = bound.field.widget.decompress(value)
            data |= {f"{bound.html_name}_{i}": "" if part is None else part for i, part in enumerate(parts)}
        elif value not in (None, False):
            data[bound.html_name] = "on" if value is True else value
    return client.post(f"{USERS}{user.pk}/change/", data).status_code


def user_events() -> list[tuple[str, str, str, dict]]:
    events = AuditEvent.objects.filter(entity_type="User").order_by("sequence")
    return [(e.event_type, e.entity_id, e.agent_name, e.detail) for e in events]


def test_granting_a_role_is_recorded_with_who_granted_it(superuser_client, clinician_staff):
    auditor = Group.objects.get(name=Role.AUDITOR)

    status = posted_change_form(
        superuser_client, clinician_staff, groups=[g.pk for g in clinician_staff.groups.all()] + [auditor.pk]
    )

    assert status == 302
    assert set(clinician_staff.groups.values_list("name", flat=True)) == {"clinician", "auditor"}
    before = {"roles": ["clinician"], "is_active": True, "is_staff": True, "is_superuser": False, "permissions": []}
    assert user_events() == [
        (
            "user.privileges",
            "dr-queue",
            "root",
            {"before": before, "after": {**before, "roles": ["auditor", "clinician"]}},
        )
    ]
    assert audit_verify().intact


def test_a_staff_flag_taken_away_is_recorded(superuser_client, clinician_staff):
    assert posted_change_form(superuser_client, clinician_staff, is_staff=False) == 302

    [(event_type, _, _, detail)] = user_events()
    assert event_type == "user.privileges"
    assert (detail["before"]["is_staff"], detail["after"]["is_staff"]) == (True, False)


def test_a_change_that_grants_nothing_records_nothing(superuser_client, clinician_staff):
    assert posted_change_form(superuser_client, clinician_staff, first_name="Queue") == 302

    assert user_events() == []


def test_adding_and_deleting_a_user_are_recorded(superuser_client):
    response = superuser_client.post(
        f"{USERS}add/", {"username": "new-clinician", "password1": "x-Long-pass-9472", "password2": "x-Long-pass-9472",
                         "usable_password": "true"},
    )  # fmt: skip
    assert response.status_code == 302
    added = User.objects.get(username="new-clinician")

    assert superuser_client.post(f"{USERS}{added.pk}/delete/", {"post": "yes"}).status_code == 302

    nothing = {"roles": [], "is_active": True, "is_staff": False, "is_superuser": False, "permissions": []}
    assert user_events() == [
        ("user.create", "new-clinician", "root", {"before": None, "after": nothing}),
        ("user.delete", "new-clinician", "root", {"before": nothing, "after": None}),
    ]


def test_the_intake_group_grants_a_user_nothing_and_so_records_nothing(superuser_client, clinician_staff):
    # Intake is for API keys: a Django user in a group of that name still holds only their other roles.
    intake = Group.objects.get_or_create(name=Role.INTAKE)[0]
    groups = [g.pk for g in clinician_staff.groups.all()] + [intake.pk]

    assert posted_change_form(superuser_client, clinician_staff, groups=groups) == 302

    assert user_events() == []


def test_a_permission_given_to_a_user_directly_is_recorded(superuser_client, clinician_staff):
    view_audit = Permission.objects.get(codename="view_auditevent")

    assert posted_change_form(superuser_client, clinician_staff, user_permissions=[view_audit.pk]) == 302

    [(event_type, _, _, detail)] = user_events()
    assert event_type == "user.privileges"
    assert (detail["before"]["permissions"], detail["after"]["permissions"]) == ([], ["triage.view_auditevent"])


def group_events() -> list[tuple[str, str, dict]]:
    events = AuditEvent.objects.filter(entity_type="Group").order_by("sequence")
    return [(e.event_type, e.entity_id, e.detail) for e in events]


def test_a_role_groups_permissions_changed_or_the_group_deleted_are_recorded(superuser_client, clinician_staff):
    group = Group.objects.get(name=Role.CLINICIAN)
    before = sorted(group.permissions.values_list("pk", flat=True))
    view_audit = Permission.objects.get(codename="view_auditevent")

    response = superuser_client.post(
        f"/admin/auth/group/{group.pk}/change/", {"name": "clinician", "permissions": [*before, view_audit.pk]}
    )
    assert response.status_code == 302
    assert superuser_client.post(f"/admin/auth/group/{group.pk}/delete/", {"post": "yes"}).status_code == 302

    (changed, _, detail), (deleted, name, gone) = group_events()
    assert changed == "group.privileges"
    assert set(detail["after"]["permissions"]) - set(detail["before"]["permissions"]) == {"triage.view_auditevent"}
    assert (deleted, name, gone["before"]["members"], gone["after"]) == (
        "group.delete",
        "clinician",
        ["dr-queue"],
        None,
    )
    assert audit_verify().intact
