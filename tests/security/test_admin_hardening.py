"""Admin logins lock out after repeated failures; sessions expire."""

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

pytestmark = pytest.mark.django_db


def test_five_failed_logins_lock_the_account_from_that_address_even_with_the_right_password():
    User.objects.create_superuser("boss", password="the-right-password-123")
    browser = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        browser.post("/admin/login/", {"username": "boss", "password": "wrong"})

    locked = browser.post("/admin/login/", {"username": "boss", "password": "the-right-password-123"})

    assert locked.status_code == 429
    assert "_auth_user_id" not in browser.session


def test_a_successful_login_before_the_limit_still_works():
    User.objects.create_superuser("boss", password="the-right-password-123")
    browser = Client()
    browser.post("/admin/login/", {"username": "boss", "password": "wrong"})

    browser.post("/admin/login/", {"username": "boss", "password": "the-right-password-123"})

    assert browser.get("/admin/").status_code == 200


def test_sessions_expire_after_a_shift_and_with_the_browser():
    assert settings.SESSION_COOKIE_AGE <= 12 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True
