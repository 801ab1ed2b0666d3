"""Releasing a rule set on the benchmark's data: the impact report's and bulk re-assessment's speeds.

    python -m bench.rulesets [--rows 1000000] [--reassess 50000]

Pre-fills a fresh database with `--rows` presentations scored under 2026.11 (bench.run's generated mix, by COPY),
runs `ruleset_impact --from 2026.11 --to 2027.01` over all of them, releases 2027.01 on that report and runs
`reassess --limit` over the first `--reassess` of them. Prints each command's output and rate (targets, issue 22: the
report >= 20,000 presentations/s per core, re-assessment >= 1,000/s) and leaves the reports in bench/results/.
"""

import argparse
import io
import json
import sys
import time
from pathlib import Path

from bench import run

RESULTS = run.REPO / "bench" / "results"
OLD, NEW = "2026.11", "2027.01"


def prefilled(db: dict[str, str], name: str, rows: int) -> None:
    run.fresh_database(db, name)
    run.setup_django(db, name)
    from bench.mix import presentation_mix
    from triage.audit import SYSTEM
    from triage.models import Role
    from triage.services import api_key_create

    intake, _raw = api_key_create(name=f"{name}-intake", role=Role.INTAKE, by=SYSTEM)
    from django.utils import timezone

    from triage.models import RuleSetRelease

    seconds = run.prefill(rows, presentation_mix(500), intake.pk, version=OLD)
    # A database whose history was scored under the old version, with it active.
    RuleSetRelease.objects.create(version=OLD, approved_by="bench", activated_at=timezone.now())
    print(f"{name}: {rows:,} presentations scored under {OLD} pre-filled in {seconds:.0f} s")


def timed(command: str, *args: str) -> tuple[float, str]:
    from django.core.management import call_command

    out = io.StringIO()
    started = time.monotonic()
    call_command(command, *args, stdout=out)
    return time.monotonic() - started, out.getvalue().strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--reassess", type=int, default=50_000)
    args = parser.parse_args()
    sys.path.insert(0, str(run.REPO))
    db = run.server()
    figures = {"cpu_reference_ms": round(run.cpu_reference_ms())}

    prefilled(db, "twitch_triage_impact", args.rows)
    RESULTS.mkdir(exist_ok=True)
    report = RESULTS / f"impact-{OLD}-{NEW}-bench"
    seconds, said = timed("ruleset_impact", "--from", OLD, "--to", NEW, "--output", str(report))
    print(said)
    figures["impact_per_second"] = round(args.rows / seconds)
    figures["impact_summary"] = {
        key: value for key, value in json.loads(Path(f"{report}.json").read_text()).items()
        if key in ("presentations", "transitions", "flagged_to_unflagged", "unflagged_to_flagged")
    }  # fmt: skip

    from triage.rulesets import ruleset_activate

    ruleset_activate(version=NEW, approved_by="bench", report=Path(f"{report}.json").read_bytes())
    seconds, said = timed("reassess", "--batch-size", "500", "--limit", str(args.reassess))
    print(said)
    figures["reassess_per_second"] = round(args.reassess / seconds)
    print(json.dumps(figures, indent=1))
    print(
        f"ruleset_impact: {figures['impact_per_second']:,}/s (target >= 20,000 per core, one process); "
        f"reassess: {figures['reassess_per_second']:,}/s (target >= 1,000); "
        f"CPU reference {figures['cpu_reference_ms']} ms"
    )


if __name__ == "__main__":
    main()
