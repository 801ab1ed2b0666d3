"""A clinician works the queue, and an auditor sees the trail, in a real headless Chromium."""

from datetime import timedelta

import pytest

from triage.evidence import passages
from triage.models import Presentation, Review
from triage.rules.vocabulary import RECOMMENDATIONS

pytestmark = pytest.mark.browser

LEVEL_ORDER = {"EMERGENCY": 3, "URGENT": 2, "ROUTINE": 1, "SELF CARE": 0}


def badges(page) -> list[str]:
    return [text.strip().upper() for text in page.locator("#result_list .level-badge").all_inner_texts()]


def open_queue(page, live_server):
    page.goto(f"{live_server.url}/admin/triage/presentation/?all=")
    page.wait_for_selector("#result_list")


def test_the_demo_clinician_sees_emergency_above_urgent_above_routine(login, live_server, screenshot):
    page = login("clinician")

    open_queue(page, live_server)

    levels = [LEVEL_ORDER[badge] for badge in badges(page)]
    assert levels == sorted(levels, reverse=True)
    assert {3, 2, 1, 0} <= set(levels)
    assert "emergency pending review" in page.inner_text("#pending-counts")
    page.goto(f"{live_server.url}/admin/triage/presentation/")
    screenshot(page, "queue")


def test_filtering_to_flagged_leaves_only_urgent_and_emergency(login, live_server):
    page = login("clinician")
    open_queue(page, live_server)

    page.click("#changelist-filter a[href*='flagged__exact=1']")
    page.wait_for_selector("#result_list")

    assert set(badges(page)) == {"EMERGENCY", "URGENT"}
    assert len(badges(page)) == Presentation.objects.filter(flagged=True).count()


def test_a_case_page_shows_its_findings_and_their_sources(login, live_server, screenshot):
    page = login("clinician")
    open_queue(page, live_server)

    page.click("#result_list tbody tr:first-child th a")
    page.wait_for_selector("#findings")

    findings = page.inner_text("#findings")
    assert "Triggered by" in findings
    # The first case of the queue is an emergency: every source it cites is shown with its passage's text.
    first = Presentation.objects.order_by("queue_rank", "received_at", "id").first()
    cited = [source for finding in first.current_assessment.findings for source in finding["sources"]]
    assert cited and all(source in findings and passages()[source][:40] in findings for source in cited)
    assert RECOMMENDATIONS["call_emergency_services"] in page.inner_text("#recommendations")
    screenshot(page, "case")


def test_a_recorded_review_changes_the_status_in_the_queue(login, live_server):
    page = login("clinician")
    open_queue(page, live_server)
    page.click("#result_list tbody tr:first-child th a")
    page.wait_for_selector("#review-form")

    page.select_option("#id_status", "reviewed")
    page.select_option("#id_disposition", "advised_emergency_services")
    page.click("#review-form input[type=submit]")
    page.wait_for_selector(".messagelist .success")
    open_queue(page, live_server)

    first_row = page.inner_text("#result_list tbody tr:first-child")
    assert "Reviewed" in first_row and "clinician" in first_row
    assert Review.objects.get().reviewer_user.username == "clinician"


@pytest.mark.parametrize("page_path", ["add/", "{id}/delete/"])
def test_a_clinician_cannot_reach_the_add_or_delete_pages(login, live_server, page_path):
    page = login("clinician")
    presentation = Presentation.objects.first()

    response = page.goto(f"{live_server.url}/admin/triage/presentation/{page_path.format(id=presentation.pk)}")

    assert response.status == 403
    open_queue(page, live_server)
    assert page.locator("a.addlink").count() == 0


def test_an_auditor_sees_the_audit_entries_of_the_clinicians_work(login, live_server, page):
    clinician = login("clinician")
    open_queue(clinician, live_server)
    clinician.click("#result_list tbody tr:first-child th a")
    clinician.wait_for_selector("#review-form")
    clinician.select_option("#id_status", "in_review")
    clinician.click("#review-form input[type=submit]")
    clinician.wait_for_selector(".messagelist .success")
    clinician.click("#logout-form button")

    auditor = login("auditor")
    auditor.goto(f"{live_server.url}/admin/triage/auditevent/?q=clinician")
    auditor.wait_for_selector("#result_list")

    log = auditor.inner_text("#result_list")
    for event_type in ["session.login", "presentation.admin_list", "presentation.read", "presentation.review"]:
        assert event_type in log, event_type
    assert auditor.goto(f"{live_server.url}/admin/triage/presentation/").status == 403


def test_the_queue_says_new_cases_arrived_without_losing_the_clinicians_place(
    login, live_server, settings, monkeypatch
):
    from tests.factories import make_payload, symptom
    from triage.audit import SYSTEM
    from triage.services import presentation_create

    settings.QUEUE_ARRIVALS_POLL_SECONDS = 1
    monkeypatch.setattr("triage.selectors.ARRIVALS_MARGIN", timedelta(0))  # the demo's cases were made just now
    page = login("clinician")
    page.goto(f"{live_server.url}/admin/triage/presentation/?flagged__exact=1")
    page.wait_for_selector("#result_list")
    page.locator("body").evaluate("body => { body.dataset.sameVisit = 'yes' }")  # gone if the page reloads

    presentation_create(
        payload=make_payload(external_id="new-stroke", symptoms=[symptom("slurred_speech", "sudden")]),
        client=None,
        by=SYSTEM,
    )
    notice = page.locator("#queue-arrivals")
    notice.get_by_role("link", name="Show them").wait_for()  # (a locator: the page's CSP forbids evaluated strings)

    assert notice.inner_text().startswith("1 new case since this page was loaded (1 emergency).")
    assert page.locator("body").get_attribute("data-same-visit") == "yes"  # not reloaded: the clinician's place kept
    assert notice.get_by_role("link", name="Show them").get_attribute("href").endswith("?flagged__exact=1")
