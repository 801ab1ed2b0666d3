"""Client addresses come from the connection unless trusted proxies are configured: a client's own
X-Forwarded-For never moves a lockout, a rate limit or an audit record onto somebody else."""

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.test import Client

from triage.api.throttling import FailedAuthenticationThrottle
from triage.models import AuditEvent

pytestmark = pytest.mark.django_db

BAD_KEY = "AbCdEfGh.0123456789abcdefghij0123456789ab"
VICTIM, ATTACKER = "127.0.0.1", "127.0.0.2"


@pytest.fixture(autouse=True)
def three_failures_lock_an_address(monkeypatch):
    monkeypatch.setitem(FailedAuthenticationThrottle.THROTTLE_RATES, "failed_auth", "3/min")


@pytest.fixture
def behind_one_proxy(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


def test_bad_keys_sent_with_a_victims_address_in_the_header_lock_out_only_the_sender(api_as, intake_key):
    attacker = api_as(BAD_KEY)
    attempts = [
        attacker.get("/api/v1/rules/", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=VICTIM).status_code for _ in range(5)
    ]

    victim = api_as(intake_key[1]).get("/api/v1/rules/", REMOTE_ADDR=VICTIM)
    attacker_with_a_good_key = api_as(intake_key[1]).get("/api/v1/rules/", REMOTE_ADDR=ATTACKER)

    assert attempts == [401, 401, 401, 429, 429]
    assert victim.status_code == 200
    assert attacker_with_a_good_key.status_code == 429


def test_a_new_header_value_on_every_bad_key_does_not_escape_the_lockout(api_as):
    attacker = api_as(BAD_KEY)

    statuses = [
        attacker.get("/api/v1/rules/", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=f"10.9.0.{n}").status_code
        for n in range(6)
    ]

    assert statuses == [401, 401, 401, 429, 429, 429]


def test_the_audit_records_the_connections_address_not_the_header(api_as):
    api_as(BAD_KEY).get("/api/v1/rules/", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=VICTIM)

    assert AuditEvent.objects.get(status=401).client_ip == ATTACKER


def test_behind_a_trusted_proxy_the_address_it_appended_is_the_client(api_as, intake_key, behind_one_proxy):
    proxy = "10.0.0.5"
    attacker = api_as(BAD_KEY)
    # The attacker writes the victim's address first; the proxy appends the address it really saw.
    for _ in range(3):
        attacker.get("/api/v1/rules/", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"{VICTIM}, {ATTACKER}")

    victim = api_as(intake_key[1]).get("/api/v1/rules/", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=VICTIM)
    attacker_again = api_as(intake_key[1]).get("/api/v1/rules/", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=ATTACKER)

    assert victim.status_code == 200
    assert attacker_again.status_code == 429
    assert set(AuditEvent.objects.filter(status=401).values_list("client_ip", flat=True)) == {ATTACKER}


def _fail_admin_logins(browser: Client, times: int, **headers: str) -> None:
    for _ in range(times):
        browser.post("/admin/login/", {"username": "boss", "password": "wrong"}, **headers)


def test_the_admins_lockout_ignores_a_spoofed_header():
    User.objects.create_superuser("boss", password="the-right-password-123")
    _fail_admin_logins(Client(), django_settings.AXES_FAILURE_LIMIT, REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=VICTIM)

    victim = Client().post(
        "/admin/login/", {"username": "boss", "password": "the-right-password-123"}, REMOTE_ADDR=VICTIM
    )
    attacker = Client().post(
        "/admin/login/", {"username": "boss", "password": "the-right-password-123"}, REMOTE_ADDR=ATTACKER
    )

    assert victim.status_code == 302  # logged in
    assert attacker.status_code == 429


def test_behind_a_trusted_proxy_the_admins_lockout_follows_the_appended_address(behind_one_proxy):
    User.objects.create_superuser("boss", password="the-right-password-123")
    proxy = "10.0.0.5"
    _fail_admin_logins(
        Client(), django_settings.AXES_FAILURE_LIMIT, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"{VICTIM}, {ATTACKER}"
    )
    right = {"username": "boss", "password": "the-right-password-123"}

    victim = Client().post("/admin/login/", right, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=VICTIM)
    attacker = Client().post("/admin/login/", right, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=ATTACKER)

    assert victim.status_code == 302
    assert attacker.status_code == 429
