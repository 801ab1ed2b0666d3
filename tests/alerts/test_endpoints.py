"""Alert endpoints: registered, changed, disabled, their secret rotated, each change audited; no SSRF."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from standardwebhooks.webhooks import Webhook

from triage.alert_endpoints import EndpointRefused, endpoint_create, url_refusal
from triage.audit import SYSTEM
from triage.models import AlertEndpoint, AuditEvent

pytestmark = pytest.mark.django_db

ADMIN = "/admin/triage/alertendpoint/"


def add(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("add_alert_endpoint", *args, stdout=out)
    return out.getvalue().splitlines()


def test_the_command_prints_a_standard_webhooks_secret_alone_on_its_last_line(settings):
    settings.ALERT_ALLOW_INSECURE_URLS = True
    lines = add("on-call", "http://127.0.0.1:9/hook", "--events", "presentation.flagged", "--levels", "emergency")

    secret = lines[-1]
    endpoint = AlertEndpoint.objects.get(name="on-call")
    assert re.fullmatch(r"whsec_[A-Za-z0-9+/]{43}=", secret)
    assert endpoint.secret == secret and (endpoint.events, endpoint.levels) == (["presentation.flagged"], ["emergency"])
    Webhook(secret).sign("msg_1", endpoint.created_at, "{}")  # a secret the standardwebhooks package takes
    event = AuditEvent.objects.get(event_type="alert_endpoint.create")
    assert event.detail["name"] == "on-call" and secret not in str(event.detail)


@pytest.mark.parametrize(
    ("events", "levels"),
    [("presentation.flagged,paged", "emergency"), ("presentation.flagged", "routine"), ("", "urgent")],
)
def test_unknown_or_missing_events_and_levels_are_refused(settings, events, levels):
    settings.ALERT_ALLOW_INSECURE_URLS = True

    with pytest.raises(CommandError):
        add("pager", "http://127.0.0.1:9/hook", "--events", events, "--levels", levels)

    assert not AlertEndpoint.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hook",  # plain HTTP
        "https://127.0.0.1/hook",  # loopback
        "https://localhost/hook",  # a name that resolves to loopback
        "https://10.1.2.3/hook",  # private
        "https://169.254.169.254/latest/meta-data",  # link-local: cloud metadata
        "https://[::1]/hook",
        "https://[fd00::1]/hook",
        "ftp://example.com/hook",
    ],
)
def test_without_debug_only_https_to_public_addresses_is_accepted(url):
    assert url_refusal(url)
    with pytest.raises(EndpointRefused):
        endpoint_create(name="x", url=url, events=["presentation.flagged"], levels=["urgent"], by=SYSTEM)


def test_a_public_https_address_is_accepted():
    assert url_refusal("https://8.8.8.8/hook") is None


def test_insecure_urls_are_accepted_when_allowed(settings):
    settings.ALERT_ALLOW_INSECURE_URLS = True

    assert url_refusal("http://127.0.0.1:8080/hook") is None


def test_the_admin_adds_changes_rotates_and_deletes_each_audited(admin_user):
    browser = Client()
    browser.force_login(admin_user)
    form = {"name": "chat", "url": "https://8.8.8.8/hook", "events": ["presentation.escalated"], "levels": ["urgent"]}

    added = browser.post(f"{ADMIN}add/", {**form, "enabled": "on"}, follow=True)
    endpoint = AlertEndpoint.objects.get(name="chat")
    first_secret = endpoint.secret
    assert "shown once: " + first_secret in added.content.decode()
    browser.post(f"{ADMIN}{endpoint.pk}/change/", form)  # unticked: disabled
    rotated = browser.post(ADMIN, {"action": "rotate_secret", "_selected_action": [endpoint.pk]}, follow=True)
    endpoint.refresh_from_db()
    refused = browser.post(f"{ADMIN}{endpoint.pk}/change/", {**form, "url": "https://10.0.0.1/hook"})
    browser.post(f"{ADMIN}{endpoint.pk}/delete/", {"post": "yes"})

    assert endpoint.enabled is False and endpoint.secret != first_secret
    assert endpoint.secret in rotated.content.decode()
    assert "non-public address" in refused.content.decode()
    assert not AlertEndpoint.objects.exists()
    assert list(
        AuditEvent.objects.filter(entity_type="AlertEndpoint").order_by("sequence").values_list("event_type", flat=True)
    ) == [
        "alert_endpoint.create",
        "alert_endpoint.update",
        "alert_endpoint.rotate_secret",
        "alert_endpoint.delete",
    ]
    for event in AuditEvent.objects.filter(entity_type="AlertEndpoint"):
        assert first_secret not in str(event.detail) and endpoint.secret not in str(event.detail)
