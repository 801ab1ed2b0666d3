"""Rule set versions side by side: the active version, an impact report, sign-off, activation, bulk re-assessment."""

import hashlib
import io
import json
import tempfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.factories import make_payload, make_presentation, symptom
from triage.audit import SYSTEM, audit_verify
from triage.contract import InvalidBody
from triage.models import Assessment, AuditEvent, Presentation, ReviewStatus, RuleSetRelease
from triage.rules import NEWEST, RULESETS, Level
from triage.rulesets import ReleaseRefused, active_version, record_version_in_use, ruleset_activate
from triage.services import presentation_create, presentations_reassess

pytestmark = pytest.mark.django_db

OLD = "2026.11"
# Constant jerking of face and limbs on both sides for two days: an isolated twitch (self care) under 2026.11,
# possible ongoing seizure activity (emergency) under 2027.01. Expressible under both.
CONTINUOUS_JERKING = {"locations": ["eyelid", "arm", "leg"], "side": "both", "duration_days": 2, "pattern": "constant"}


def impact_report(version: str) -> bytes:
    """The JSON report `ruleset_impact` writes for active -> version (its SHA-256 recorded in the audit trail)."""
    with tempfile.TemporaryDirectory() as folder:
        run("ruleset_impact", "--from", active_version(), "--to", version, "--output", f"{folder}/impact")
        return Path(f"{folder}/impact.json").read_bytes()


def release(version: str, *, report: dict | None = None) -> RuleSetRelease:
    written = impact_report(version) if report is None else json.dumps(report).encode()
    return ruleset_activate(version=version, approved_by="Dr A Safety", report=written)


def on_old_rules() -> None:
    RuleSetRelease.objects.create(version=OLD, approved_by="test", activated_at="2026-11-01T00:00:00Z")


def test_an_empty_database_starts_on_the_newest_version():
    RuleSetRelease.objects.all().delete()

    record_version_in_use()

    assert active_version() == NEWEST == max(RULESETS)
    assert make_presentation().current_assessment.ruleset_version == NEWEST


def test_a_database_with_history_keeps_the_version_of_its_history_through_an_upgrade():
    on_old_rules()
    make_presentation()  # scored under 2026.11
    RuleSetRelease.objects.all().delete()  # as before releases were recorded

    record_version_in_use()
    record_version_in_use()  # every migrate runs it: once recorded, nothing more

    assert active_version() == OLD
    assert RuleSetRelease.objects.count() == 1
    assert make_presentation(external_id="later").current_assessment.ruleset_version == OLD


def test_new_presentations_are_scored_under_the_active_version_and_keep_it():
    on_old_rules()
    before = make_presentation(external_id="before")

    release(NEWEST)
    after = make_presentation(external_id="after")

    before.refresh_from_db()
    assert before.current_assessment.ruleset_version == OLD
    assert after.current_assessment.ruleset_version == NEWEST


def test_activation_records_who_approved_which_report_in_the_audit_trail():
    on_old_rules()
    report = impact_report(NEWEST)

    made = ruleset_activate(version=NEWEST, approved_by="Dr A Safety", report=report, by=SYSTEM)

    event = AuditEvent.objects.filter(event_type="ruleset.activate").first()
    assert event.detail == {
        "version": NEWEST,
        "previous_version": OLD,
        "approved_by": "Dr A Safety",
        "impact_report_sha256": made.impact_report_sha256,
    }
    assert made.impact_report_sha256 == hashlib.sha256(report).hexdigest()
    assert audit_verify().intact


def test_activation_refuses_a_report_that_ruleset_impact_did_not_write():
    on_old_rules()
    forged = {"from_version": OLD, "to_version": NEWEST, "presentations": 1000, "down_triaged": []}

    with pytest.raises(ReleaseRefused, match="not written by `ruleset_impact`"):
        release(NEWEST, report=forged)
    with pytest.raises(ReleaseRefused, match="not written by `ruleset_impact`"):
        ruleset_activate(version=NEWEST, approved_by="Dr A", report=impact_report(NEWEST) + b" ")  # edited

    assert active_version() == OLD


