"""How long a case has waited, and when a flagged one is past its level's threshold."""

from datetime import timedelta

import pytest

from triage.rules import Level
from triage.waiting import escalation_threshold, in_words


@pytest.mark.parametrize(
    ("duration", "words"),
    [
        (timedelta(seconds=59), "0 min"),
        (timedelta(minutes=7, seconds=59), "7 min"),
        (timedelta(hours=2, minutes=5), "2 h 05 min"),
        (timedelta(days=3, hours=4, minutes=59), "3 d 4 h"),
        (timedelta(seconds=-5), "0 min"),  # a clock a little behind another's
    ],
)
def test_a_wait_reads_in_clinical_units(duration, words):
    assert in_words(duration) == words


def test_only_flagged_levels_have_a_threshold_and_each_comes_from_its_setting(settings):
    settings.ALERT_ESCALATE_EMERGENCY_MINUTES = 10
    settings.ALERT_ESCALATE_URGENT_MINUTES = 90

    assert escalation_threshold(Level.EMERGENCY) == timedelta(minutes=10)
    assert escalation_threshold(Level.URGENT) == timedelta(minutes=90)
    assert escalation_threshold(Level.ROUTINE) is None and escalation_threshold(Level.SELF_CARE) is None
