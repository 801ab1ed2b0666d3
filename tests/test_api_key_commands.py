"""`manage.py create_api_key` and `revoke_api_key`."""

import io

import pytest
from django.core.management import CommandError, call_command

from triage.models import ApiKey

pytestmark = pytest.mark.django_db


def create(name: str, role: str) -> str:
    out = io.StringIO()
    call_command("create_api_key", name, "--role", role, stdout=out)
    return out.getvalue()


def test_it_prints_the_raw_key_alone_on_the_last_line(api_as):
    output = create("clinic-a", "intake")

    raw_key = output.strip().splitlines()[-1]
    api_key = ApiKey.objects.get(name="clinic-a")
    assert api_key.role == "intake"
    assert raw_key not in api_key.hashed_key  # stored only as a hash
    assert api_as(raw_key).get("/api/v1/rules/").status_code == 200


def test_it_refuses_an_unknown_role():
    with pytest.raises(CommandError):
        create("clinic-a", "admin")


def test_it_refuses_a_second_live_key_with_the_same_name():
    create("clinic-a", "intake")

    with pytest.raises(CommandError):
        create("clinic-a", "clinician")


def test_a_revoked_key_stops_working_and_its_name_can_be_reused(api_as):
    raw_key = create("clinic-a", "intake").strip().splitlines()[-1]

    call_command("revoke_api_key", "clinic-a", stdout=io.StringIO())

    assert api_as(raw_key).get("/api/v1/rules/").status_code == 401
    new_key = create("clinic-a", "intake").strip().splitlines()[-1]
    assert api_as(new_key).get("/api/v1/rules/").status_code == 200


def test_revoking_an_unknown_name_fails():
    with pytest.raises(CommandError):
        call_command("revoke_api_key", "nobody", stdout=io.StringIO())
