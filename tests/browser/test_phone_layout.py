"""The clinicians' and auditors' pages on a phone (390 px wide): nothing cut off, no sideways scrolling of the page
(a data table scrolls inside its own area), the case's level and red flags seen first, the filters before the rows."""

import pytest

from tests.browser.conftest import log_in
from triage.models import AuditEvent, Presentation
from triage.rules import Level

pytestmark = pytest.mark.browser

PHONE = 390
QUEUE = "/admin/triage/presentation/"
AUDIT = "/admin/triage/auditevent/"

# Each element that reaches past the viewport's edges and is not inside an area that scrolls sideways itself.
CUT_OFF = """() => {
    const width = document.documentElement.clientWidth;
    const insideScrollArea = element => {
        for (let area = element.parentElement; area && area !== document.body; area = area.parentElement) {
            if (["auto", "scroll"].includes(getComputedStyle(area).overflowX)) return true;
        }
        return false;
    };
    return [...document.body.querySelectorAll("*")]
        .filter(element => {
            const box = element.getBoundingClientRect();
            return box.width > 0 && box.height > 0 && (box.right > width + 0.5 || box.left < -0.5);
        })
        .filter(element => !insideScrollArea(element))
        .map(element => `${element.tagName.toLowerCase()}#${element.id}.${element.className}`);
}"""


def most_flagged_case() -> Presentation:
    """The emergency case with the most red flags: the longest summary a phone must show on its first screen."""
    emergencies = Presentation.objects.filter(level=Level.EMERGENCY).select_related("current_assessment")
    flags = {Level.URGENT.code, Level.EMERGENCY.code}
    return max(emergencies, key=lambda case: sum(f["level"] in flags for f in case.current_assessment.findings))


@pytest.fixture
def phone(new_page, live_server, demo):
    def as_user(username: str | None):
        page = new_page(width=PHONE)
        return log_in(page, live_server, username, demo[username]) if username else page

    return as_user


@pytest.mark.parametrize(
    ("username", "page_path"),
    [
        (None, "/admin/login/"),
        ("clinician", "/admin/"),
        ("clinician", f"{QUEUE}?all="),
        ("clinician", "case"),
        ("auditor", AUDIT),
        ("auditor", "event"),
    ],
    ids=["login", "home", "queue", "case", "audit-trail", "audit-event"],
)
def test_nothing_on_a_page_is_cut_off_or_scrolls_the_page_sideways_on_a_phone(phone, live_server, username, page_path):
    page = phone(username)
    if page_path == "case":
        page_path = f"{QUEUE}{most_flagged_case().pk}/change/"
    elif page_path == "event":
        page_path = f"{AUDIT}{AuditEvent.objects.order_by('-sequence').first().pk}/change/"

    page.goto(f"{live_server.url}{page_path}")

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    assert page.evaluate(CUT_OFF) == []


def test_a_case_pages_level_and_red_flags_are_seen_without_scrolling_on_a_phone(phone, live_server, screenshot):
    page = phone("clinician")
    case = most_flagged_case()

    page.goto(f"{live_server.url}{QUEUE}{case.pk}/change/")
    level = page.locator("#case-summary .level-badge").bounding_box()
    flags = page.locator("#case-red-flags").bounding_box()
    screenshot(page, "case-phone", full_page=False)  # the first screen, as a phone shows it

    viewport = page.viewport_size
    assert page.locator("#case-summary .level-badge").inner_text().upper() == "EMERGENCY"
    assert "Emergency:" in page.locator("#case-red-flags").inner_text()
    for box in (level, flags):
        assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]


def test_the_queues_filters_come_before_its_rows_on_a_phone(phone, live_server):
    page = phone("clinician")

    page.goto(f"{live_server.url}{QUEUE}")
    filters = page.locator("#changelist-filter").bounding_box()
    first_row = page.locator("#result_list tbody tr").first.bounding_box()

    assert filters["y"] + filters["height"] <= first_row["y"]
    assert filters["x"] >= 0 and filters["x"] + filters["width"] <= PHONE
