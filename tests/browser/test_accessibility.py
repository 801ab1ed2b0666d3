"""WCAG 2.2 AA on every page a clinician or auditor uses, in light and dark themes, on a desktop and a phone.

axe-core (shipped by axe-playwright-python) checks each page in Chromium; the other tests here check what axe
cannot: that pages are named, that each row's link says which case it opens, that no level is told by colour
alone or by its code, and that the keyboard reaches the queue's filters before its rows.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import log_in
from triage.models import AuditEvent, Presentation
from triage.rules import Level

pytestmark = pytest.mark.browser

QUEUE = "/admin/triage/presentation/"
AUDIT = "/admin/triage/auditevent/"
WIDTHS = {"desktop": 1440, "phone": 390}
THEMES = ["light", "dark"]
LEVEL_TITLES = ["Emergency", "Urgent", "Routine", "Self care"]


def violations(page) -> list[str]:
    """axe-core's violations on the page as it stands: each rule, the nodes that break it, and why the first does."""
    # Every rule axe runs by default, and the target size of WCAG 2.2 (2.5.8), which it leaves off by default.
    options = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}
    found = Axe().run(page, options=options).response["violations"]
    return [
        f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])} nodes): "
        f"{' | '.join(', '.join(node['target']) for node in violation['nodes'])}\n"
        f"      {violation['nodes'][0]['failureSummary'].replace(chr(10), ' ')}"
        for violation in found
    ]


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("theme", THEMES)
def test_every_page_a_clinician_or_auditor_uses_passes_axe(new_page, live_server, demo, theme, width):
    found: dict[str, list[str]] = {}

    def check(page, name: str) -> None:
        page.wait_for_load_state("load")
        if problems := violations(page):
            found[name] = problems

    anonymous = new_page(width=width, theme=theme, bypass_csp=True)
    anonymous.goto(f"{live_server.url}/admin/login/")
    check(anonymous, "login")
    anonymous.fill("#id_username", "clinician")
    anonymous.fill("#id_password", "not-the-password")
    anonymous.click("input[type=submit]")
    check(anonymous, "login, refused")

    clinician = log_in(new_page(width=width, theme=theme, bypass_csp=True), live_server, "clinician", demo["clinician"])
    check(clinician, "home")
    clinician.goto(f"{live_server.url}{QUEUE}?all=")
    check(clinician, "review queue")
    clinician.goto(f"{live_server.url}{QUEUE}?flagged__exact=1&review_status__exact=pending")
    check(clinician, "review queue, filtered")
    for presentation in Presentation.objects.order_by("-level").distinct("level"):
        clinician.goto(f"{live_server.url}{QUEUE}{presentation.pk}/change/")
        check(clinician, f"case page ({Level(presentation.level).name})")
    clinician.select_option("#id_status", "reviewed")  # without a disposition: refused, and the page says why
    clinician.click("#review-form input[type=submit]")
    clinician.wait_for_selector(".messagelist .error")
    check(clinician, "case page, review refused")
    clinician.select_option("#id_status", "in_review")
    clinician.click("#review-form input[type=submit]")
    clinician.wait_for_selector(".messagelist .success")
    check(clinician, "case page, review recorded")

    auditor = log_in(new_page(width=width, theme=theme, bypass_csp=True), live_server, "auditor", demo["auditor"])
    auditor.goto(f"{live_server.url}{AUDIT}")
    check(auditor, "audit trail")
    auditor.goto(f"{live_server.url}{AUDIT}{AuditEvent.objects.order_by('sequence').first().pk}/change/")
    check(auditor, "audit event")

    assert not found, "\n".join(f"{name}:\n  " + "\n  ".join(problems) for name, problems in found.items())


def test_the_login_page_is_named_by_its_heading(page, live_server):
    page.goto(f"{live_server.url}/admin/login/")

    assert page.locator("h1").inner_text() == "Log in to twitch-triage"


def test_the_queue_and_a_case_page_are_named_by_their_titles_and_headings(login, live_server):
    page = login("clinician")
    presentation = Presentation.objects.order_by("queue_rank", "received_at").first()

    page.goto(f"{live_server.url}{QUEUE}")
    queue = (page.title(), page.locator("h1").inner_text())
    page.goto(f"{live_server.url}{QUEUE}{presentation.pk}/change/")
    case = (page.title(), page.locator("h1").inner_text())

    assert queue == ("Review queue | twitch-triage", "Review queue")
    assert case == (f"Case {presentation.patient_reference} | twitch-triage", f"Case {presentation.patient_reference}")