def test_an_impact_report_is_audited_with_its_counts_and_digests(tmp_path):
    on_old_rules()
    make_presentation()

    run("ruleset_impact", "--from", OLD, "--to", NEWEST, "--output", str(tmp_path / "impact"))

    event = AuditEvent.objects.get(event_type="ruleset.impact")
    assert event.detail["presentations"] == 1 and event.detail["from_version"] == OLD
    assert event.detail["sha256_md"] == hashlib.sha256((tmp_path / "impact.md").read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "report",
    [
        {"from_version": NEWEST, "to_version": OLD},  # the other direction
        {"from_version": "2025.01", "to_version": NEWEST},  # another starting version
        {"presentations": 3},  # not a report of any pair
    ],
)
def test_activation_refuses_a_report_for_another_pair_of_versions(report):
    on_old_rules()

    with pytest.raises(ReleaseRefused, match="needs its impact report"):
        release(NEWEST, report=report)

    assert active_version() == OLD


def test_activation_refuses_an_unknown_or_already_active_version_and_a_missing_name():
    on_old_rules()
    report = json.dumps({"from_version": OLD, "to_version": NEWEST}).encode()

    with pytest.raises(ReleaseRefused, match="Unknown rule set"):
        ruleset_activate(version="2099.01", approved_by="Dr A", report=report)
    with pytest.raises(ReleaseRefused, match="already active"):
        ruleset_activate(version=OLD, approved_by="Dr A", report=report)
    with pytest.raises(ReleaseRefused, match="name of the person"):
        ruleset_activate(version=NEWEST, approved_by="  ", report=report)
    assert active_version() == OLD


def test_while_an_older_version_is_active_what_it_cannot_read_is_refused_not_dropped():
    on_old_rules()
    payload = make_payload(
        symptoms=[symptom("headache", "gradual"), symptom("thunderclap_headache", "sudden")],
        history=["lithium"],
        measurements={"serum_magnesium": {"value": 0.4, "unit": "mmol/L"}},
        context={"stopped_heavy_drinking": True},
    )

    with pytest.raises(InvalidBody) as refused:
        presentation_create(payload=payload, client=None, by=SYSTEM)

    fields = {".".join(map(str, error["loc"])) for error in refused.value.errors}
    assert fields == {"symptoms.1.code", "history.0", "measurements.serum_magnesium", "context.stopped_heavy_drinking"}
    assert not Presentation.objects.exists()


def run(command: str, *args: str) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_impact_report_lists_every_change_and_stores_nothing(tmp_path):
    on_old_rules()
    raised = make_presentation(external_id="raised", **CONTINUOUS_JERKING)
    same = make_presentation(external_id="same")
    assessments = Assessment.objects.count()

    out = run("ruleset_impact", "--from", OLD, "--to", NEWEST, "--output", str(tmp_path / "impact"))

    report = json.loads((tmp_path / "impact.json").read_text())
    assert (report["from_version"], report["to_version"], report["presentations"]) == (OLD, NEWEST, 2)
    assert report["up_triaged"] == [{"id": str(raised.pk), "from": "self_care", "to": "emergency"}]
    assert report["down_triaged"] == []
    assert report["transitions"]["self_care"]["emergency"] == 1
    assert report["transitions"]["self_care"]["self_care"] == 1, same.pk
    assert report["findings"]["continuous_jerking"] == {"gained": 1, "lost": 0}
    assert report["findings"]["isolated_twitch"] == {"gained": 0, "lost": 1}
    assert report["unflagged_to_flagged"] == 1
    markdown = (tmp_path / "impact.md").read_text()
    assert markdown.startswith(f"# Rule set impact: {OLD} -> {NEWEST}")
    assert "2 presentations scored" in out
    assert Assessment.objects.count() == assessments


def test_the_impact_report_lists_every_down_triage_in_its_markdown(tmp_path):
    on_old_rules()
    # Vomiting from a one-day stomach bug, settled: intracranial tumour signs (urgent) under 2026.11 only.
    bugs = [
        make_presentation(external_id=f"bug-{n}", symptoms=[symptom("persistent_nausea_vomiting", "sudden", True)])
        for n in range(60)
    ]

    run("ruleset_impact", "--from", OLD, "--to", NEWEST, "--output", str(tmp_path / "impact"))

    report = json.loads((tmp_path / "impact.json").read_text())
    markdown = (tmp_path / "impact.md").read_text()
    assert len(report["down_triaged"]) == 60
    assert report["flagged_to_unflagged"] == 60
    for bug in bugs:
        assert f"- {bug.pk}: urgent -> " in markdown


