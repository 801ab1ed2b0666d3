"""Rate limits answer 429 problem+json with Retry-After: per API key, and per address for failed keys."""

import pytest

from triage.api.throttling import ApiKeyRateThrottle, FailedAuthenticationThrottle

pytestmark = pytest.mark.django_db


WINDOW_START = 1_800_000_000.0  # a whole minute since the epoch: counting windows start on the minute


@pytest.fixture
def clock(monkeypatch):
    """The rate throttle's clock, 10 s into a counting window; set `clock.now` to move it."""

    class Clock:
        now = WINDOW_START + 10

    monkeypatch.setattr(ApiKeyRateThrottle, "timer", lambda _throttle: Clock.now)
    return Clock


def test_an_api_key_over_its_rate_gets_429_with_retry_after(api_as, intake_key, clinician_key, monkeypatch, clock):
    monkeypatch.setitem(ApiKeyRateThrottle.THROTTLE_RATES, "api_key", "3/min")
    intake = api_as(intake_key[1])

    statuses = [intake.get("/api/v1/rules/").status_code for _ in range(4)]
    refused = intake.get("/api/v1/rules/")

    assert statuses == [200, 200, 200, 429]
    assert refused["Content-Type"] == "application/problem+json"
    assert refused["Retry-After"] == "50"  # the window's remaining seconds
    assert api_as(clinician_key[1]).get("/api/v1/rules/").status_code == 200  # another key has its own budget


def test_a_throttled_key_may_send_again_when_the_next_window_starts(api_as, intake_key, monkeypatch, clock):
    monkeypatch.setitem(ApiKeyRateThrottle.THROTTLE_RATES, "api_key", "2/min")
    intake = api_as(intake_key[1])
    before = [intake.get("/api/v1/rules/").status_code for _ in range(3)]

    clock.now = WINDOW_START + 60
    after = [intake.get("/api/v1/rules/").status_code for _ in range(3)]

    assert (before, after) == ([200, 200, 429], [200, 200, 429])


def test_repeated_bad_keys_lock_out_the_address_even_for_a_good_key(api_as, intake_key, monkeypatch):
    monkeypatch.setitem(FailedAuthenticationThrottle.THROTTLE_RATES, "failed_auth", "3/min")
    guesser = api_as("AbCdEfGh.0123456789abcdefghij0123456789ab")

    statuses = [guesser.get("/api/v1/rules/").status_code for _ in range(4)]
    good_key_same_address = api_as(intake_key[1]).get("/api/v1/rules/")

    assert statuses == [401, 401, 401, 429]
    assert good_key_same_address.status_code == 429
    assert "Retry-After" in good_key_same_address


def test_failed_keys_from_one_address_do_not_lock_out_another(api_as, intake_key, monkeypatch):
    monkeypatch.setitem(FailedAuthenticationThrottle.THROTTLE_RATES, "failed_auth", "2/min")
    for _ in range(3):
        api_as("AbCdEfGh.0123456789abcdefghij0123456789ab").get("/api/v1/rules/", REMOTE_ADDR="10.0.0.9")

    response = api_as(intake_key[1]).get("/api/v1/rules/", REMOTE_ADDR="10.0.0.10")

    assert response.status_code == 200