def test_the_audit_trail_is_named_by_its_title_and_heading(login, live_server):
    page = login("auditor")

    page.goto(f"{live_server.url}{AUDIT}")

    assert (page.title(), page.locator("h1").inner_text()) == ("Audit trail | twitch-triage", "Audit trail")


def test_each_rows_link_names_its_case_by_level_and_patient_reference(login, live_server):
    page = login("clinician")

    page.goto(f"{live_server.url}{QUEUE}?all=")
    rows = page.locator("#result_list tbody tr")
    names = [link.text_content().strip() for link in page.locator("#result_list tbody a").all()]

    assert len(names) == rows.count() == Presentation.objects.count()  # one link a row
    assert len(set(names)) == len(names)  # a screen reader's list of links tells every case apart
    expected = re.compile(rf"^({'|'.join(LEVEL_TITLES)}) pt-p\d\d$")
    assert all(expected.match(name) for name in names), names
    first = Presentation.objects.order_by("queue_rank", "received_at", "id").first()
    assert page.get_by_role("link", name=f"Emergency {first.patient_reference}", exact=True).count() == 1


def test_the_red_flags_say_their_level_in_words_and_leave_routine_findings_out(login, live_server):
    page = login("clinician")

    page.goto(f"{live_server.url}{QUEUE}?all=")
    flags = page.locator("#result_list .flag")
    shown = [(flag.get_attribute("class"), flag.text_content()) for flag in flags.all()]

    assert shown, "the demo has flagged cases"
    for classes, text in shown:
        level = "Emergency" if "flag-emergency" in classes else "Urgent"
        assert "flag-emergency" in classes or "flag-urgent" in classes, classes
        assert text.startswith(f"{level}: "), text
    # A routine case has routine findings, and no red flag.
    routine = page.locator("#result_list tbody tr", has=page.locator(".level-badge.level-routine"))
    assert routine.count() > 0
    assert set(routine.locator("td.field-red_flags").all_text_contents()) == {"-"}


def test_every_level_is_shown_by_its_title_never_its_code(login, live_server):
    page = login("clinician")
    self_care = Presentation.objects.filter(level=Level.SELF_CARE).first()

    page.goto(f"{live_server.url}{QUEUE}?all=")
    filter_choices = page.locator("#changelist-filter details[data-filter-title='level'] a").all_text_contents()
    queue_text = page.locator("body").text_content()
    page.goto(f"{live_server.url}{QUEUE}{self_care.pk}/change/")
    case_badges = page.locator(".level-badge").all_text_contents()

    assert [choice.strip() for choice in filter_choices] == ["All", *LEVEL_TITLES]
    assert "self_care" not in queue_text.lower()
    assert set(case_badges) == {"Self care"}


def test_the_pending_counts_open_the_pending_cases_they_count(login, live_server):
    page = login("clinician")
    page.goto(f"{live_server.url}{QUEUE}")

    for level in ("emergency", "urgent"):
        page.goto(f"{live_server.url}{QUEUE}")
        link = page.locator("#pending-counts a", has_text=f"{level} pending review")
        count = int(link.locator("strong").inner_text())
        link.click()
        page.wait_for_selector("#result_list")

        badges = page.locator("#result_list .level-badge").all_text_contents()
        statuses = page.locator("#result_list td.field-review_status").all_text_contents()
        assert badges == [level.capitalize()] * count
        assert set(statuses) == {"Pending"}


def test_the_keyboard_reaches_the_queues_filters_before_its_rows(login, live_server):
    page = login("clinician")
    page.goto(f"{live_server.url}{QUEUE}?all=")

    reached: list[str] = []
    for _ in range(80):
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate(
                """() => {
                    const focused = document.activeElement;
                    if (focused.closest("#changelist-filter")) return "filter";
                    if (focused.closest("#result_list tbody")) return "row";
                    return "other";
                }"""
            )
        )
        if "row" in reached:
            break

    assert "filter" in reached and "row" in reached
    assert reached.index("filter") < reached.index("row")