def test_the_impact_report_can_take_a_sample_and_a_start_date(tmp_path):
    on_old_rules()
    for n in range(5):
        make_presentation(external_id=f"p-{n}")

    run("ruleset_impact", "--from", OLD, "--to", NEWEST, "--sample", "3", "--output", str(tmp_path / "s"))
    run("ruleset_impact", "--from", OLD, "--to", NEWEST, "--since", "2999-01-01", "--output", str(tmp_path / "d"))

    assert json.loads((tmp_path / "s.json").read_text())["presentations"] == 3
    assert json.loads((tmp_path / "d.json").read_text())["presentations"] == 0


def test_the_release_commands_take_the_report_that_ruleset_impact_wrote(tmp_path):
    on_old_rules()
    make_presentation()
    run("ruleset_impact", "--from", OLD, "--to", NEWEST, "--output", str(tmp_path / "impact"))

    with pytest.raises(CommandError, match="Cannot read the impact report"):
        run("ruleset_activate", NEWEST, "--approved-by", "Dr A", "--impact-report", str(tmp_path / "nothing.md"))
    (tmp_path / "nothing.md").write_text("# Notes\n")
    with pytest.raises(CommandError, match="needs its impact report"):
        run("ruleset_activate", NEWEST, "--approved-by", "Dr A", "--impact-report", str(tmp_path / "nothing.md"))
    out = run("ruleset_activate", NEWEST, "--approved-by", "Dr A", "--impact-report", str(tmp_path / "impact.md"))

    assert f"Rule set {NEWEST} is active" in out
    assert RuleSetRelease.objects.first().approved_by == "Dr A"


def test_reassess_rescores_in_batches_and_a_raised_case_is_pending_again():
    on_old_rules()
    raised = make_presentation(external_id="raised", **CONTINUOUS_JERKING)
    Presentation.objects.filter(pk=raised.pk).update(review_status=ReviewStatus.REVIEWED)
    unchanged = [make_presentation(external_id=f"same-{n}") for n in range(4)]
    release(NEWEST)

    dry = run("reassess", "--dry-run", "--batch-size", "2")
    assert "Would re-assess 5 presentations" in dry and "1 rose in level" in dry
    assert not Assessment.objects.filter(ruleset_version=NEWEST).exists()

    out = run("reassess", "--batch-size", "2")

    assert "Re-assessed 5 presentations" in out
    raised.refresh_from_db()
    assert (raised.level, raised.flagged, raised.review_status) == (Level.EMERGENCY, True, ReviewStatus.PENDING)
    assert raised.assessments.count() == 2  # the earlier assessment is kept
    for presentation in unchanged:
        presentation.refresh_from_db()
        assert presentation.current_assessment.ruleset_version == NEWEST
        assert presentation.review_status == ReviewStatus.PENDING
    assert AuditEvent.objects.filter(event_type="assessment.create").count() == 5
    assert "Re-assessed 0 presentations" in run("reassess")  # resumable: nothing left to do


def test_reassess_keeps_a_review_recorded_since_the_batch_was_chosen():
    # The batch is read locked inside its transaction: a status changed before it is kept, not overwritten.
    on_old_rules()
    presentation = make_presentation()
    release(NEWEST)
    Presentation.objects.filter(pk=presentation.pk).update(review_status=ReviewStatus.IN_REVIEW)

    changed = presentations_reassess(presentation_ids=[presentation.pk], ruleset=RULESETS[NEWEST], by=SYSTEM)

    presentation.refresh_from_db()
    assert changed.done == 1 and presentation.review_status == ReviewStatus.IN_REVIEW


def test_after_a_rollback_reassess_keeps_what_the_older_version_cannot_read():
    # A presentation with a 2027.01 symptom is not scored again under 2026.11 without it: it keeps its assessment.
    thunderclap = make_presentation(symptoms=[symptom("thunderclap_headache", "sudden", resolved=True)])
    plain = make_presentation(external_id="plain")
    release(OLD)

    out = run("reassess")

    thunderclap.refresh_from_db()
    plain.refresh_from_db()
    assert thunderclap.current_assessment.ruleset_version == NEWEST and thunderclap.level == Level.EMERGENCY
    assert plain.current_assessment.ruleset_version == OLD
    assert f"cannot read their inputs:\n  {thunderclap.pk}" in out


def test_nothing_is_scored_when_the_active_version_is_one_this_code_does_not_hold():
    # A database released on a newer code base, then served by an older one: never guess a version.
    RuleSetRelease.objects.create(version="2099.01", approved_by="test", activated_at="2099-01-01T00:00:00Z")

    with pytest.raises(ReleaseRefused, match="not one this code holds"):
        presentation_create(payload=make_payload(), client=None, by=SYSTEM)

    assert not Presentation.objects.exists()
