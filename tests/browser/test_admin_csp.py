"""The admin works under its strict Content-Security-Policy in Chromium: nothing refused, its scripts still run."""

import pytest

from triage.models import Presentation, Review

pytestmark = pytest.mark.browser


@pytest.fixture
def violations(page) -> list[str]:
    """What Chromium refused under the page's policy (it says so on the console), as the pages load."""
    refused: list[str] = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    return refused


def test_the_queue_and_a_case_page_run_under_the_policy(login, live_server, violations):
    page = login("clinician")
    presentation = Presentation.objects.order_by("queue_rank").first()

    page.goto(f"{live_server.url}/admin/triage/presentation/?flagged__exact=1")
    page.goto(f"{live_server.url}/admin/triage/presentation/{presentation.pk}/change/")
    page.select_option("#id_status", "in_review")
    page.click("#review-form input[type=submit]")
    page.wait_for_selector(".messagelist .success")

    assert violations == []
    assert Review.objects.filter(presentation=presentation).exists()


def test_the_user_page_and_its_script_driven_widgets_run_under_the_policy(login, live_server, violations):
    page = login("admin")

    page.goto(f"{live_server.url}/admin/auth/user/")
    page.click("#result_list tbody tr:first-child th a")
    page.wait_for_selector("#id_groups_filter")  # made by the admin's own script (SelectFilter2)

    assert violations == []


def test_the_audit_log_runs_under_the_policy(login, live_server, violations):
    page = login("auditor")

    page.goto(f"{live_server.url}/admin/triage/auditevent/")
    page.click("#result_list tbody tr:first-child th a")
    page.wait_for_selector("#content-main")

    assert violations == []
