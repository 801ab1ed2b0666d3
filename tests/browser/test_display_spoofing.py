"""Text a client sent cannot reorder what sits beside it on a clinician's screen, rendered in Chromium.

New input with bidirectional or zero-width characters is refused (tests/api/test_presentation_create.py); these
cases were stored before that, as a database restored from then would hold them.
"""

from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from tests.factories import make_payload
from triage.audit import SYSTEM
from triage.models import Presentation, Review
from triage.services import presentation_create

pytestmark = pytest.mark.browser

SPOOFED_REFERENCE = "pt-\u202e3f8a"  # a right-to-left override: "pt-" then "3f8a" and all after it reversed

# Where Chromium drew each character of an element's text, left to right on screen.
CHARACTER_POSITIONS = """element => {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    const drawn = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (let i = 0; i < node.length; i++) {
            const range = document.createRange();
            range.setStart(node, i);
            range.setEnd(node, i + 1);
            const box = range.getBoundingClientRect();
            if (box.width > 0) drawn.push([box.left, node.data[i]]);
        }
    }
    return drawn.sort((a, b) => a[0] - b[0]).map(([, character]) => character).join("");
}"""


@pytest.fixture
def spoofed_case(demo):
    payload = make_payload(external_id="form-spoof", symptoms=[])
    payload["patient"].update(age_years=71, sex="male")
    stored = presentation_create(payload=payload, client=None, by=SYSTEM)
    # As stored before such text was refused: written past the contract, which refuses it now.
    spoofed = {**stored.payload, "external_id": "form-\u202espoof", "notes": "seen \u202etoday"}
    spoofed["patient"] = {**spoofed["patient"], "reference": SPOOFED_REFERENCE}
    Presentation.objects.filter(pk=stored.pk).update(
        payload=spoofed, external_id=spoofed["external_id"], patient_reference=SPOOFED_REFERENCE
    )
    return Presentation.objects.get(pk=stored.pk)


def test_the_queue_shows_the_age_beside_a_spoofing_reference_as_it_is(login, live_server, spoofed_case):
    page = login("clinician")

    page.goto(f"{live_server.url}/admin/triage/presentation/?q={quote(SPOOFED_REFERENCE)}")
    row = page.locator("#result_list tbody tr")

    assert row.count() == 1
    assert row.locator("td.field-age").evaluate(CHARACTER_POSITIONS) == "71"
    assert row.locator("td.field-sex").evaluate(CHARACTER_POSITIONS) == "male"
    # The whole row as drawn: the reference's override reverses its own text, and nothing after it.
    assert "pt-a8f371male" in row.evaluate(CHARACTER_POSITIONS).replace(" ", "")


def test_the_case_page_isolates_every_value_a_client_sent(login, live_server, spoofed_case):
    clinician = User.objects.get(username="clinician")
    # A review kept from before dispositions were coded (the service refuses this one now): stored as it was.
    Review.objects.create(
        presentation=spoofed_case, reviewer_user=clinician, status="in_review", disposition="ok\u202e",
        reviewed_at=timezone.now(),
    )  # fmt: skip
    page = login("clinician")

    page.goto(f"{live_server.url}/admin/triage/presentation/{spoofed_case.pk}/change/")

    assert page.locator("#patient dd").nth(1).evaluate(CHARACTER_POSITIONS).replace(" ", "") == "71years"
    assert page.locator("#patient dl").evaluate(
        "dl => [...dl.querySelectorAll('bdi')].map(bdi => bdi.textContent)"
    ) == [SPOOFED_REFERENCE, "form-\u202espoof"]
    assert page.locator("#notes bdi").count() == 1
    assert page.locator("#review-history td bdi").count() >= 2
    assert SPOOFED_REFERENCE not in page.title()
